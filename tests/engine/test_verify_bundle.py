"""The stand-alone verifier, run as an auditor would: `python verify_bundle.py bundle.zip` in a
subprocess, from a folder of its own, on the bundle of a real SOP run with documents (the
run of tests/engine/services/test_bundles.py). The copy of the script that runs is the one
inside the bundle, in isolated mode (-I: no PYTHONPATH, not the caller's folders); that it
needs nothing of ours is also checked on its source (standard library and cryptography).

One changed byte anywhere is caught and named: in a document, in an event line (with the
manifest left as it was, and with the manifest updated so that the event's own hash is what
catches it), in the signed head, in a checkpoint. So is a whole chain rewritten together
with its head: only the server's key could sign the new head.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.services import bundles
from engine.verifier import SCRIPT_PATH
from engine.verifier import verify_bundle as offline
from tests.engine.services.test_bundles import LATE, SopRun, drive_sop_run
from tests.support import user

Change = Callable[[dict[str, bytes]], None]


@pytest.fixture()
def exported(session, tmp_path) -> tuple[SopRun, Path]:
    """The run's bundle as a zip file in a folder of its own, the verifier beside it."""
    run = drive_sop_run(session, tmp_path / "uploads")
    _, data = bundles.build_bundle(session, user(session, "auditor"), run.instance_id, LATE,
                                   storage_dir=run.storage_dir)
    folder = tmp_path / "auditor"
    folder.mkdir()
    path = folder / "bundle.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        (folder / "verify_bundle.py").write_bytes(archive.read("verify_bundle.py"))
    return run, path


def verify(target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", "verify_bundle.py", str(target)], cwd=target.parent,
        capture_output=True, text=True, timeout=300, check=False)


