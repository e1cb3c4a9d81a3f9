"""How the period report's files write numbers, dates and states: in Bahasa Indonesia, as
the pages do in the Indonesian locale (webapp.filters, webapp.i18n), so a figure reads the
same on the page, in the PDF and in the spreadsheet's text ("6,25", "1.000.000.000",
"62,50%", "31 Maret 2026", "19850315 201001 1 002").

The files are records of the unit (like the audit summary, engine.services.bundlepdf):
Indonesian whatever the reader's locale.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from engine.services.bundlepdf import local_day

LOCALE = "id"
NONE = "-"
KABUPATEN = "Pemerintah Kabupaten Pesisir Selatan"
SEKRETARIAT = "Sekretariat Daerah"
BAGIAN = "Bagian Pengadaan Barang dan Jasa (UKPBJ)"
ADDRESS = "Jl. H. Agus Salim No. 1 Painan, Telp. (0756) 21000 - 21313"
PLACE = "Painan"
TITLE = "Laporan Pencapaian Kinerja"

BAND_WORDS = {
    "baik": "Baik", "cukup": "Cukup", "kurang": "Kurang",
    "tidak_dapat_dihitung": "Tidak dapat dihitung", "belum_ada_laporan": "Belum ada laporan",
    "tanpa_target": "Tanpa target", "kontribusi": "Kontribusi",
}
SUBMISSION_WORDS = {"tepat_waktu": "Tepat waktu", "terlambat": "Terlambat",
                    "belum_melapor": "Belum melapor", "belum_dibuka": "Belum dibuka"}
POLARITY_WORDS = {"maksimal": "Maksimal", "minimal": "Minimal", "stabil": "Stabil"}
TREND_WORDS = {"naik": "Naik", "turun": "Turun", "tetap": "Tetap"}
DECISION_WORDS = {
    "a": "(a) Menyetujui rekomendasi perbaikan untuk dieksekusi",
    "b": "(b) Melanjutkan proses tanpa adanya upaya perbaikan",
    "c": "(c) Menetapkan indikator kinerja telah tercapai atau waktunya telah terlampaui",
}
BANDS_NOTE = "Kategori capaian: Baik >= 100%; Cukup 85% s.d. < 100%; Kurang < 85%."


def number_text(value) -> str:
    """'1.234.567,89'; '10' for a whole number (as the pages' `number` filter)."""
    return NONE if value is None else format_decimal(value, locale=LOCALE)


def percent_text(value) -> str:
    """'85,75%' (as the pages' `percent` filter)."""
    return NONE if value is None else format_decimal(value, format="#,##0.00",
                                                     locale=LOCALE) + "%"


def day_text(value: date | None) -> str:
    return NONE if value is None else local_day(value)


def moment_text(value: datetime | None, zone: ZoneInfo) -> str:
    """'3 Juli 2026 11.00 WIB'."""
    if value is None:
        return NONE
    local = value.astimezone(zone)
    return f"{local_day(local.date())} {local:%H.%M} {local.tzname()}"


def achievement_text(achievement, band: str) -> str:
    """'62,50% (Kurang)', or the band's words alone when there is no percentage."""
    words = BAND_WORDS.get(band, band)
    return words if achievement is None else f"{percent_text(achievement)} ({words})"


def period_text(report) -> str:
    """'Periode 1 dari 3: Triwulan I 2026 (1 Januari 2026 - 31 Maret 2026)'."""
    period = report.period
    days = ""
    if period.start and period.end:
        days = f" ({day_text(period.start)} - {day_text(period.end)})"
    return (f"Periode {period.number} dari {period.count}: {period.label} "
            f"{report.run.year}{days}")


def submission_text(submission) -> str:
    """'Tepat waktu', 'Terlambat 2 HK', 'Belum melapor, terlambat 3 HK'."""
    words = SUBMISSION_WORDS.get(submission.state, submission.state)
    if not submission.days_late:
        return words
    if submission.state == "belum_melapor":
        return f"{words}, terlambat {submission.days_late} HK"
    return f"{words} {submission.days_late} HK"
