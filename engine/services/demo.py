"""Demo data for `make run`: OPDs, people in every role, and the indicator catalogue.

Idempotent: running it again adds only what is missing. The demo password is for a
local trial only; production accounts are created by an admin.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Indicator, Opd, User
from engine.services.users import create_user

DEMO_PASSWORD = "demo12345"

DEMO_OPDS = (
    ("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan"),
    ("DINKES", "Dinas Kesehatan"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DISHUB", "Dinas Perhubungan"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("BPKD", "Badan Pengelolaan Keuangan Daerah"),
    ("RSUD", "RSUD Dr. Muhammad Zein Painan"),
    ("DKP", "Dinas Kelautan dan Perikanan"),
)

DEMO_USERS = (
    ("kepala", "Hendri Saputra, S.T., M.M.", ["kepala_ukpbj"], None, "197804122005011003"),
    ("tim1", "Rina Marlina, S.E.", ["tim_kelembagaan"], None, "198503152010012002"),
    ("tim2", "Fajar Ramadhan, S.Kom.", ["tim_kelembagaan"], None, "199001202015031001"),
    ("pj.disdikbud", "Yulia Fitri, S.Pd.", ["pj_kinerja"], "DISDIKBUD", None),
    ("pj.dinkes", "dr. Andi Pratama", ["pj_kinerja"], "DINKES", None),
    ("pj.dpupr", "Ir. Syafrizal", ["pj_kinerja"], "DPUPR", None),
    ("pj.dishub", "Dedi Kurniawan, S.T.", ["pj_kinerja"], "DISHUB", None),
    ("admin", "Administrator Sistem", ["admin"], None, None),
    ("auditor", "Inspektorat Daerah", ["auditor"], None, None),
    ("pemilik", "Siti Nurhaliza, S.Kom.", ["pemilik_proses"], None, "198811082014022001"),
)

# code, name, strategic area, unit, formula, polarity, frequency (domain.md)
DEMO_INDICATORS = (
    (
        "IKU-01",
        "Persentase efisiensi pengadaan",
        "Efisiensi",
        "%",
        "(Σ pagu − Σ nilai kontrak) ÷ Σ pagu × 100",
        "maksimal",
        "triwulanan",
    ),
    (
        "IKU-02",
        "Persentase paket tender gagal/diulang",
        "Efektivitas",
        "%",
        "paket gagal ÷ paket diumumkan × 100",
        "minimal",
        "triwulanan",
    ),
    (
        "IKU-03",
        "Rata-rata waktu proses pemilihan",
        "Efektivitas",
        "HK",
        "rata-rata hari kerja dari pengumuman sampai penetapan pemenang",
        "minimal",
        "bulanan",
    ),
    (
        "IKU-04",
        "Persentase pemilihan tepat waktu",
        "Efektivitas",
        "%",
        "paket selesai sesuai rencana ÷ total paket × 100",
        "maksimal",
        "triwulanan",
    ),
    (
        "IKU-05",
        "Persentase nilai PDN",
        "Kebijakan",
        "%",
        "Σ nilai PDN ÷ Σ nilai kontrak × 100 (target 95%)",
        "maksimal",
        "triwulanan",
    ),
    (
        "IKU-06",
        "Persentase nilai UMK/Koperasi",
        "Kebijakan",
        "%",
        "Σ nilai UMK ÷ Σ nilai kontrak × 100",
        "maksimal",
        "triwulanan",
    ),
    (
        "IKU-07",
        "Persentase e-purchasing",
        "Kebijakan",
        "%",
        "nilai e-purchasing ÷ pagu RUP e-purchasing × 100",
        "maksimal",
        "triwulanan",
    ),
    (
        "IKU-08",
        "Persentase RUP terumumkan",
        "Transparansi",
        "%",
        "pagu terumumkan ÷ belanja pengadaan × 100",
        "maksimal",
        "bulanan",
    ),
    (
        "IKU-09",
        "Indeks kepuasan pengguna layanan",
        "Layanan",
        "indeks",
        "indeks survei 25-100",
        "maksimal",
        "semesteran",
    ),
    (
        "IKU-10",
        "Tingkat kematangan UKPBJ",
        "Kelembagaan",
        "level",
        "level 1-5 (Inisiasi, Esensi, Proaktif, Strategis, Unggul)",
        "maksimal",
        "tahunan",
    ),
)


def seed_opds(session: Session) -> dict[str, Opd]:
    existing = {o.code: o for o in session.scalars(select(Opd))}
    for code, name in DEMO_OPDS:
        if code not in existing:
            existing[code] = Opd(code=code, name=name)
            session.add(existing[code])
    session.flush()
    return existing


def seed_users(session: Session, opds: dict[str, Opd], password: str = DEMO_PASSWORD) -> int:
    known = set(session.scalars(select(User.username)))
    added = 0
    for username, full_name, roles, opd_code, nip in DEMO_USERS:
        if username in known:
            continue
        opd_id = opds[opd_code].id if opd_code else None
        create_user(session, username, full_name, password, roles, opd_id=opd_id, nip=nip)
        added += 1
    return added


def seed_indicators(session: Session) -> int:
    known = set(session.scalars(select(Indicator.code)))
    rows = [
        Indicator(code=c, name=n, strategic_area=a, unit=u, formula=f, polarity=p, frequency=q)
        for c, n, a, u, f, p, q in DEMO_INDICATORS
        if c not in known
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def seed_demo(session: Session, now: datetime) -> dict[str, int]:
    opds = seed_opds(session)
    return {
        "opds": len(opds),
        "users": seed_users(session, opds),
        "indicators": seed_indicators(session),
    }
