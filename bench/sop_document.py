"""What the SOP document's PDF costs ("Unduh PDF", and the API's ?format=pdf).

On a fresh database (SQLite by default; PostgreSQL when BENCH_DATABASE_URL, ALUR_BENCH_PG
or TEST_DATABASE_URL is set: its public schema is rebuilt) with the demo people, the SOP
deployed and its shipped header (bpmn/sop-pengelolaan-kinerja.sop.json), prints:

- build: the time to build the document data of the SOP's version
  (engine.services.sopdocument.build_document, a read-only transaction each time): the
  first call (cold caches) and the median of the next ones;
- render: the median time to render that document to PDF (engine.services.soppdf), with
  its size and page count;
- both: the median of build + render in one go, what a download waits for. Goal < 1 s.

Usage: python bench/sop_document.py [--runs N]
"""

from __future__ import annotations

import argparse
import io
import os
import time

from pypdf import PdfReader
from scenarios import ROOT, SOP_KEY, T0, fresh_database, make_factory, median_ms, seed
from sqlalchemy import select

from engine.db import make_engine, read_only, unit_of_work
from engine.models import User
from engine.services import sopdocument, sopmetadata, soppdf
from engine.services.deployments import latest_version

RUNS = 7
GOAL_MS = 1000.0
HEADER_FILE = ROOT / "bpmn" / "sop-pengelolaan-kinerja.sop.json"
READER = "pj.dinkes"  # everyone signed in reads it; a PJ Kinerja is the widest audience


def database_url() -> str | None:
    for name in ("BENCH_DATABASE_URL", "ALUR_BENCH_PG", "TEST_DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return None


def prepare(factory) -> int:
    """The shipped header on the SOP; the id of its latest version."""
    with unit_of_work(factory) as session:
        key, raw = sopmetadata.read_header_file(HEADER_FILE.read_bytes())
        sopmetadata.fill_header_if_empty(session, key, raw, T0)
        version_id = latest_version(session, SOP_KEY).id
        session.commit()
    return version_id


def build(factory, version_id: int) -> tuple[float, sopdocument.SopDocument]:
    started = time.perf_counter()
    with read_only(factory) as session:
        reader = session.scalars(select(User).where(User.username == READER)).one()
        document = sopdocument.build_document(session, reader, version_id)
    return time.perf_counter() - started, document


def render(document: sopdocument.SopDocument) -> tuple[float, bytes]:
    started = time.perf_counter()
    data = soppdf.render_document(document, now=T0)
    return time.perf_counter() - started, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    runs = max(parser.parse_args().runs, 1)
    url = fresh_database(database_url(), "sopdoc")
    engine = make_engine(url)
    factory = make_factory(engine)
    seed(factory, 0)
    version_id = prepare(factory)
    cold, document = build(factory, version_id)
    builds = [build(factory, version_id)[0] for _ in range(runs)]
    render(document)  # warm-up: fpdf2's font metrics
    renders, data = [], b""
    for _ in range(runs):
        seconds, data = render(document)
        renders.append(seconds)
    both = [sum(pair) for pair in zip(builds, renders, strict=True)]
    pages = len(PdfReader(io.BytesIO(data)).pages)
    total = median_ms(both)
    print(f"database: {engine.dialect.name}; {len(document.rows)} rows, "
          f"{len(document.lanes)} lanes; median of {runs} runs")
    print(f"build:  first {cold * 1000:.1f} ms, then {median_ms(builds):.1f} ms")
    print(f"render: {median_ms(renders):.1f} ms ({len(data) / 1024:.1f} KB, {pages} pages)")
    print(f"both:   {total:.1f} ms (goal < {GOAL_MS:.0f} ms: "
          f"{'met' if total < GOAL_MS else 'MISSED'})")
    engine.dispose()


if __name__ == "__main__":
    main()
