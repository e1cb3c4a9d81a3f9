"""The SOP document made from a deployed version, checked against the SOP it came from
(../shared/seed/sop-pengelolaan-kinerja.md: its 17 rows, its lanes, its decisions), and its
header: edited by process owners only, every field checked, each change on the audit chain.
"""

from __future__ import annotations

import difflib
import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from engine.events import EventType
from engine.models import Event, SopMetadata, UserRole
from engine.services import deployments, sopdocument, sopmetadata, soppages
from engine.services.deployments import latest_version
from engine.services.sopmetadata import SopHeader
from tests.conftest import ROOT, shared_path
from tests.engine.services.test_processdrafts import with_waktu
from tests.support import SOP_BPMN, SOP_KEY, SOP_LANE_ROLES, sop_forms, user

HEADER_FILE = ROOT / "bpmn" / "sop-pengelolaan-kinerja.sop.json"
LANE_OF_DESIGN = {"Tim": "Tim Pengelolaan Kelembagaan UKPBJ", "Kepala": "Kepala UKPBJ",
                  "PJ": "Penanggung Jawab Kinerja"}


# ---- the seed SOP, read from ../shared --------------------------------------------------

def seed_rows() -> dict[int, dict]:
    """The seed's table rows by number: Kegiatan, Kelengkapan, Waktu, Output as written."""
    text = shared_path("seed", "sop-pengelolaan-kinerja.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[0].isdigit():
            rows[int(cells[0])] = {"kegiatan": cells[1], "kelengkapan": cells[5],
                                   "waktu": cells[6], "output": cells[7]}
    return rows


def seed_lanes() -> list[str]:
    """The Pelaksana columns of the seed's table header."""
    text = shared_path("seed", "sop-pengelolaan-kinerja.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "| Kepala UKPBJ |" in line)
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return cells[2:5]


def design_lanes() -> dict[int, str]:
    """Each row's lane as ../shared/design/sop-to-bpmn.md reads the seed (its marks were
    lost in the extraction)."""
    text = shared_path("design", "sop-to-bpmn.md").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            found[int(cells[0])] = next(lane for prefix, lane in LANE_OF_DESIGN.items()
                                        if cells[2].startswith(prefix))
    return found


def items_of(cell: str) -> list[str]:
    """A seed cell's numbered list ("1. RPJM 2. Renca Kerja ...") as its items."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", cell))
    parts = re.split(r"(?:^|\s)\d+\.\s", f" {text}")
    return [part.strip() for part in parts if part.strip()]


def plain(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def assert_same_items(ours: tuple[str, ...], seed_cell: str, where: str) -> None:
    """Same count, each item the seed's words up to its typos ("Renca Kerja")."""
    theirs = items_of(seed_cell)
    assert len(ours) == len(theirs), (where, ours, theirs)
    for mine, written in zip(ours, theirs, strict=True):
        ratio = difflib.SequenceMatcher(None, plain(mine), plain(written)).ratio()
        assert ratio >= 0.9, (where, mine, written, ratio)


def ways_in(kegiatan: str) -> list[str]:
    """The letters of the ways a decision row lists: "a) ... b) ..." or "(a) ... (c)"."""
    return re.findall(r"\(?\b([a-c])\)", kegiatan)


# ---- the table ---------------------------------------------------------------------------

def sop_document(session):
    return sopdocument.build_document(session, user(session, "pemilik"),
                                      latest_version(session, SOP_KEY).id)


def numbered(document) -> dict[int, sopdocument.Row]:
    return {int(row.no): row for row in document.rows if row.no.isdigit()}


def test_the_table_has_the_seed_sops_rows_lanes_and_mutu_baku(session):
    seed, lanes = seed_rows(), design_lanes()
    document = sop_document(session)
    assert list(document.lanes) == seed_lanes()
    rows = numbered(document)
    assert sorted(rows) == sorted(seed) == list(range(1, 18))
    shared_from = None
    for number, written in sorted(seed.items()):
        row = rows[number]
        assert document.lanes[row.lane] == lanes[number], number
        if not written["waktu"]:  # rows 2-5: the seed merges their Mutu Baku into row 1's
            assert row.mutu == shared_from.mutu and row.mutu_group == shared_from.mutu_group
            continue
        shared_from = row
        assert row.mutu.waktu == int(written["waktu"].split()[0]), number
        assert_same_items(row.mutu.kelengkapan, written["kelengkapan"], f"{number} kelengkapan")
        assert_same_items(row.mutu.output, written["output"], f"{number} output")
        assert row.kegiatan, number


def test_rows_one_to_five_share_one_mutu_baku_cell_as_in_the_seed(session):
    document = sop_document(session)
    pages = soppages.paginate(document.rows, len(document.lanes))
    first = pages[0].rows
    assert [r.row.no for r in first[:5]] == ["1", "2", "3", "4", "5"]
    assert [r.mutu_span for r in first[:5]] == [5, 0, 0, 0, 0]


def test_the_decisions_at_six_and_seventeen_have_the_seeds_ways(session):
    seed, rows = seed_rows(), numbered(sop_document(session))
    six, seventeen = rows[6], rows[17]
    assert six.symbol == seventeen.symbol == "decision"
    assert len(six.ways) == len(ways_in(seed[6]["kegiatan"])) == 2
    assert [way.rows for way in six.ways] == [("7",), ("1",)]  # (a) on to 7, (b) back to 1
    letters = ways_in(seed[17]["kegiatan"])
    assert letters == ["a", "b", "c"]
    assert [way.label[:3] for way in seventeen.ways] == [f"({letter})" for letter in letters]
    # sop-to-bpmn.md: (a) and (b) start the next period at 11, (c) reports and ends
    assert [way.rows for way in seventeen.ways] == [("17a",), ("11",), ("17c",)]
    follow_up = {row.no: row for row in sop_document(session).rows}
    assert follow_up["17a"].next_rows == ("11",)
    assert follow_up["17c"].symbol == "end" and follow_up["17c"].next_rows == ()
    assert all(not row.ways for number, row in rows.items() if number not in (6, 17))


def test_symbols_start_at_row_one_and_boxes_elsewhere(session):
    document = sop_document(session)
    symbols = {row.no: row.symbol for row in document.rows}
    assert symbols["1"] == "start" and symbols["17c"] == "end"
    assert {symbols[str(n)] for n in (2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)} \
        == {"process"}
    assert [row.no for row in document.rows][-2:] == ["17a", "17c"]


def test_kegiatan_and_keterangan_come_from_the_documentation(session):
    rows = numbered(sop_document(session))
    assert rows[1].kegiatan == "Mendefinisikan tujuan Pengadaan Barang/Jasa dan area strategis"
    assert rows[1].keterangan.startswith("Dilaksanakan melalui lokakarya")
    assert rows[16].keterangan.startswith("Audience dari presentasi")
    assert rows[12].waits_for == "Akhir periode pelaporan"
    assert rows[2].keterangan == "" and rows[2].waits_for is None


def test_a_new_waktu_in_a_new_version_changes_the_document(session, now):
    first = latest_version(session, SOP_KEY)
    text = with_waktu(SOP_BPMN.read_text(encoding="utf-8"), "Task_09", 4)
    second = deployments.deploy_diagram(
        session, text.encode(), filename="sop.bpmn", forms=sop_forms(),
        lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES), now=now).version
    owner = user(session, "pemilik")
    old = numbered(sopdocument.build_document(session, owner, first.id))
    new = numbered(sopdocument.build_document(session, owner, second.id))
    assert second.version == first.version + 1
    assert (old[9].mutu.waktu, new[9].mutu.waktu) == (3, 4)
    assert {n: r.mutu for n, r in old.items() if n != 9} \
        == {n: r.mutu for n, r in new.items() if n != 9}


def test_pages_join_with_numbered_off_page_connectors(session):
    document = sop_document(session)
    pages = soppages.paginate(document.rows, len(document.lanes))
    assert len(pages) > 1
    assert [r.row.no for page in pages for r in page.rows] == [r.no for r in document.rows]
    numbers = []
    for before, after in zip(pages, pages[1:], strict=False):
        last, first = before.rows[-1], after.rows[0]
        assert last.connector_out == first.connector_in
        assert (last.connector_out is not None) == (first.row.element_id in last.row.target_ids)
        numbers += [last.connector_out] if last.connector_out else []
    assert numbers == list(range(1, len(numbers) + 1)) and numbers


def test_everyone_signed_in_reads_the_document(session):
    """The SOP is the procedure all of them work by: the Kepala who signs it, the Tim, each
    PJ Kinerja and auditors read it as the process owners do."""
    version_id = latest_version(session, SOP_KEY).id
    for name in ("admin", "pemilik", "pj.dinkes", "auditor", "tim1", "kepala"):
        document = sopdocument.build_document(session, user(session, name), version_id)
        assert len(document.rows) >= 17
        assert sopmetadata.get_header(session, user(session, name), SOP_KEY) == document.header
    with pytest.raises(NotFoundError):
        sopdocument.build_document(session, user(session, "pemilik"), 10**8)


# ---- the header ------------------------------------------------------------------------

FORM = {
    "number": "602/09/SOP/PBJ-PS/III-2022", "title": "SOP Pengelolaan Kinerja",
    "made_on": "2022-03-07", "revised_on": "2022-03-14", "effective_on": "2022-03-14",
    "approver_position": "Kepala Bagian Pengadaan Barang dan Jasa",
    "approver_name": "MAWARDI ROSKA, S.IP", "approver_nip": "19670907 198902 1 001",
    "legal_bases": "Peraturan Presiden Nomor 18 Tahun 2018\r\n\r\n  Peraturan LKPP Nomor 9 "
                   "Tahun 2018 ", "warning": "Apabila SOP ini tidak dibuat ...",
}


def written(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(SopMetadata)),
            session.scalar(select(func.count()).select_from(Event)))


