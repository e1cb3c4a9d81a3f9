"""The PDF summary of an audit bundle (ringkasan.pdf), in Bahasa Indonesia.

What an auditor prints or files with the bundle: the run and its proof (last hash, key id,
the server's own verification at export), the path it took step by step (who, when opened
and completed, the working days it took against the step's Waktu, on time or how late),
each OPD's work on the multi-instance rows, and every document with its SHA-256.

Durations and lateness come from engine.services.durations.pass_timing, the one definition
every audit view uses, over the human-task rows (one row per pass of a step). fpdf2 is used
because it needs no system packages; its core fonts are Latin-1, so every text goes through
`pdf_text` (typographic quotes, dashes and arrows become ASCII; what Latin-1 cannot hold is
spelled without its accents, else replaced). The document is Indonesian whatever the
reader's locale: it is a record, not a page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.events import EventType
from engine.models import Document, Event, HumanTask, ProcessInstance, User
from engine.models.instances import STATUS_COMPLETED
from engine.models.tasks import TASK_CANCELLED
from engine.services import versions
from engine.services.deadlines import WorkingCalendar
from engine.services.durations import pass_timing

KABUPATEN = "Kabupaten Pesisir Selatan"
UNIT = "Bagian Pengadaan Barang dan Jasa (UKPBJ), Sekretariat Daerah"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
ASCII_FOR = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u21d2": "=>",
    "\u2026": "...", "\u2022": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u00d7": "x",
}
PROBLEMS = {
    "link_broken": "tautan rantai putus",
    "hash_mismatch": "isi peristiwa diubah",
    "events_missing": "peristiwa hilang",
    "events_extra": "peristiwa berlebih",
    "head_mismatch": "kepala rantai tidak cocok dengan rantai",
    "head_unsigned": "kepala rantai tidak bertanda tangan",
    "head_signature_invalid": "tanda tangan kepala rantai tidak sah",
    "checkpoint_mismatch": "rantai tidak cocok dengan titik periksa",
    "checkpoint_invalid": "titik periksa tidak sah",
    "document_changed": "dokumen diubah",
    "document_missing": "dokumen hilang",
}
STATUS = {"running": "Berjalan", STATUS_COMPLETED: "Selesai"}


@dataclass(frozen=True)
class Pass:
    """One pass of one step (a human-task row), as the summary shows it."""

    step: str
    name: str
    who: str
    opd: str
    period_no: int
    opened: str
    ended: str
    timing: str  # "3 / 5"  (durasi / Waktu, HK)
    verdict: str  # Tepat waktu, Terlambat n HK, Berjalan, Dibatalkan
    late: bool


@dataclass(frozen=True)
class Header:
    registration_no: str
    title: str
    definition: str
    periods: str
    status: str
    started: str
    created_at: str
    key_id: str
    last_hash: str
    verification: str


# ---- text ----------------------------------------------------------------------------------

def pdf_text(value: object) -> str:
    """Text the core fonts can draw (Latin-1), readable: see the module's docstring."""
    text = "".join(ASCII_FOR.get(char, char) for char in str(value if value is not None else ""))
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char if char.isprintable() or char == "\n" else " ")
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or "?")
    return "".join(out)


def local_when(moment: datetime | None, calendar: WorkingCalendar) -> str:
    """"5 Januari 2026 09.00 WIB"; "-" when there is none."""
    if moment is None:
        return "-"
    local = moment.astimezone(calendar.zone)
    return f"{local_day(local.date())} {local:%H.%M} {local.tzname()}"


def local_day(day: date | None) -> str:
    if day is None:
        return "-"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def verification_text(verdict) -> str:
    """The server's own check at export, in words (engine.services.verification.Verdict)."""
    if verdict.ok:
        return (f"Terverifikasi: {verdict.events_checked} peristiwa, tanda tangan sah, "
                f"{verdict.checkpoints_checked} titik periksa, "
                f"{verdict.documents_checked} dokumen")
    problem = PROBLEMS.get(verdict.problem or "", verdict.problem or "tidak cocok")
    where = f" pada peristiwa #{verdict.broken_seq}" if verdict.broken_seq else ""
    return f"TIDAK TERVERIFIKASI: {problem}{where}"


# ---- the rows ------------------------------------------------------------------------------

def list_passes(session: Session, instance: ProcessInstance, calendar: WorkingCalendar,
                now: datetime, *, last_seq: int) -> list[Pass]:
    """Every pass of every step, in the order the steps were opened."""
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                           .order_by(HumanTask.created_at, HumanTask.id)).all()
    cancelled = _cancel_times(session, instance.id, last_seq)
    activities = versions.content_of(session, instance.version).activities
    names = _user_names(session, rows)
    return [_pass_of(task, activities.get(task.element_id) or {}, names, calendar, now,
                     cancelled.get(task.id)) for task in rows]


