"""Helpers shared by the tests: deploying the shipped SOP and driving it step by step."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import HumanTask, User
from engine.models.tasks import TASK_OPEN
from engine.services import deployments

ROOT = Path(__file__).resolve().parent.parent
SOP_BPMN = ROOT / "bpmn" / "sop-pengelolaan-kinerja.bpmn"
SOP_KEY = "sop_pengelolaan_kinerja"


def deploy_sop(session: Session, now: datetime):
    forms = deployments.load_forms_dir(ROOT / "forms")
    lanes = deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml")
    return deployments.deploy_diagram(
        session,
        SOP_BPMN.read_bytes(),
        filename=SOP_BPMN.name,
        forms=forms,
        lane_roles=lanes,
        now=now,
    ).version


def user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def open_tasks(
    session: Session, instance_id: int, element_id: str | None = None
) -> list[HumanTask]:
    query = select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == TASK_OPEN
    )
    if element_id:
        query = query.where(HumanTask.element_id == element_id)
    return list(session.scalars(query.order_by(HumanTask.id)))


ANSWERS: dict[str, dict] = {
    "mulai-pelaksanaan": {"tahun_anggaran": 2026, "judul": "Pengelolaan Kinerja UKPBJ"},
    "perencanaan-tujuan": {
        "tujuan_pbj": "Pengadaan yang efisien, transparan dan tepat waktu",
        "area_strategis": [
            {"kode": "AS1", "nama": "Efisiensi"},
            {"kode": "AS2", "nama": "Kebijakan"},
        ],
        "usulan_paket": None,
    },
    "perencanaan-indikator": {
        "indikator": [
            {
                "kode": "IKU-01",
                "nama": "Persentase efisiensi pengadaan",
                "area_strategis": "AS1",
                "satuan": "%",
                "formula": "(pagu - kontrak) / pagu x 100",
                "polaritas": "maksimal",
                "frekuensi": "triwulanan",
                "sumber_data": "SPSE",
            },
            {
                "kode": "IKU-02",
                "nama": "Persentase paket tender gagal",
                "area_strategis": "AS1",
                "satuan": "%",
                "formula": "gagal / diumumkan x 100",
                "polaritas": "minimal",
                "frekuensi": "triwulanan",
                "sumber_data": "SPSE",
            },
        ]
    },
    "perencanaan-target": {
        "target": [
            {
                "kode_indikator": "IKU-01",
                "kondisi_awal": 8,
                "tahun_kondisi_awal": 2025,
                "target": 10,
            },
            {
                "kode_indikator": "IKU-02",
                "kondisi_awal": 12,
                "tahun_kondisi_awal": 2025,
                "target": 5,
            },
        ],
        "template_data_kinerja": None,
    },
    "perencanaan-rencana-aksi": {
        "rencana_aksi": [
            {
                "kode_indikator": "IKU-01",
                "aksi": "Reviu HPS",
                "jadwal": "Triwulan I",
                "penanggung_jawab": "Tim",
            },
        ]
    },
    "perencanaan-presentasi": {
        "ringkasan_presentasi": "Rencana kinerja 2026",
        "usulan_surat_edaran": "Draf SE implementasi",
    },
    "persetujuan-rencana": {"keputusan_rencana": "setujui", "catatan_perbaikan": None},
    "surat-edaran": {
        "nomor_surat_edaran": "027/01/UKPBJ/2026",
        "tanggal_surat_edaran": "2026-01-12",
        "opd_peserta": ["DISDIKBUD", "DINKES", "DPUPR"],
    },
    "undangan-sosialisasi": {
        "nomor_undangan": "005/02/UKPBJ/2026",
        "tanggal_sosialisasi": "2026-01-15",
        "tempat_sosialisasi": "Aula Kantor Bupati",
        "daftar_undangan": None,
    },
    "laporan-sosialisasi": {
        "ringkasan_sosialisasi": "Sosialisasi terlaksana",
        "jumlah_peserta": 12,
        "frekuensi_pelaporan": "bulanan",
        "akhir_periode": "2026-01-31",
    },
    "pemetaan-paket": {
        "pemetaan": {
            "paket": [
                {
                    "kode_rup": "41234567",
                    "nama_paket": "Rehabilitasi gedung",
                    "pagu": 1500000000,
                    "metode_pemilihan": "tender",
                    "area_strategis": "AS1",
                    "kode_indikator": "IKU-01",
                },
            ],
            "rencana_aksi_opd": "Percepatan tender",
        }
    },
    "pelaksanaan-rencana-aksi": {"progres": "Tender diumumkan", "kendala": None},
    "laporan-realisasi": {
        "laporan": {
            "realisasi": [
                {
                    "kode_indikator": "IKU-01",
                    "nilai": 9.5,
                    "kode_rup": "41234567",
                    "keterangan": None,
                },
                {"kode_indikator": "IKU-02", "nilai": 4, "kode_rup": None, "keterangan": None},
            ],
            "ringkasan": "Sesuai rencana",
        }
    },
    "pengolahan-data": {"ringkasan_capaian": "Capaian baik", "kompilasi_rencana_aksi": None},
    "analisis-rekomendasi": {
        "metode_analisis": "Analisis kesenjangan",
        "analisis": "Efisiensi di bawah target",
        "rekomendasi": [{"kode_indikator": "IKU-01", "rekomendasi": "Perkuat reviu HPS"}],
    },
    "laporan-kinerja": {
        "jenis_laporan": "bulanan",
        "judul_laporan": "Laporan Januari",
        "isi_laporan": "Isi laporan",
    },
    "presentasi-laporan": {
        "tanggal_presentasi": "2026-02-10",
        "audiens": ["tim_internal"],
        "materi_presentasi": None,
    },
    "keputusan-periode": {
        "keputusan_periode": "b",
        "catatan_rapat": None,
        "rekomendasi_disetujui": None,
        "akhir_periode": "2026-02-28",
    },
    "pembaruan-rencana-aksi": {
        "rencana_aksi": [
            {
                "kode_indikator": "IKU-01",
                "aksi": "Reviu HPS",
                "jadwal": "Triwulan I",
                "penanggung_jawab": "Tim",
            },
            {
                "kode_indikator": "IKU-01",
                "aksi": "Perkuat reviu HPS",
                "jadwal": "Triwulan II",
                "penanggung_jawab": "Tim",
            },
        ]
    },
    "laporan-akhir": {
        "status_indikator": [
            {"kode_indikator": "IKU-01", "status": "tercapai", "capaian_akhir": 102.5},
        ],
        "kesimpulan": "Indikator tercapai",
    },
}

USER_FOR_ROLE = {"tim_kelembagaan": "tim1", "kepala_ukpbj": "kepala"}
PJ_FOR_OPD = {
    "DISDIKBUD": "pj.disdikbud",
    "DINKES": "pj.dinkes",
    "DPUPR": "pj.dpupr",
    "DISHUB": "pj.dishub",
}


def actor_for(session: Session, task: HumanTask) -> User:
    if task.role == "pj_kinerja":
        return user(session, PJ_FOR_OPD[task.opd.code])
    return user(session, USER_FOR_ROLE[task.role])


def answers(form_key: str, **overrides) -> dict:
    import copy

    data = copy.deepcopy(ANSWERS[form_key])
    data.update(overrides)
    return data


def complete_all(
    session: Session, instance_id: int, element_id: str, now: datetime, **overrides
) -> list[HumanTask]:
    """Complete every open task of `element_id` with the sample answers, as its own people."""
    from engine.services import tasks as task_service

    done = []
    pending = open_tasks(session, instance_id, element_id)
    assert pending, f"no open task {element_id}"
    for task in pending:
        actor = actor_for(session, task)
        done.append(
            task_service.complete_task(
                session, actor, task.id, answers(task.form_key, **overrides), now
            )
        )
    return done


# Rows 1-9 in order: planning (1-5), approval (6), circular (7), invitation (8), socialisation (9).
PLANNING = tuple(f"Task_{row:02d}" for row in range(1, 10))


def run_planning(session: Session, instance_id: int, now: datetime) -> None:
    """Rows 1-9 approved on the first pass, up to the OPDs' row 10."""
    for element_id in PLANNING:
        complete_all(session, instance_id, element_id, now)