def files_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def tampered(path: Path, change: Change, *, update_manifest: bool) -> Path:
    """A copy of the bundle with `change` applied to its files, re-zipped; the manifest's
    hashes brought up to date only when asked."""
    files = files_of(path)
    change(files)
    if update_manifest:
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = [{"path": name, "sha256": hashlib.sha256(data).hexdigest(),
                              "size": len(data)}
                             for name, data in sorted(files.items()) if name != "manifest.json"]
        files["manifest.json"] = json.dumps(manifest).encode()
    target = path.with_name("tampered.zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def events_of(files: dict[str, bytes]) -> list[dict]:
    return [json.loads(line) for line in files["peristiwa.jsonl"].decode().splitlines()]


def seq_of_row6(files: dict[str, bytes]) -> int:
    return next(e["seq"] for e in events_of(files)
                if e["type"] == "task_completed" and e["element_id"] == "Task_06")


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


# ---- it passes ------------------------------------------------------------------------------

def test_an_exported_bundle_verifies_offline(exported):
    _, path = exported
    result = verify(path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for said in ("peristiwa", "kepala rantai", "Ed25519", "1 titik periksa",
                 "8 dokumen", "TERVERIFIKASI"):
        assert said in out
    assert "[GAGAL]" not in out


def test_an_unpacked_folder_verifies_too(exported):
    _, path = exported
    folder = path.parent / "unpacked"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    result = verify(folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_script_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(SCRIPT_PATH.read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    tops = {name.split(".")[0] for name in modules} - {"__future__"}
    assert tops - set(sys.stdlib_module_names) == {"cryptography"}


# ---- one byte changed -----------------------------------------------------------------------

def test_one_byte_of_a_document_is_named(exported):
    run, path = exported
    document_id = max(run.contents)
    entry = next(n for n in files_of(path) if n.startswith(f"dokumen/{document_id}-"))

    def change(files):
        files[entry] = flip(files[entry], len(files[entry]) // 2)

    result = verify(tampered(path, change, update_manifest=False))
    assert result.returncode == 1
    assert f"GAGAL] dokumen (documents): {entry}: dokumen {document_id}" in result.stdout
    assert "diubah" in result.stdout


@pytest.mark.parametrize("update_manifest", [False, True])
def test_one_byte_of_an_event_is_named_by_its_seq(exported, update_manifest):
    _, path = exported
    seq = seq_of_row6(files_of(path))

    def change(files):
        lines = files["peristiwa.jsonl"].split(b"\n")
        lines[seq - 1] = lines[seq - 1].replace(b'"Task_06"', b'"Task_07"', 1)
        files["peristiwa.jsonl"] = b"\n".join(lines)

    result = verify(tampered(path, change, update_manifest=update_manifest))
    assert result.returncode == 1
    assert f"peristiwa seq {seq}: hash tidak cocok" in result.stdout
    assert "[ - ] hash berkas di manifest" in result.stdout  # stopped at the first failure


def test_a_changed_display_name_is_caught_by_the_manifest(exported):
    _, path = exported

    def change(files):
        files["peristiwa.jsonl"] = files["peristiwa.jsonl"].replace(b"Rina", b"Rino", 1)

    result = verify(tampered(path, change, update_manifest=False))
    assert result.returncode == 1
    assert "[OK] rantai peristiwa" in result.stdout  # actor_name is not hashed
    assert "HASIL: GAGAL (RESULT: FAILED) pada (at) peristiwa.jsonl" in result.stdout


@pytest.mark.parametrize("field", ["last_hash", "signature", "event_count"])
def test_one_byte_of_the_head_is_caught(exported, field):
    _, path = exported

    def change(files):
        head = json.loads(files["kepala-rantai.json"])
        if field == "event_count":
            head[field] -= 1
        else:
            head[field] = head[field][:-1] + ("0" if head[field][-1] != "0" else "1")
        files["kepala-rantai.json"] = json.dumps(head).encode()

    result = verify(tampered(path, change, update_manifest=True))
    assert result.returncode == 1
    assert "GAGAL] " in result.stdout and "kepala-rantai.json" in result.stdout


def test_a_changed_checkpoint_is_caught(exported):
    run, path = exported

    def change(files):
        document = json.loads(files["titik-periksa.json"])
        [own] = [h for h in document["checkpoints"][0]["heads"]
                 if h["instance_id"] == run.instance_id]
        own["event_count"] -= 1
        files["titik-periksa.json"] = json.dumps(document).encode()

    result = verify(tampered(path, change, update_manifest=True))
    assert result.returncode == 1
    assert "GAGAL] titik periksa (checkpoints): titik-periksa.json" in result.stdout


def test_a_removed_document_is_named(exported):
    run, path = exported
    document_id = min(run.contents)

    def change(files):
        for name in [n for n in files if n.startswith(f"dokumen/{document_id}-")]:
            del files[name]

    result = verify(tampered(path, change, update_manifest=True))
    assert result.returncode == 1
    assert f"dokumen {document_id} (" in result.stdout
    assert "berkasnya tidak ada" in result.stdout


# ---- a rewritten history ---------------------------------------------------------------------

def test_a_whole_chain_rewritten_with_its_head_fails_on_the_signature(exported):
    """Every hash recomputed after the change and the head made to match: only the
    signature (and the checkpoint) can tell, and they do."""
    _, path = exported
    seq = seq_of_row6(files_of(path))

    def change(files):
        events, prev = events_of(files), None
        for event in events:
            if event["seq"] == seq:
                event["payload"]["data"]["catatan"] = "ditulis ulang"
            event["prev_hash"] = prev
            event["hash"] = prev = offline.event_hash(event)
        files["peristiwa.jsonl"] = b"".join(json.dumps(e).encode() + b"\n" for e in events)
        head = json.loads(files["kepala-rantai.json"])
        head["last_hash"] = prev
        head["message"] = offline.head_message(head["instance_id"], head["event_count"],
                                               prev).decode()
        files["kepala-rantai.json"] = json.dumps(head).encode()

    result = verify(tampered(path, change, update_manifest=True))
    assert result.returncode == 1
    assert "[OK] rantai peristiwa" in result.stdout and "[OK] kepala rantai" in result.stdout
    assert "GAGAL] tanda tangan kepala rantai" in result.stdout


def test_events_cut_off_the_end_are_caught(exported):
    _, path = exported

    def change(files):
        lines = files["peristiwa.jsonl"].rstrip(b"\n").split(b"\n")
        files["peristiwa.jsonl"] = b"\n".join(lines[:-1]) + b"\n"

    result = verify(tampered(path, change, update_manifest=True))
    assert result.returncode == 1
    assert "GAGAL] kepala rantai (chain head): kepala-rantai.json, peristiwa seq" in result.stdout


# ---- unusable input --------------------------------------------------------------------------

def test_what_is_not_a_bundle_exits_2(exported, tmp_path):
    _, path = exported
    not_zip = path.parent / "catatan.txt"
    not_zip.write_text("bukan bundel")
    empty = path.parent / "kosong.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("lain.txt", "x")
    for target in (not_zip, empty, path.parent / "tidak-ada.zip"):
        result = verify(target)
        assert result.returncode == 2, result.stdout
        assert "TIDAK DAPAT DIPERIKSA" in result.stdout