def test_an_unwritten_header_is_empty_not_invented(session):
    assert sop_document(session).header == SopHeader()
    assert SopHeader().as_form()["legal_bases"] == ""


def test_the_owner_edits_the_header_and_the_change_is_audited(session, now):
    owner = user(session, "pemilik")
    changes = sopmetadata.update_header(session, owner, SOP_KEY, FORM, now)
    header = sopmetadata.get_header(session, owner, SOP_KEY)
    assert header.approver_nip == "196709071989021001"
    assert header.legal_bases == ("Peraturan Presiden Nomor 18 Tahun 2018",
                                  "Peraturan LKPP Nomor 9 Tahun 2018")
    assert header.made_on == date(2022, 3, 7) and header.equipment == ()
    assert sop_document(session).header == header
    event = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert event.type == EventType.SOP_METADATA_UPDATED and event.instance_id is None
    assert event.actor_id == owner.id
    assert event.payload["definition_key"] == SOP_KEY
    assert event.payload["changes"] == changes
    assert changes["made_on"] == [None, "2022-03-07"]
    assert changes["legal_bases"][0] == [] and len(changes["legal_bases"][1]) == 2
    assert "equipment" not in changes
    # the same form again changes nothing and records nothing
    before = written(session)
    assert sopmetadata.update_header(session, owner, SOP_KEY, FORM, now) == {}
    assert written(session) == before
    # one field changed: one change, before and after
    edited = sopmetadata.update_header(session, user(session, "admin"), SOP_KEY,
                                       {**FORM, "title": "SOP Kinerja"}, now)
    assert edited == {"title": ["SOP Pengelolaan Kinerja", "SOP Kinerja"]}