def _cancel_times(session: Session, instance_id: int, last_seq: int) -> dict[int, datetime]:
    """A cancelled task's row has no end time: its task_cancelled event has."""
    rows = session.execute(select(Event.task_id, Event.occurred_at).where(
        Event.instance_id == instance_id, Event.seq <= last_seq,
        Event.type == EventType.TASK_CANCELLED.value))
    return {task_id: moment for task_id, moment in rows if task_id is not None}


def _user_names(session: Session, rows: list[HumanTask]) -> dict[int, str]:
    ids = {i for task in rows for i in (task.completed_by_id, task.claimed_by_id) if i}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def _pass_of(task: HumanTask, activity: dict, names: dict[int, str],
             calendar: WorkingCalendar, now: datetime, cancelled_at: datetime | None) -> Pass:
    cancelled = task.state == TASK_CANCELLED
    ended_at = task.completed_at or (cancelled_at if cancelled else None)
    timing = pass_timing(calendar, task.created_at, ended_at,
                         None if cancelled else task.due_on, now)
    waktu = activity.get("waktu_hari_kerja")
    who = names.get(task.completed_by_id or task.claimed_by_id or 0) or task.lane or "-"
    return Pass(
        step=task.sop_step or "-", name=task.name, who=who,
        opd=(task.opd.name if task.opd is not None else ""), period_no=task.period_no,
        opened=local_when(task.created_at, calendar), ended=local_when(ended_at, calendar),
        timing=f"{timing.days} / {waktu if waktu is not None else '-'}",
        verdict=_verdict(timing, cancelled, ended_at is None), late=timing.late)


def _verdict(timing, cancelled: bool, still_open: bool) -> str:
    if cancelled:
        return "Dibatalkan"
    if timing.late:
        return f"Terlambat {timing.days_late} HK"
    return "Berjalan" if still_open else "Tepat waktu"


def periods_text(session: Session, instance_id: int, last_seq: int) -> str:
    """"1 (s.d. 27 Februari 2026), 2 (s.d. 31 Maret 2026)", or "-" before the first."""
    rows = session.scalars(select(Event.payload).where(
        Event.instance_id == instance_id, Event.seq <= last_seq,
        Event.type == EventType.PERIOD_STARTED.value).order_by(Event.seq)).all()
    parts = [f"{p.get('period_no')} (s.d. {_iso_day(p.get('akhir_periode'))})" for p in rows]
    return ", ".join(parts) or "-"


def _iso_day(value: object) -> str:
    try:
        return local_day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value) if value else "-"


# ---- the document --------------------------------------------------------------------------

class SummaryPdf(FPDF):
    """A4 portrait with a running title and "Halaman n dari m" on every page."""

    def __init__(self, running_title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = pdf_text(running_title)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(12, 14, 12)

    def header(self):
        self.set_font("Helvetica", "", 7)
        self.set_text_color(90)
        self.cell(0, 4, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(2)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 5, f"Halaman {self.page_no()} dari {{nb}}", align="C")


def render_summary(header: Header, passes: list[Pass], documents: list[dict],
                   *, now: datetime, compress: bool = True) -> bytes:
    """The PDF's bytes; `compress=False` leaves the page text readable for tests."""
    pdf = SummaryPdf(f"Ringkasan audit {header.registration_no} - {header.title}")
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(f"Ringkasan audit {header.registration_no}: {header.title}"))
    pdf.set_author(pdf_text(f"Alur Kinerja, {UNIT}, {KABUPATEN}"))
    pdf.set_creation_date(now)
    pdf.add_page()
    _write_header(pdf, header)
    shared = [p for p in passes if not p.opd]
    per_opd = [p for p in passes if p.opd]
    _section(pdf, "Jalur yang dilalui")
    _path_table(pdf, shared)
    if per_opd:
        _section(pdf, "Pekerjaan per OPD (langkah 10-12)")
        _opd_table(pdf, per_opd)
    _section(pdf, "Dokumen (bukti dukung)")
    _documents_table(pdf, documents)
    return bytes(pdf.output())


