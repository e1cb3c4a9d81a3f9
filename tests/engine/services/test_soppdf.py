"""The SOP document as a PDF (engine.services.soppdf), read back with pypdf: the SOP-AP
header with the shipped SOP's own values, every row of the seed SOP with its lane and
Waktu, the table's head on every sheet, sheets joined by numbered off-page connectors
where the flow runs across, page numbers; and page 1 as a PNG for people to look at
(test-results/, when pdftoppm is installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace

import pytest
from pypdf import PdfReader

from engine.errors import NotFoundError
from engine.services import sopdocument, sopmetadata, soppdf
from engine.services.deployments import latest_version
from engine.services.sopflowpdf import LANES_W, NO_ROWS, TEXT_PT, WIDTHS
from engine.services.soppdfcells import MARGIN
from engine.services.sopsymbolspdf import CONNECTOR_PT
from tests.conftest import ROOT, T0
from tests.engine.services.test_sopdocument import HEADER_FILE, seed_lanes, seed_rows
from tests.support import SOP_KEY, user

MM = 72 / 25.4
NO_COLUMN = (MARGIN * MM, (MARGIN + WIDTHS["no"]) * MM)
WAKTU_LEFT = MARGIN + WIDTHS["no"] + WIDTHS["kegiatan"] + LANES_W + WIDTHS["kelengkapan"]
WAKTU_COLUMN = (WAKTU_LEFT * MM, (WAKTU_LEFT + WIDTHS["waktu"]) * MM)
HEAD = ("No.", "Kegiatan", "Pelaksana", "Mutu Baku", "Kelengkapan", "Waktu", "Output",
        "Keterangan")


def document(session, *, header: bool = True) -> sopdocument.SopDocument:
    """The SOP's document as a PJ Kinerja reads it, with the shipped header unless not."""
    if header:
        key, raw = sopmetadata.read_header_file(HEADER_FILE.read_bytes())
        sopmetadata.fill_header_if_empty(session, key, raw, T0)
    return sopdocument.build_document(session, user(session, "pj.dinkes"),
                                      latest_version(session, SOP_KEY).id)


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def flat(text: str) -> str:
    return " ".join(text.split())


def placed(page) -> list[tuple[str, float, float, float]]:
    """Each text the page shows: (text, x, y, font size), in drawing order."""
    found = []

    def visit(text, _cm, tm, _font, size):
        if text.strip():
            found.append((text.strip(), tm[4], tm[5], size))
    page.extract_text(visitor_text=visit)
    return found


def in_column(items, column) -> list[tuple[str, float]]:
    """The table's texts (not its head) that start in `column`, with their baseline."""
    return [(text, y) for text, x, y, size in items
            if column[0] <= x < column[1] and size == TEXT_PT and text not in HEAD]


def sheets_of(reader: PdfReader) -> list:
    return [page for page in reader.pages if "Lembar" in page.extract_text()]


# ---- the header ------------------------------------------------------------------------

def test_the_header_is_the_shipped_sops_in_the_sop_ap_order(session, now):
    text = flat(read(soppdf.render_document(document(session), now=now)).pages[0]
                .extract_text())
    assert "PEMERINTAH KABUPATEN PESISIR SELATAN" in text
    assert "Nomor SOP 602/09/SOP/PBJ-PS/III-2022" in text
    assert "Tanggal Pembuatan 7 Maret 2022" in text
    assert "Tanggal Revisi 14 Maret 2022 Tanggal Efektif 14 Maret 2022" in text
    assert "Disahkan oleh MAWARDI ROSKA, S.IP NIP. 19670907 198902 1 001" in text
    assert "Nama SOP SOP Pengelolaan Kinerja" in text
    labels = ["Nomor SOP", "Tanggal Pembuatan", "Disahkan oleh", "Nama SOP", "Dasar Hukum",
              "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan/Perlengkapan", "Peringatan",
              "Pencatatan dan Pendataan"]
    assert [text.index(label) for label in labels] == sorted(text.index(label) for label in labels)
    assert "1. Peraturan Presiden Nomor 18 Tahun 2018" in text
    assert "2. SOP Pengarsipan" in text
    assert "Apabila SOP ini tidak dibuat" in text
    assert "Belum diisi" not in text.split("Nama SOP")[1]  # only the empty Jabatan is


def test_an_unwritten_header_prints_belum_diisi_in_every_field(session, now):
    text = flat(read(soppdf.render_document(document(session, header=False), now=now))
                .pages[0].extract_text())
    # Kop, Nomor, three dates, Disahkan oleh, Nama SOP and the six fields below
    assert text.count("Belum diisi") == 13
    assert "NIP." not in text


def test_text_outside_latin_1_is_printed_readably(session, now):
    found = document(session)
    header = replace(found.header, title="SOP Kinerja \u2014 \u201cUji\u201d \u2192 Ta\u0301hap",
                     warning="Peringatan \u2264 5 hari \u2026")
    text = flat(read(soppdf.render_document(replace(found, header=header), now=now))
                .pages[0].extract_text())
    assert 'SOP Kinerja - "Uji" -> T\u00e1hap' in text
    assert "Peringatan <= 5 hari ..." in text


# ---- the flowchart ----------------------------------------------------------------------

