"""GET /api/v1/packages and POST /api/v1/packages/import over HTTP: preview, confirm, the
list with its totals, a PJ reading only their own OPD, and every refusal (400 with the
lines, 403, 409, 413, 415) leaving the database as it was."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from engine.events import EventType
from engine.models import Event, Opd, Package
from tests.sirup_support import csv_bytes, json_bytes, package, packages, xlsx_bytes
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
)

IMPORT = "/packages/import"


def upload(client: ApiClient, username: str, data: bytes, name: str = "paket.csv", **form):
    body = {"file": (io.BytesIO(data), name), **form}
    return client.post(username, IMPORT, data=body, content_type="multipart/form-data")


def imported(client: ApiClient, data: bytes, name: str = "paket.csv", username="tim1") -> dict:
    preview = client.ok(upload(client, username, data, name))
    return client.ok(upload(client, username, data, name, confirm="1", sha256=preview["sha256"]))


def rows(client: ApiClient) -> tuple[int, int]:
    with client.session_factory() as session:
        return (session.scalar(select(func.count()).select_from(Package)),
                session.scalar(select(func.count()).select_from(Event)
                               .where(Event.type == EventType.PACKAGES_IMPORTED)))


def opd_id(client: ApiClient, code: str) -> int:
    with client.session_factory() as session:
        return session.scalar(select(Opd.id).where(Opd.code == code))


def refused(client: ApiClient, response, status: int, code: str, before: tuple) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()["error"]
    assert body["code"] == code
    assert rows(client) == before
    return body


def _preview_then_import_then_list(client: ApiClient) -> None:
    file = xlsx_bytes([*packages(3), package("51999999", nama_satker="Dinas Perhubungan",
                                             pagu="Rp 500.000,50")])
    before = rows(client)
    preview = client.ok(upload(client, "tim1", file, "paket-2026.xlsx"))
    assert (preview["confirmed"], preview["format"], preview["tahun_anggaran"]) == (
        False, "xlsx", [2026])
    assert preview["counts"] == {"added": 4, "updated": 0, "unchanged": 0, "refused": 0}
    assert preview["added"][0] == {"line": 2, "tahun_anggaran": 2026, "kd_rup": "51000001",
                                   "nama_paket": "Paket Nomor 1", "pagu": "1250000000.00",
                                   "opd_id": opd_id(client, "DINKES"), "changes": {}}
    assert rows(client) == before  # a preview writes nothing
    done = client.ok(upload(client, "tim1", file, "paket-2026.xlsx", confirm="1",
                            sha256=preview["sha256"]))
    assert done["confirmed"] is True and done["counts"]["added"] == 4
    assert rows(client) == (before[0] + 4, before[1] + 1)
    listed = client.ok(client.get("kepala", "/packages", tahun=2026, per_page=2))
    assert (listed["total"], listed["total_pagu"], len(listed["items"])) == (
        4, "3750500000.50", 2)
    item = listed["items"][0]
    assert (item["kd_rup"], item["pagu"], item["opd"]["code"], item["tgl_awal_pemilihan"],
            item["sumber_dana"]) == ("51000001", "1250000000.00", "DINKES", "2026-03-02",
                                     ["APBD"])


def test_preview_import_and_list(api):
    _preview_then_import_then_list(api)


def test_preview_import_and_list_on_postgresql(pg_api):
    _preview_then_import_then_list(pg_api)


def test_a_second_import_reports_unchanged_and_updated_rows(api):
    imported(api, csv_bytes(packages(2)))
    changed = packages(2)
    changed[0]["pagu"] = "Rp1.000,00"
    preview = api.ok(upload(api, "tim1", csv_bytes(changed)))
    assert preview["counts"] == {"added": 0, "updated": 1, "unchanged": 1, "refused": 0}
    assert preview["updated"][0]["changes"] == {"pagu": ["1250000000.00", "1000.00"]}


def test_json_files_and_the_chosen_year(api):
    data = json_bytes([package(tahun_anggaran=None)], wrapped=True)
    done = imported_with_year(api, data)
    assert done["tahun_anggaran"] == [2027]
    assert api.ok(api.get("tim1", "/packages", tahun=2027))["total"] == 1


def imported_with_year(client: ApiClient, data: bytes) -> dict:
    preview = client.ok(upload(client, "tim1", data, "paket.json", tahun="2027"))
    return client.ok(upload(client, "tim1", data, "paket.json", tahun="2027", confirm="1",
                            sha256=preview["sha256"]))


def test_refused_lines_are_shown_and_block_the_import(api):
    data = csv_bytes([package("51000001"), package("51000002", nama_satker="Dinas Pariwisata"),
                      package("51000003", pagu="sejuta")])
    before = rows(api)
    preview = api.ok(upload(api, "tim1", data))
    assert [(r["line"], r["code"]) for r in preview["refused"]] == [
        (3, "unknown_opd"), (4, "unreadable_pagu")]
    body = refused(api, upload(api, "tim1", data, confirm="1", sha256=preview["sha256"]),
                   400, "import_has_refusals", before)
    assert [r["line"] for r in body["details"]["refused"]] == [3, 4]


def test_a_file_without_the_required_columns(api):
    data = b"Kode RUP;Nama Paket\n51000001;Paket A\n"
    body = refused(api, upload(api, "tim1", data), 400, "missing_columns", rows(api))
    assert body["details"]["missing"] == ["Pagu", "Satuan Kerja / Kode Satker"]


def test_an_empty_file_and_no_file(api):
    before = rows(api)
    refused(api, upload(api, "tim1", b""), 400, "empty_file", before)
    response = api.post("tim1", IMPORT, data={"confirm": "0"}, content_type="multipart/form-data")
    refused(api, response, 400, "file_missing", before)


def test_confirming_needs_the_previews_sha256(api):
    data, before = csv_bytes(packages(1)), rows(api)
    refused(api, upload(api, "tim1", data, confirm="1"), 400, "invalid_input", before)
    refused(api, upload(api, "tim1", data, confirm="1", sha256="a" * 64), 409,
            "import_file_changed", before)
    refused(api, upload(api, "tim1", data, sha256="xyz"), 400, "invalid_input", before)
    refused(api, upload(api, "tim1", data, extra="1"), 400, "unknown_field", before)


def test_a_file_of_another_type_is_415(api):
    before = rows(api)
    body = refused(api, upload(api, "tim1", b"%PDF-1.7\n1 0 obj\n", "paket.xlsx"), 415,
                   "unsupported_file_type", before)
    assert body["details"] == {"detected": "pdf"}
    refused(api, api.post("tim1", IMPORT, {"file": "x"}), 415, "unsupported_media_type", before)


def test_a_file_over_the_cap_is_413(api):
    before = rows(api)
    body = refused(api, upload(api, "tim1", b"a" * (20 * 1024 * 1024 + 1)), 413,
                   "file_too_large", before)
    assert body["details"]["max_bytes"] == 20 * 1024 * 1024
    for size in (20 * 1024 * 1024 + 128 * 1024, 50 * 1024 * 1024):  # refused unread
        refused(api, upload(api, "tim1", b"a" * size), 413, "payload_too_large", before)


@pytest.mark.parametrize("username", ["kepala", "pj.dinkes", "auditor"])
def test_only_the_tim_and_administrators_import(api, username):
    data, before = csv_bytes(packages(1)), rows(api)
    refused(api, upload(api, username, data), 403, "packages_import_only", before)


def test_a_pj_lists_only_their_own_opd(api):
    imported(api, csv_bytes([package("51000001"),
                             package("51000002", nama_satker="Dinas Perhubungan")]))
    own = api.ok(api.get("pj.dinkes", "/packages", tahun=2026))
    assert [i["opd"]["code"] for i in own["items"]] == ["DINKES"] and own["total"] == 1
    assert api.ok(api.get("kepala", "/packages", tahun=2026))["total"] == 2
    response = api.get("pj.dinkes", "/packages", tahun=2026, opd=opd_id(api, "DISHUB"))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == \
        "opd_not_found"
    response = api.get("pemilik", "/packages", tahun=2026)
    assert response.status_code == 403


def test_list_filters_and_bad_queries(api):
    imported(api, csv_bytes([package("51000001", metode_pengadaan="E-Purchasing"),
                             package("51000002", nama_paket="Jalan Lingkar Painan")]))
    assert api.ok(api.get("tim1", "/packages", tahun=2026, q="lingkar"))["total"] == 1
    assert api.ok(api.get("tim1", "/packages", tahun=2026, metode="e-purchasing"))["total"] == 1
    assert api.ok(api.get("tim1", "/packages", tahun=2026, jenis="Barang"))["total"] == 2
    assert api.ok(api.get("tim1", "/packages", tahun=2025))["total"] == 0
    for params in ({}, {"tahun": "dua ribu"}, {"tahun": 2026, "per_page": 500},
                   {"tahun": 2026, "warna": "x"}):
        response = api.get("tim1", "/packages", **params)
        assert response.status_code == 400, params
