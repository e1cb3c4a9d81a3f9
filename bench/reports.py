"""What the reporting side of Alur Kinerja costs, section by section.

Sections (run all, or name some: `python bench/reports.py import`):

- import: a realistic SIRUP export of N packages (default 20,000) spread over the OPDs,
  written as CSV (semicolons, Windows-1252, "Rp1.234.567,00" amounts, Indonesian dates, as
  Excel in Indonesia saves it) and as XLSX, each previewed and then imported through
  engine.services.packages (preview, then confirm re-reading the same bytes, one commit),
  then the CSV once more with one package in ten changed (the update path). Goal: preview +
  import of each file under 10 s.

A fresh database each run: SQLite by default, PostgreSQL when BENCH_DATABASE_URL is set
(its public schema is rebuilt). Add a section by writing a function that takes the
Context and returns its lines, and naming it in SECTIONS.
Usage: python bench/reports.py [SECTION ...] [--packages N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from scenarios import fresh_database, make_factory, seed
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import make_engine, unit_of_work
from engine.models import Opd, User
from engine.services import packages

N_OPDS = 40
N_PACKAGES = 20_000
GOAL_SECONDS = 10.0
HEADERS = ("Kode RUP", "Nama Paket", "Pagu", "Metode Pemilihan", "Jenis Pengadaan",
           "Satuan Kerja", "Tahun Anggaran", "Tanggal Awal Pemilihan", "Tanggal Akhir Pemilihan",
           "Status PDN", "Status UKM", "Sumber Dana")
METHODS = ("Tender", "Tender Cepat", "Seleksi", "Pengadaan Langsung", "Penunjukan Langsung",
           "E-Purchasing", "Dikecualikan")
KINDS = ("Barang", "Pekerjaan Konstruksi", "Jasa Konsultansi", "Jasa Lainnya")
WORKS = ("Pengadaan Alat Tulis Kantor", "Rehabilitasi Gedung", "Pembangunan Jalan Lingkungan",
         "Jasa Konsultansi Pengawasan", "Belanja Makan Minum Rapat", "Pemeliharaan Kendaraan",
         "Pengadaan Obat dan Bahan Medis Habis Pakai", "Penyusunan Dokumen Perencanaan")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
SOURCES = ("APBD", "APBD; DAK", "DAU", "BLUD", "APBN")


@dataclass
class Context:
    url: str
    factory: sessionmaker[Session]
    folder: Path
    n_packages: int
    backend: str


# ---- the file ---------------------------------------------------------------------------

def sirup_rows(opd_names: list[str], n: int, year: int, rng: random.Random) -> list[list]:
    """N packages as the site lists them: one row each, an OPD's name as its satuan kerja."""
    rows = []
    for i in range(n):
        start = date(year, 1, 6) + timedelta(days=rng.randrange(300))
        end = start + timedelta(days=rng.randrange(14, 60))
        rupiah = rng.randrange(5_000_000, 25_000_000_000, 1000)
        rows.append([
            str(40_000_000 + year * 100_000 + i),
            f"{rng.choice(WORKS)} {opd_names[i % len(opd_names)]} Paket {i + 1}",
            f"Rp{rupiah:,}".replace(",", ".") + ",00", rng.choice(METHODS), rng.choice(KINDS),
            opd_names[i % len(opd_names)], year,
            f"{start.day} {MONTHS[start.month - 1]} {start.year}", end.strftime("%d/%m/%Y"),
            rng.choice(("PDN", "Non PDN")), rng.choice(("UKM", "Non UKM")),
            rng.choice(SOURCES)])
    return rows


