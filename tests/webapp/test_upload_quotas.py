"""Upload quotas on the task page: a refused upload says which limit it met, in Bahasa
Indonesia, with a 413, and stores nothing (no row, no event, no file)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from tests.webapp.inbox_support import (
    open_task_id,
    post_form,
    snapshot,
    squash,
    start_run,
    text_of,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def set_quota(web_app, **values) -> None:
    runtime = web_app.extensions["alur"].runtime
    runtime.settings = dataclasses.replace(runtime.settings, **values)


def upload(client, task_id: int, name: str, body: bytes):
    return post_form(client, f"/tasks/{task_id}/documents", {"file": (io.BytesIO(body), name)},
                     page=f"/tasks/{task_id}", content_type="multipart/form-data")


def stored(web_app) -> list:
    return [p for p in Path(web_app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


@pytest.mark.parametrize(("quota", "message"), [
    ({"upload_task_max_files": 1},
     "Tugas ini sudah memiliki dokumen sebanyak yang diizinkan"),
    ({"upload_task_max_bytes": len(PDF) + 10},
     "Berkas ini membuat total ukuran dokumen tugas ini melampaui batas"),
    ({"upload_user_max_files": 1},
     "Anda sudah mengunggah dokumen sebanyak yang diizinkan dalam 24 jam"),
    ({"upload_user_max_bytes": len(PDF) + 10},
     "Berkas ini membuat total unggahan Anda dalam 24 jam terakhir melampaui batas"),
])
def test_each_quota_refuses_with_its_own_message_and_keeps_nothing(web_app, client, login,
                                                                   quota, message):
    set_quota(web_app, **quota)
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    assert upload(client, task_id, "pertama.pdf", PDF).status_code == 302
    before, files = snapshot(web_app), stored(web_app)
    refused = upload(client, task_id, "kedua.pdf", PDF + b"%" + b"x" * 20 + b"\n")
    assert refused.status_code == 413
    assert message in squash(text_of(refused))
    assert snapshot(web_app) == before and stored(web_app) == files