def test_every_row_of_the_seed_is_there_with_its_lane_and_waktu(session, now):
    found = document(session)
    reader = read(soppdf.render_document(found, now=now))
    sheets = sheets_of(reader)
    numbers, waktu = [], {}
    for page in sheets:
        items = placed(page)
        rows = in_column(items, NO_COLUMN)  # the first is the head's "No."
        numbers += [no for no, _y in rows]
        at = {y: text for text, y in in_column(items, WAKTU_COLUMN)}
        waktu.update({no: at.get(y) for no, y in rows})
        text = flat(page.extract_text())
        assert all(word in text for word in HEAD), "the head is on every sheet"
        assert all(lane in text for lane in seed_lanes())
    assert numbers == [row.no for row in found.rows]
    assert [int(n) for n in numbers if n.isdigit()] == list(range(1, 18))
    for number, written in seed_rows().items():
        if written["waktu"]:  # "5 hari" in the seed
            assert waktu[str(number)] == f"{written['waktu'].split()[0]} hari kerja", number
        else:  # rows 2-5 share row 1's Mutu Baku cell, as the seed merges them
            assert waktu[str(number)] is None, number


def test_sheets_join_with_connectors_numbered_along_the_flow(session, now):
    found = document(session)
    reader = read(soppdf.render_document(found, now=now))
    sheets = sheets_of(reader)
    assert len(reader.pages) > 2 and len(sheets) > 1
    half = float(reader.pages[0].mediabox.height) / 2
    by_no = {row.no: row for row in found.rows}
    ins, outs, firsts, lasts = [], [], [], []
    for page in sheets:
        items = placed(page)
        marks = [(int(text), y) for text, _x, y, size in items if size == CONNECTOR_PT]
        ins.append([n for n, y in marks if y > half])
        outs.append([n for n, y in marks if y < half])
        rows = [no for no, _y in in_column(items, NO_COLUMN)]
        firsts.append(rows[0])
        lasts.append(rows[-1])
    assert ins[0] == [] and outs[-1] == []
    numbered = [n for out in outs for n in out]
    assert numbered == list(range(1, len(numbered) + 1)) and numbered
    for k in range(len(sheets) - 1):
        assert outs[k] == ins[k + 1], k
        flows = by_no[firsts[k + 1]].element_id in by_no[lasts[k]].target_ids
        assert bool(outs[k]) == flows, (lasts[k], firsts[k + 1])


def test_every_page_is_numbered(session, now):
    reader = read(soppdf.render_document(document(session), now=now))
    count = len(reader.pages)
    for n, page in enumerate(reader.pages, 1):
        assert f"Halaman {n} dari {count}" in page.extract_text()
    sheets = sheets_of(reader)
    for n, page in enumerate(sheets, 1):
        assert f"Lembar {n} dari {len(sheets)}" in page.extract_text()


def test_long_text_wraps_and_a_row_is_never_split(session, now):
    found = document(session)
    long_words = " ".join(f"kata{n:03d}" for n in range(260))
    rows = tuple(replace(row, keterangan=long_words) if row.no == "9" else row
                 for row in found.rows)
    reader = read(soppdf.render_document(replace(found, rows=rows), now=now))
    holding = [page for page in sheets_of(reader) if "kata000" in page.extract_text()]
    assert len(holding) == 1, "row 9 is on one sheet, whole"
    text = flat(holding[0].extract_text())
    assert all(f"kata{n:03d}" in text for n in range(260))
    lines = [line for line in holding[0].extract_text().splitlines() if "kata" in line]
    assert len(lines) > 20  # wrapped in its column, not one long line


def test_a_row_taller_than_a_sheet_is_set_smaller_not_split(session, now):
    found = document(session)
    pages_of_words = " ".join(f"langkah{n:04d}" for n in range(1500))
    rows = tuple(replace(row, kegiatan=pages_of_words) if row.no == "3" else row
                 for row in found.rows)
    reader = read(soppdf.render_document(replace(found, rows=rows), now=now))
    holding = [page for page in sheets_of(reader) if "langkah0000" in page.extract_text()]
    assert len(holding) == 1
    text = flat(holding[0].extract_text())
    assert "langkah0000" in text and "langkah1499" in text


def test_a_version_without_steps_says_so(session, now):
    found = document(session)
    reader = read(soppdf.render_document(replace(found, rows=()), now=now))
    assert len(reader.pages) == 2
    assert NO_ROWS in reader.pages[1].extract_text()


def test_an_unknown_version_has_no_document(session):
    with pytest.raises(NotFoundError) as refused:
        sopdocument.build_document_by_number(session, user(session, "pj.dinkes"), SOP_KEY,
                                             10**6)
    assert refused.value.code == "version_not_found"
    with pytest.raises(NotFoundError):
        sopdocument.build_document_by_number(session, user(session, "pj.dinkes"), "tidak_ada",
                                             1)
    number = latest_version(session, SOP_KEY).version
    assert sopdocument.build_document_by_number(session, user(session, "pj.dinkes"), SOP_KEY,
                                                number).version == number


# ---- for people to look at -------------------------------------------------------------

def test_page_one_as_png_for_the_ci_artefacts(session, now, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not on PATH: no PNG of page 1")
    source = tmp_path / "sop.pdf"
    source.write_bytes(soppdf.render_document(document(session), now=now))
    results = ROOT / "test-results"
    results.mkdir(exist_ok=True)
    target = results / "sop-document-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(target)], check=True, timeout=60)
    assert target.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