def _write_header(pdf: FPDF, header: Header) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 6, pdf_text(f"{KABUPATEN}\n{UNIT}"), new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, pdf_text(f"Ringkasan Jejak Audit Pelaksanaan: {header.title}"),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    lines = (
        ("Nomor registrasi", header.registration_no),
        ("Alur kerja (SOP)", header.definition),
        ("Periode", header.periods),
        ("Status", header.status),
        ("Dimulai", header.started),
        ("Bundel dibuat", header.created_at),
        ("Kunci (key id)", header.key_id),
        ("Hash terakhir", header.last_hash),
        ("Hasil verifikasi", header.verification),
    )
    for label, value in lines:
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(34, 5, pdf_text(label))
        pdf.set_font("Helvetica", "", 8.5)
        pdf.multi_cell(0, 5, pdf_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10.5)
    pdf.cell(0, 7, pdf_text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 7.5)


def _table(pdf: FPDF, widths: tuple, headings: tuple, rows: list[tuple]) -> None:
    if not rows:
        pdf.cell(0, 5, "Tidak ada.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=3.6,
                   padding=0.8) as table:
        for values in (headings, *rows):
            row = table.row()
            for value in values:
                row.cell(pdf_text(value))


def _path_table(pdf: FPDF, passes: list[Pass]) -> None:
    headings = ("Langkah", "Kegiatan", "Pelaksana", "Dibuka", "Selesai",
                "Durasi / Waktu (HK)", "Ketepatan")
    rows = [(p.step, p.name, p.who, p.opened, p.ended, p.timing, p.verdict) for p in passes]
    _table(pdf, (14, 50, 32, 24, 24, 20, 26), headings, rows)


def _opd_table(pdf: FPDF, passes: list[Pass]) -> None:
    headings = ("Langkah", "OPD", "Periode", "Pelaksana", "Dibuka", "Selesai",
                "Durasi / Waktu (HK)", "Ketepatan")
    ordered = sorted(passes, key=lambda p: (p.period_no, _step_key(p.step), p.opd))
    rows = [(p.step, p.opd, p.period_no or "-", p.who, p.opened, p.ended, p.timing, p.verdict)
            for p in ordered]
    _table(pdf, (14, 40, 12, 28, 24, 24, 20, 28), headings, rows)


def _step_key(step: str) -> tuple:
    digits = "".join(ch for ch in step if ch.isdigit())
    return (int(digits) if digits else 0, step)


def _documents_table(pdf: FPDF, documents: list[dict]) -> None:
    """One row per document, its SHA-256 on a full-width row of its own (monospace)."""
    if not documents:
        pdf.cell(0, 5, "Tidak ada.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    digest_style = FontFace(family="Courier", size_pt=7)
    with pdf.table(col_widths=(8, 80, 14, 40, 28, 20), text_align="LEFT", line_height=3.6,
                   padding=0.8) as table:
        heading = table.row()
        for text in ("No", "Berkas", "Langkah", "Diunggah oleh", "Tanggal", "Ukuran"):
            heading.cell(text)
        for number, item in enumerate(documents, start=1):
            row = table.row()
            for value in (number, item["filename"], item["step"], item["uploaded_by"],
                          item["uploaded_at"], f"{item['size']:,} bita".replace(",", ".")):
                row.cell(pdf_text(value))
            row = table.row()
            row.cell("")
            row.cell(f"SHA-256: {item['sha256']}", colspan=5, style=digest_style)


# ---- assembling it -------------------------------------------------------------------------

def summary_pdf(session: Session, instance: ProcessInstance, now: datetime, *,
                last_seq: int, last_hash: str | None, key_id: str, verdict,
                documents: list[Document], compress: bool = True) -> bytes:
    """The summary of one run as the bundle holds it (events up to `last_seq`)."""
    calendar = WorkingCalendar.load(session, now, since=instance.started_at.date())
    passes = list_passes(session, instance, calendar, now, last_seq=last_seq)
    version = instance.version
    header = Header(
        registration_no=instance.registration_no, title=instance.title,
        definition=f"{version.definition.name} ({version.definition.key}), versi "
                   f"{version.version}",
        periods=periods_text(session, instance.id, last_seq),
        status=STATUS.get(instance.status, instance.status),
        started=local_when(instance.started_at, calendar)
        + (f", selesai {local_when(instance.ended_at, calendar)}" if instance.ended_at else ""),
        created_at=local_when(now, calendar), key_id=key_id or "-",
        last_hash=last_hash or "-", verification=verification_text(verdict))
    steps = {task.id: task.sop_step for task in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id))}
    listed = [{"filename": d.filename, "sha256": d.sha256, "size": d.size,
               "step": steps.get(d.task_id) or "-", "uploaded_by": d.uploaded_by.full_name,
               "uploaded_at": local_when(d.uploaded_at, calendar)} for d in documents]
    return render_summary(header, passes, listed, now=now, compress=compress)
