"""SIRUP package import (preview, confirm) and the package list, on a real database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.db import RUNTIME_KEY
from engine.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from engine.events import EventType
from engine.models import Event, Opd, Package
from engine.runtime import build_runtime
from engine.services import packages
from tests.conftest import T0
from tests.sirup_support import csv_bytes, package, xlsx_bytes
from tests.sirup_support import packages as many
from tests.support import user

FILE = "paket-rup-2026.csv"


def _counts(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Package)),
            session.scalar(select(func.count()).select_from(Event)
                           .where(Event.type == EventType.PACKAGES_IMPORTED)))


def _opd(session, code: str) -> Opd:
    return session.scalars(select(Opd).where(Opd.code == code)).one()


def _import(session, data: bytes, username: str = "tim1", when=T0, **kwargs):
    actor = user(session, username)
    plan = packages.preview_import(session, actor, FILE, data, when, **kwargs)
    return packages.confirm_import(session, actor, FILE, data, plan.sha256, when, **kwargs)


def test_preview_plans_and_writes_nothing(session):
    data = csv_bytes(many(3))
    plan = packages.preview_import(session, user(session, "tim1"), FILE, data, T0)
    assert plan.counts() == {"added": 3, "updated": 0, "unchanged": 0, "refused": 0}
    assert (plan.years, plan.format, len(plan.sha256)) == ([2026], "csv", 64)
    assert {item.opd_id for item in plan.added} == {_opd(session, "DINKES").id}
    assert _counts(session) == (0, 0)


def test_confirm_upserts_every_field_and_records_the_import(session):
    data = xlsx_bytes([package("51000001", sumber_dana="APBD; DAK", status_pdn="PDN")])
    plan = _import(session, data, "admin")
    assert plan.counts()["added"] == 1
    row = session.scalars(select(Package)).one()
    assert (row.tahun_anggaran, row.kd_rup, row.nama_paket, row.pagu, row.metode_pengadaan,
            row.jenis_pengadaan, row.opd.code, row.tgl_awal_pemilihan.isoformat(),
            row.tgl_akhir_pemilihan.isoformat(), row.status_pdn, row.status_ukm,
            row.sumber_dana, row.imported_at, row.imported_by_id) == (
        2026, "51000001", "Pengadaan Alat Kesehatan Puskesmas", Decimal("1250000000.00"),
        "Tender", "Barang", "DINKES", "2026-03-02", "2026-04-30", "PDN", "UKM",
        ["APBD", "DAK"], T0, user(session, "admin").id)
    event = session.scalars(select(Event).where(Event.type == EventType.PACKAGES_IMPORTED)).one()
    assert event.instance_id is None and event.actor_id == user(session, "admin").id
    assert event.payload == {"tahun_anggaran": 2026, "filename": FILE, "sha256": plan.sha256,
                             "added": 1, "updated": 0, "unchanged": 0}


def test_the_same_file_again_changes_nothing_and_is_still_recorded(session):
    data = csv_bytes(many(5))
    _import(session, data)
    again = _import(session, data, when=T0 + timedelta(days=1))
    assert again.counts() == {"added": 0, "updated": 0, "unchanged": 5, "refused": 0}
    assert _counts(session) == (5, 2)
    assert set(session.scalars(select(Package.imported_at))) == {T0}


def test_a_changed_package_is_counted_and_updated_in_place(session):
    _import(session, csv_bytes(many(3)))
    first_id = session.scalar(select(Package.id).where(Package.kd_rup == "51000002"))
    changed = many(3)
    changed[1].update(pagu="Rp 900.000.000", nama_satker="Dinas Perhubungan",
                      metode_pengadaan="Seleksi")
    later = T0 + timedelta(days=1)
    plan = packages.preview_import(session, user(session, "tim1"), FILE, csv_bytes(changed), later)
    assert plan.counts() == {"added": 0, "updated": 1, "unchanged": 2, "refused": 0}
    assert plan.updated[0].changes == {
        "pagu": [Decimal("1250000000.00"), Decimal("900000000")],
        "nama_satker": ["Dinas Kesehatan", "Dinas Perhubungan"],
        "metode_pengadaan": ["Tender", "Seleksi"],
        "opd_id": [_opd(session, "DINKES").id, _opd(session, "DISHUB").id]}
    _import(session, csv_bytes(changed), when=later)
    session.expire_all()
    row = session.scalars(select(Package).where(Package.kd_rup == "51000002")).one()
    assert (row.id, row.pagu, row.opd.code, row.imported_at) == (
        first_id, Decimal("900000000.00"), "DISHUB", later)
    assert _counts(session) == (3, 2)


def test_refused_rows_are_listed_and_block_the_confirm(session):
    rows = [package("51000001"), package("51000002", nama_satker="Dinas Pariwisata"),
            package("", pagu="sejuta"), package("51000001")]
    data = csv_bytes(rows)
    tim = user(session, "tim1")
    plan = packages.preview_import(session, tim, FILE, data, T0)
    assert [(r.line, r.code) for r in plan.refused] == [
        (3, "unknown_opd"), (4, "missing_kd_rup"), (4, "unreadable_pagu"),
        (5, "duplicate_in_file")]
    assert plan.counts() == {"added": 1, "updated": 0, "unchanged": 0, "refused": 3}
    with pytest.raises(InvalidInputError) as refused:
        packages.confirm_import(session, tim, FILE, data, plan.sha256, T0)
    assert refused.value.code == "import_has_refusals"
    assert refused.value.details["refused_lines"] == 3
    assert refused.value.details["refused"][0] == {
        "line": 3, "code": "unknown_opd", "field": "nama_satker", "value": "Dinas Pariwisata",
        "message": "Unknown OPD: no OPD has this satuan kerja's name or code"}
    assert _counts(session) == (0, 0)


def test_another_file_than_the_one_previewed_is_refused(session):
    tim = user(session, "tim1")
    plan = packages.preview_import(session, tim, FILE, csv_bytes(many(2)), T0)
    with pytest.raises(ConflictError) as refused:
        packages.confirm_import(session, tim, FILE, csv_bytes(many(3)), plan.sha256, T0)
    assert refused.value.code == "import_file_changed"
    assert _counts(session) == (0, 0)


def test_opds_match_by_name_whatever_the_case_or_by_code_never_guessed(session):
    rows = [package("51000001", nama_satker="DINAS  KESEHATAN."),
            package("51000002", nama_satker="", kd_satker="dpupr"),
            package("51000003", nama_satker="Dinas Kesehatan Hewan")]
    plan = packages.preview_import(session, user(session, "tim1"), FILE, csv_bytes(rows), T0)
    assert [(i.row.kd_rup, i.opd_id) for i in plan.added] == [
        ("51000001", _opd(session, "DINKES").id), ("51000002", _opd(session, "DPUPR").id)]
    assert [(r.line, r.code) for r in plan.refused] == [(4, "unknown_opd")]


def test_two_opds_of_one_name_make_the_row_ambiguous(session):
    session.add(Opd(code="DINKES2", name="Dinas Kesehatan"))
    session.flush()
    plan = packages.preview_import(session, user(session, "tim1"), FILE,
                                   csv_bytes([package()]), T0)
    assert [r.code for r in plan.refused] == ["ambiguous_opd"] and plan.added == []


def test_one_event_per_budget_year(session):
    rows = [*many(2), package("52000001", tahun_anggaran="2027")]
    _import(session, csv_bytes(rows))
    events = session.scalars(select(Event).where(Event.type == EventType.PACKAGES_IMPORTED)
                             .order_by(Event.seq)).all()
    assert [(e.payload["tahun_anggaran"], e.payload["added"]) for e in events] == [
        (2026, 2), (2027, 1)]


def test_a_year_chosen_for_rows_without_one(session):
    rows = [package(tahun_anggaran="")]
    _import(session, csv_bytes(rows), tahun_anggaran=2027)
    assert session.scalar(select(Package.tahun_anggaran)) == 2027
    with pytest.raises(InvalidInputError) as refused:
        packages.preview_import(session, user(session, "tim1"), FILE, csv_bytes(rows), T0,
                                tahun_anggaran=1990)
    assert refused.value.code == "invalid_year"


@pytest.mark.parametrize("username", ["kepala", "pj.dinkes", "auditor", "pemilik"])
def test_only_the_tim_and_administrators_import(session, username):
    data = csv_bytes(many(1))
    actor = user(session, username)
    with pytest.raises(PermissionDeniedError):
        packages.preview_import(session, actor, FILE, data, T0)
    with pytest.raises(PermissionDeniedError):
        packages.confirm_import(session, actor, FILE, data, "0" * 64, T0)
    assert _counts(session) == (0, 0)


def test_file_level_refusals_write_nothing(session):
    tim = user(session, "tim1")
    with pytest.raises(InvalidInputError) as empty:
        packages.preview_import(session, tim, FILE, b"", T0)
    assert empty.value.code == "empty_file"
    with pytest.raises(PayloadTooLargeError):
        packages.confirm_import(session, tim, FILE, b"a" * (20 * 1024 * 1024 + 1), "x", T0)
    session.info[RUNTIME_KEY] = build_runtime(sirup_max_rows=2)  # the setting is read
    with pytest.raises(PayloadTooLargeError) as rows:
        packages.preview_import(session, tim, FILE, csv_bytes(many(3)), T0)
    assert rows.value.details == {"max_rows": 2}
    assert _counts(session) == (0, 0)


# ---- the list ----------------------------------------------------------------------------

@pytest.fixture()
def imported(session):
    rows = [package("51000001", pagu="1.000.000"),
            package("51000002", nama_paket="Pembangunan Jalan Lingkar", pagu="2.000.000,50",
                    nama_satker="Dinas Pekerjaan Umum dan Penataan Ruang",
                    jenis_pengadaan="Pekerjaan Konstruksi"),
            package("51000003", nama_paket="Jasa Konsultan Pengawas", pagu="300.000",
                    metode_pengadaan="Seleksi", jenis_pengadaan="Jasa Konsultansi"),
            package("52000001", tahun_anggaran="2027", pagu="5")]
    _import(session, csv_bytes(rows))


def test_overseers_list_every_opd_with_totals(session, imported):
    for username in ("kepala", "tim1", "auditor", "admin"):
        page = packages.list_packages(session, user(session, username), 2026)
        assert (page.total, page.total_pagu) == (3, Decimal("3300000.50"))
    dinkes = _opd(session, "DINKES").id
    page = packages.list_packages(session, user(session, "kepala"), 2026, opd_id=dinkes)
    assert [p.kd_rup for p in page.items] == ["51000003", "51000001"]


def test_filters_and_pages(session, imported):
    kepala = user(session, "kepala")
    assert [p.kd_rup for p in packages.list_packages(session, kepala, 2026, q="jalan").items] \
        == ["51000002"]
    assert packages.list_packages(session, kepala, 2026, q="51000003").items[0].kd_rup == \
        "51000003"
    assert packages.list_packages(session, kepala, 2026, q="100%").total == 0
    assert packages.list_packages(session, kepala, 2026, metode="seleksi").total == 1
    page = packages.list_packages(session, kepala, 2026, jenis="Barang")
    assert (page.total, page.total_pagu) == (1, Decimal("1000000.00"))
    second = packages.list_packages(session, kepala, 2026, page=2, per_page=2)
    assert (len(second.items), second.total) == (1, 3)
    with pytest.raises(InvalidInputError):
        packages.list_packages(session, kepala, 2026, per_page=500)


def test_a_pj_reads_only_their_own_opd(session, imported):
    pj = user(session, "pj.dinkes")
    page = packages.list_packages(session, pj, 2026)
    assert {p.opd.code for p in page.items} == {"DINKES"} and page.total == 2
    assert page.total_pagu == Decimal("1300000.00")
    own = packages.list_packages(session, pj, 2026, opd_id=pj.opd_id)
    assert own.total == 2
    with pytest.raises(NotFoundError):
        packages.list_packages(session, pj, 2026, opd_id=_opd(session, "DPUPR").id)


def test_a_role_without_packages_reads_none(session, imported):
    pemilik = user(session, "pemilik")
    assert not packages.may_read(pemilik)
    with pytest.raises(PermissionDeniedError):
        packages.list_packages(session, pemilik, 2026)
    with pytest.raises(PermissionDeniedError):
        packages.readable_opds(session, pemilik)


def test_the_opds_offered_to_each_reader(session):
    assert [o.code for o in packages.readable_opds(session, user(session, "pj.dinkes"))] == [
        "DINKES"]
    everyone = packages.readable_opds(session, user(session, "auditor"))
    assert len(everyone) == session.scalar(select(func.count()).select_from(Opd))
    assert packages.may_read(user(session, "kepala")) and packages.may_read(
        user(session, "pj.dinkes"))