def csv_file(rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("cp1252")


def xlsx_file(rows: list[list]) -> bytes:
    """A workbook as Excel saves one: Kode RUP, pagu and year as number cells, text in a
    shared string table (openpyxl writes inline strings, which Excel never does: they are
    moved into xl/sharedStrings.xml here) and a <dimension> element."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Paket Penyedia"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([int(row[0]), row[1], _amount(row[2]), *row[3:6], int(row[6]), *row[7:]])
    out = io.BytesIO()
    book.save(out)
    return _shared_strings(out.getvalue())


def _amount(text: str) -> float:
    return float(text.removeprefix("Rp").replace(".", "").replace(",", "."))


INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t>(.*?)</t></is></c>')


def _shared_strings(data: bytes) -> bytes:
    """The same workbook with every inline string moved into a shared string table."""
    source = zipfile.ZipFile(io.BytesIO(data))
    table: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = table.setdefault(match[3], len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2] or b"", index)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = INLINE.sub(shared, content)
            elif item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.'
                                          b'xml" ContentType="application/vnd.openxmlformats-'
                                          b'officedocument.spreadsheetml.sharedStrings+xml"/>'
                                          b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type='
                                          b'"http://schemas.openxmlformats.org/officeDocument/'
                                          b'2006/relationships/sharedStrings" Target="shared'
                                          b'Strings.xml"/></Relationships>')
            target.writestr(item.filename, content)
        target.writestr("xl/sharedStrings.xml", _string_table(table))
    return out.getvalue()


def _string_table(table: dict[bytes, int]) -> bytes:
    items = b"".join(b"<si><t>%s</t></si>" % text for text in table)
    return (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="%d" uniqueCount="%d">%s</sst>' % (len(table), len(table), items))


# ---- the import section -----------------------------------------------------------------

def timed_import(ctx: Context, name: str, data: bytes) -> tuple[float, float, dict]:
    """(preview seconds, import seconds, counts), each in a transaction of its own."""
    with unit_of_work(ctx.factory) as session:
        tim = session.scalars(select(User).where(User.username == "tim1")).one()
        started = time.perf_counter()
        plan = packages.preview_import(session, tim, name, data, _now())
        previewed = time.perf_counter() - started
    with unit_of_work(ctx.factory) as session:
        tim = session.scalars(select(User).where(User.username == "tim1")).one()
        started = time.perf_counter()
        done = packages.confirm_import(session, tim, name, data, plan.sha256, _now())
        session.commit()
        imported = time.perf_counter() - started
    return previewed, imported, done.counts()


def _now():
    from scenarios import T0

    return T0


def section_import(ctx: Context) -> list[str]:
    with unit_of_work(ctx.factory) as session:
        names = list(session.scalars(select(Opd.name).order_by(Opd.id)))
    rng = random.Random(2026)
    rows_2026 = sirup_rows(names, ctx.n_packages, 2026, rng)
    files = {"paket-2026.csv": csv_file(rows_2026),
             "paket-2027.xlsx": xlsx_file(sirup_rows(names, ctx.n_packages, 2027, rng))}
    for row in rows_2026[::10]:  # one in ten changes its pagu: the update path
        row[2] = row[2].replace(",00", ",50")
    files["paket-2026-revisi.csv"] = csv_file(rows_2026)
    lines = [f"import of {ctx.n_packages:,} SIRUP packages over {len(names)} OPDs on "
             f"{ctx.backend} (goal: preview + import < {GOAL_SECONDS:.0f} s per file)"]
    for name, data in files.items():
        (ctx.folder / name).write_bytes(data)
        previewed, imported, counts = timed_import(ctx, name, data)
        total = previewed + imported
        verdict = "OK" if total < GOAL_SECONDS else "SLOW"
        lines.append(f"  {name:24s} {len(data) / 1e6:5.1f} MB  preview {previewed:5.2f} s  "
                     f"import {imported:5.2f} s  total {total:5.2f} s {verdict}  "
                     f"(added {counts['added']}, updated {counts['updated']}, "
                     f"unchanged {counts['unchanged']})")
    return lines


SECTIONS: dict[str, Callable[[Context], list[str]]] = {"import": section_import}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sections", nargs="*", metavar="SECTION",
                        help=f"one of: {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--packages", type=int, default=N_PACKAGES)
    args = parser.parse_args()
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    folder = Path(tempfile.mkdtemp(prefix="alur-bench-reports-"))
    os.environ.setdefault("ALUR_SIGNING_KEY_FILE", str(folder / "signing-key.pem"))
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "reports")
    engine = make_engine(url)
    factory = make_factory(engine)
    seed(factory, N_OPDS)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    ctx = Context(url, factory, folder, args.packages, backend)
    for name in args.sections or SECTIONS:
        print("\n".join(SECTIONS[name](ctx)))
    engine.dispose()


if __name__ == "__main__":
    main()