def test_every_wrong_field_is_named_and_nothing_is_written(session, now):
    before = written(session)
    bad = {**FORM, "approver_nip": "19670907 198902 3 001", "made_on": "2022-02-30",
           "number": "x" * 121, "related_sops": "\n".join(["SOP"] * 31)}
    with pytest.raises(InvalidInputError) as refused:
        sopmetadata.update_header(session, user(session, "pemilik"), SOP_KEY, bad, now)
    assert refused.value.code == "invalid_sop_header"
    assert set(refused.value.details) == {"approver_nip", "made_on", "number", "related_sops"}
    assert "gender" in refused.value.details["approver_nip"][0]
    assert written(session) == before


def test_a_revision_before_the_sop_was_made_is_refused(session, now):
    with pytest.raises(InvalidInputError) as refused:
        sopmetadata.update_header(session, user(session, "pemilik"), SOP_KEY,
                                  {**FORM, "revised_on": "2022-03-01"}, now)
    assert set(refused.value.details) == {"revised_on"}


@pytest.mark.parametrize("name", ["pj.dinkes", "auditor", "kepala"])
def test_people_who_do_not_own_processes_may_not_edit(session, now, name):
    before = written(session)
    with pytest.raises(PermissionDeniedError) as refused:
        sopmetadata.update_header(session, user(session, name), SOP_KEY, FORM, now)
    assert refused.value.code == "modeler_only"
    assert written(session) == before


def test_a_read_only_process_owner_may_read_but_not_edit(session, now):
    auditor = user(session, "auditor")
    session.add(UserRole(user_id=auditor.id, role="pemilik_proses"))
    session.flush()
    session.expire(auditor)
    assert sopmetadata.get_header(session, auditor, SOP_KEY) == SopHeader()
    assert not sopmetadata.can_edit(auditor)
    before = written(session)
    with pytest.raises(PermissionDeniedError) as refused:
        sopmetadata.update_header(session, auditor, SOP_KEY, FORM, now)
    assert refused.value.code == "read_only_role"
    assert written(session) == before


def test_an_unknown_process_has_no_header(session, now):
    with pytest.raises(NotFoundError):
        sopmetadata.update_header(session, user(session, "pemilik"), "tidak_ada", FORM, now)


def test_the_shipped_header_file_is_the_seed_sops_and_never_overwrites(session, now):
    key, raw = sopmetadata.read_header_file(HEADER_FILE.read_bytes())
    assert key == SOP_KEY
    assert sopmetadata.fill_header_if_empty(session, key, raw, now)
    header = sopmetadata.get_header(session, user(session, "pemilik"), SOP_KEY)
    assert header.number == "602/09/SOP/PBJ-PS/III-2022"
    assert (header.made_on, header.revised_on, header.effective_on) == (
        date(2022, 3, 7), date(2022, 3, 14), date(2022, 3, 14))
    assert header.approver_nip == "196709071989021001" and header.approver_position == ""
    assert header.related_sops == ("SOP Pemilihan - Prakualifikasi", "SOP Pengarsipan")
    sopmetadata.update_header(session, user(session, "pemilik"), SOP_KEY,
                              {**raw, "title": "Diubah"}, now)
    assert not sopmetadata.fill_header_if_empty(session, key, raw, now)
    assert sopmetadata.get_header(session, user(session, "pemilik"), SOP_KEY).title == "Diubah"


def test_a_header_file_with_an_unknown_field_is_refused():
    with pytest.raises(InvalidInputError) as refused:
        sopmetadata.read_header_file(b'{"definition_key": "x", "header": {"nomor": "1"}}')
    assert refused.value.details == {"fields": ["nomor"]}

