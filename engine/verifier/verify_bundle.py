#!/usr/bin/env python3
"""Periksa bundel audit Alur Kinerja tanpa server (check an Alur Kinerja audit bundle offline).

Pemakaian (usage):

    python verify_bundle.py audit-AK-2026-0001.zip
    python verify_bundle.py folder-hasil-ekstrak/

Yang diperiksa, berurutan (what is checked, in order):

1. peristiwa.jsonl: hash setiap peristiwa dihitung ulang dan tautan prev_hash-nya
   (every event's hash recomputed, and its link to the previous event);
2. kepala-rantai.json: jumlah peristiwa dan hash terakhir sama dengan ujung rantai
   (the chain's end equals the signed head);
3. tanda tangan Ed25519 kepala rantai dengan kunci-publik.pem
   (the head's Ed25519 signature, checked with the bundled public key);
4. titik-periksa.json: tanda tangan setiap titik periksa, dan rantai cocok dengan setiap
   kepala yang pernah dicatatnya (each checkpoint's signature, and the chain against
   every head a checkpoint recorded);
5. dokumen/: isi setiap dokumen dengan SHA-256 pada peristiwa document_added-nya, dan setiap
   dokumen yang disebut ada (each document against the SHA-256 in its event; none missing);
6. manifest.json: SHA-256 setiap berkas lain di bundel (every other file's SHA-256).

Kode keluar (exit codes): 0 semua lolos (all passed); 1 ada yang gagal, yang pertama disebut
(a check failed, the first one is named); 2 masukan tidak dapat dipakai (unusable input).

Hanya pustaka standar Python dan paket `cryptography` (standard library and `cryptography`
only): `pip install cryptography`.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

FORMAT = "alur-audit-bundle/1"
MANIFEST = "manifest.json"
EVENTS = "peristiwa.jsonl"
HEAD = "kepala-rantai.json"
CHECKPOINTS = "titik-periksa.json"
PUBLIC_KEY = "kunci-publik.pem"
DOCUMENTS = "dokumen/"
CHUNK = 1024 * 1024
HASHED_KEYS = ("instance_id", "seq", "type", "occurred_at", "actor_id", "task_id",
               "element_id", "payload")
EVENT_KEYS = (*HASHED_KEYS, "payload_version", "prev_hash", "hash")
CHECK_TITLES = (
    "rantai peristiwa (event chain)",
    "kepala rantai (chain head)",
    "tanda tangan kepala rantai (head signature)",
    "titik periksa (checkpoints)",
    "dokumen (documents)",
    "hash berkas di manifest (manifest file hashes)",
)


class Unusable(Exception):
    """The input is not a bundle this script can read: exit 2."""


class Failed(Exception):
    """A check failed: exit 1, naming where (a file, an event seq, a document)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


# ---- reading a bundle: a zip file or an unpacked folder ----------------------------------

class ZipSource:
    def __init__(self, path: Path):
        try:
            self.archive = zipfile.ZipFile(path)
            names = [i.filename for i in self.archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as error:
            raise Unusable(f"{path} bukan berkas zip yang dapat dibaca (not a readable zip "
                           f"file): {error}") from error
        if len(set(names)) != len(names):
            raise Unusable(f"{path} memuat nama berkas ganda (holds duplicate file names)")
        self.prefix = _bundle_prefix(names)
        self.names = sorted(n[len(self.prefix):] for n in names if n.startswith(self.prefix))

    def open(self, name: str):
        return self.archive.open(self.prefix + name)


class FolderSource:
    def __init__(self, path: Path):
        self.root = path.resolve()
        names = [p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                 if p.is_file()]
        self.prefix = _bundle_prefix(names)
        self.names = sorted(n[len(self.prefix):] for n in names if n.startswith(self.prefix))

    def open(self, name: str):
        path = (self.root / (self.prefix + name)).resolve()
        if self.root not in path.parents:
            raise KeyError(name)
        return path.open("rb")


def _bundle_prefix(names: list[str]) -> str:
    """Where manifest.json is: the top, or one folder down (a re-packed folder)."""
    if MANIFEST in names:
        return ""
    found = [n[: -len(MANIFEST)] for n in names if n.endswith("/" + MANIFEST)
             and n.count("/") == 1]
    if len(found) == 1:
        return found[0]
    raise Unusable("manifest.json tidak ditemukan (manifest.json not found): "
                   "ini bukan bundel audit (this is not an audit bundle)")


def open_source(argument: str):
    path = Path(argument)
    if path.is_dir():
        return FolderSource(path)
    if path.is_file():
        return ZipSource(path)
    raise Unusable(f"{argument} tidak ada (does not exist)")


def read_bytes(source, name: str) -> bytes:
    try:
        with source.open(name) as handle:
            return handle.read()
    except KeyError as error:
        raise Failed(name, "berkas tidak ada di bundel (file missing from the bundle)") \
            from error


def read_json(source, name: str):
    data = read_bytes(source, name)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Failed(name, f"bukan JSON yang sah (not valid JSON): {error}") from error


def sha256_of(source, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with source.open(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def load_manifest(source) -> dict:
    try:
        manifest = read_json(source, MANIFEST)
    except Failed as error:
        raise Unusable(str(error)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Unusable(f"manifest.json bukan format {FORMAT} (manifest is not {FORMAT})")
    instance = manifest.get("instance")
    if not isinstance(instance, dict) or not isinstance(instance.get("id"), int):
        raise Unusable("manifest.json tidak menyebut pelaksanaannya (manifest names no run)")
    return manifest


# ---- 1. the event chain ---------------------------------------------------------------------

def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def event_hash(event: dict) -> str:
    """The rule the server hashes by: the stored fields and the previous hash, canonical
    JSON, plus payload_version only when it is not 1."""
    body = {key: event[key] for key in HASHED_KEYS}
    body["prev_hash"] = event["prev_hash"]
    if event["payload_version"] != 1:
        body["payload_version"] = event["payload_version"]
    return hashlib.sha256(canonical(body)).hexdigest()


def parse_event(line: bytes, number: int) -> dict:
    where = f"{EVENTS} baris (line) {number}, peristiwa seq {number}"
    try:
        event = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Failed(where, f"bukan JSON yang sah (not valid JSON): {error}") from error
    missing = [key for key in EVENT_KEYS if not isinstance(event, dict) or key not in event]
    if missing:
        raise Failed(where, f"kolom hilang (fields missing): {', '.join(missing)}")
    return event


def check_events(source, instance_id: int) -> list[dict]:
    events, prev = [], None
    lines = read_bytes(source, EVENTS).split(b"\n")
    for number, line in enumerate((x for x in lines if x.strip()), start=1):
        event = parse_event(line, number)
        where = f"{EVENTS}, peristiwa seq {number}"
        if event["seq"] != number:
            raise Failed(where, f"seq tertulis {event['seq']}, seharusnya {number} "
                                f"(seq is {event['seq']}, expected {number})")
        if event["instance_id"] != instance_id:
            raise Failed(where, "milik pelaksanaan lain (belongs to another run)")
        if event["prev_hash"] != prev:
            raise Failed(where, "prev_hash tidak menunjuk peristiwa sebelumnya "
                                "(prev_hash does not link to the previous event)")
        if event_hash(event) != event["hash"]:
            raise Failed(where, "hash tidak cocok dengan isinya: peristiwa ini diubah "
                                "(hash does not match its content: this event was changed)")
        events.append(event)
        prev = event["hash"]
    return events


# ---- 2, 3. the signed head --------------------------------------------------------------------

def head_message(instance_id: int, event_count: int, last_hash) -> bytes:
    return canonical({"alur": "instance-head/1", "event_count": event_count,
                      "instance_id": instance_id, "last_hash": last_hash})


def check_head(head: dict, events: list[dict], instance_id: int) -> str:
    if not isinstance(head, dict):
        raise Failed(HEAD, "bukan objek JSON (not a JSON object)")
    last = events[-1]["hash"] if events else None
    if head.get("instance_id") != instance_id:
        raise Failed(HEAD, "milik pelaksanaan lain (belongs to another run)")
    count = head.get("event_count")
    if count != len(events):
        first = min(len(events), count if isinstance(count, int) else 0) + 1
        raise Failed(f"{HEAD}, peristiwa seq {first}",
                     f"kepala mencatat {count} peristiwa, rantai berisi {len(events)} "
                     f"(the head records {count} events, the chain holds {len(events)})")
    if head.get("last_hash") != last:
        raise Failed(f"{HEAD}, peristiwa seq {max(len(events), 1)}",
                     "hash terakhir berbeda dengan peristiwa terakhir "
                     "(last hash differs from the last event's)")
    return f"{len(events)} peristiwa, hash terakhir (last hash) {last}"


def load_public_key(source):
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(read_bytes(source, PUBLIC_KEY))
    except (ValueError, UnsupportedAlgorithm) as error:
        raise Failed(PUBLIC_KEY, f"bukan kunci publik PEM (not a PEM public key): {error}") \
            from error
    if not isinstance(key, Ed25519PublicKey):
        raise Failed(PUBLIC_KEY, "bukan kunci Ed25519 (not an Ed25519 key)")
    return key


def key_id_of(key) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_valid(key, signature, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(bytes.fromhex(signature), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def check_signature(head: dict, key, key_id: str) -> str:
    message = head_message(head["instance_id"], head["event_count"], head.get("last_hash"))
    if head.get("message") is not None and head["message"].encode("utf-8") != message:
        raise Failed(HEAD, "pesan yang ditandatangani tidak sesuai dengan kepala rantai "
                           "(the signed message does not match the head)")
    if not head.get("signature"):
        raise Failed(HEAD, "kepala rantai tidak bertanda tangan (the head is not signed)")
    if head.get("key_id") != key_id:
        raise Failed(HEAD, f"ditandatangani kunci {head.get('key_id')}, bukan kunci di "
                           f"{PUBLIC_KEY} ({key_id}) (signed by another key)")
    if not signature_valid(key, head["signature"], message):
        raise Failed(HEAD, "tanda tangan tidak sah: kepala rantai diubah "
                           "(invalid signature: the head was changed)")
    return f"Ed25519, key id {key_id}"


# ---- 4. checkpoints ---------------------------------------------------------------------------

def heads_digest(heads: list) -> str:
    """SHA-256 of the checkpoint's heads as the server lists them: canonical JSON of the list
    of {event_count, instance_id, last_hash}, the global chain (instance_id null) first,
    then by instance id."""
    body = [{"event_count": h["event_count"], "instance_id": h["instance_id"],
             "last_hash": h["last_hash"]} for h in heads]
    body.sort(key=lambda h: (h["instance_id"] is not None, h["instance_id"] or 0))
    return hashlib.sha256(canonical(body)).hexdigest()


def checkpoint_hash(entry: dict) -> str:
    """SHA-256 of the canonical JSON of the checkpoint's own fields (created_at in UTC ISO,
    whole seconds); its signature covers the UTF-8 of this hex."""
    body = {key: entry[key] for key in ("created_at", "head_count", "heads_digest", "key_id",
                                        "prev_hash", "seq")}
    return hashlib.sha256(canonical(body)).hexdigest()


def check_checkpoint(entry: dict, events: list[dict], instance_id: int, key, key_id: str):
    where = f"{CHECKPOINTS}, titik periksa (checkpoint) {entry.get('seq')}"
    try:
        heads = entry["heads"]
        if len(heads) != entry["head_count"] or heads_digest(heads) != entry["heads_digest"]:
            raise Failed(where, "daftar kepala tidak cocok dengan heads_digest "
                                "(the list of heads does not match heads_digest)")
        if checkpoint_hash(entry) != entry["hash"]:
            raise Failed(where, "hash titik periksa tidak cocok (checkpoint hash mismatch)")
    except (KeyError, TypeError) as error:
        raise Failed(where, f"kolom hilang (field missing): {error}") from error
    if entry["key_id"] != key_id or not signature_valid(key, entry["signature"],
                                                        entry["hash"].encode("ascii")):
        raise Failed(where, "tanda tangan tidak sah (invalid signature)")
    own = [h for h in heads if isinstance(h, dict) and h.get("instance_id") == instance_id]
    if len(own) != 1:
        raise Failed(where, "tidak mencatat pelaksanaan ini (does not record this run)")
    check_against_head(own[0], events, where)


def check_against_head(head: dict, events: list[dict], where: str) -> None:
    """The chain holds the head the checkpoint saw: its event `count` has that hash."""
    count, last = head.get("event_count"), head.get("last_hash")
    if not isinstance(count, int) or count < 0:
        raise Failed(where, "jumlah peristiwa tidak sah (invalid event count)")
    if count > len(events):
        raise Failed(f"{where}, peristiwa seq {len(events) + 1}",
                     f"titik periksa mencatat {count} peristiwa, rantai hanya {len(events)}: "
                     f"peristiwa hilang (the checkpoint saw {count} events: events missing)")
    found = events[count - 1]["hash"] if count else None
    if found != last:
        raise Failed(f"{where}, peristiwa seq {max(count, 1)}",
                     "rantai berbeda dengan yang dicatat titik periksa: rantai ditulis ulang "
                     "(the chain differs from the checkpointed head: it was rewritten)")


def check_checkpoints(source, events, instance_id: int, key, key_id: str) -> str:
    document = read_json(source, CHECKPOINTS)
    entries = document.get("checkpoints") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise Failed(CHECKPOINTS, "tidak berisi daftar titik periksa (no list of checkpoints)")
    for entry in entries:
        if not isinstance(entry, dict):
            raise Failed(CHECKPOINTS, "entri bukan objek (an entry is not an object)")
        check_checkpoint(entry, events, instance_id, key, key_id)
    if not entries:
        return "belum ada titik periksa untuk pelaksanaan ini (no checkpoint of this run yet)"
    return f"{len(entries)} titik periksa, tanda tangan sah dan rantai cocok " \
           f"({len(entries)} checkpoints: signatures valid, chain matches)"


# ---- 5. documents -----------------------------------------------------------------------------

def check_documents(source, events: list[dict]) -> str:
    stored = [n for n in source.names if n.startswith(DOCUMENTS)]
    named = set()
    for event in events:
        if event["type"] != "document_added":
            continue
        payload = event["payload"]
        document_id = payload.get("document_id")
        where = (f"dokumen {document_id} ({payload.get('filename')}), "
                 f"peristiwa seq {event['seq']}")
        files = [n for n in stored if n.startswith(f"{DOCUMENTS}{document_id}-")]
        if len(files) != 1:
            raise Failed(where, "berkasnya tidak ada di bundel (its file is missing)")
        digest, size = sha256_of(source, files[0])
        if digest != payload.get("sha256") or size != payload.get("size"):
            raise Failed(f"{files[0]}: {where}",
                         "isi berkas berbeda dengan SHA-256 pada peristiwanya: dokumen diubah "
                         "(content differs from the SHA-256 in its event: document changed)")
        named.add(files[0])
    extra = sorted(set(stored) - named)
    if extra:
        raise Failed(extra[0], "dokumen ini tidak disebut peristiwa mana pun "
                               "(no event names this document)")
    return f"{len(named)} dokumen cocok dengan SHA-256 pada peristiwanya " \
           f"({len(named)} documents match their events)"


# ---- 6. the manifest --------------------------------------------------------------------------

def check_manifest_files(source, manifest: dict) -> str:
    listed = manifest.get("files")
    if not isinstance(listed, list):
        raise Failed(MANIFEST, "tidak berisi daftar berkas (no list of files)")
    seen = set()
    for item in listed:
        name = item.get("path") if isinstance(item, dict) else None
        if name not in source.names:
            raise Failed(str(name), "tercantum di manifest tetapi tidak ada "
                                    "(listed in the manifest but missing)")
        digest, size = sha256_of(source, name)
        if digest != item.get("sha256") or size != item.get("size"):
            raise Failed(name, "SHA-256 berbeda dengan manifest: berkas diubah "
                               "(SHA-256 differs from the manifest: file changed)")
        seen.add(name)
    unlisted = sorted(set(source.names) - seen - {MANIFEST})
    if unlisted:
        raise Failed(unlisted[0], "tidak tercantum di manifest (not listed in the manifest)")
    return f"{len(seen)} berkas cocok (files match)"


# ---- running the checks -----------------------------------------------------------------------

def run_checks(source, manifest: dict, report) -> None:
    instance_id = manifest["instance"]["id"]
    events = check_events(source, instance_id)
    report(0, f"{len(events)} peristiwa: hash dihitung ulang dan tautan prev_hash cocok "
              f"({len(events)} events: hashes recomputed, prev links match)")
    head = read_json(source, HEAD)
    report(1, check_head(head, events, instance_id))
    key = load_public_key(source)
    key_id = key_id_of(key)
    report(2, check_signature(head, key, key_id))
    report(3, check_checkpoints(source, events, instance_id, key, key_id))
    report(4, check_documents(source, events))
    report(5, check_manifest_files(source, manifest))


def describe(manifest: dict) -> str:
    instance = manifest["instance"]
    return (f"Pelaksanaan (run): {instance.get('registration_no')} - {instance.get('title')}\n"
            f"Dibuat (created): {manifest.get('created_at')}")


def verify(argument: str, out=print) -> int:
    try:
        source = open_source(argument)
        manifest = load_manifest(source)
    except Unusable as error:
        out(f"TIDAK DAPAT DIPERIKSA (cannot check): {error}")
        return 2
    out(f"Pemeriksaan bundel audit (audit bundle check): {argument}")
    out(describe(manifest))
    done = []

    def report(index: int, detail: str) -> None:
        done.append(index)
        out(f"[OK] {CHECK_TITLES[index]}: {detail}")

    try:
        run_checks(source, manifest, report)
    except Failed as failure:
        return _failed(failure, len(done), out)
    out("HASIL: TERVERIFIKASI (RESULT: VERIFIED)")
    out("Cocokkan key id di atas dengan kunci publik yang diumumkan server (halaman admin, "
        "README). (Compare the key id above with the server's published public key.)")
    return 0


def _failed(failure: Failed, checked: int, out) -> int:
    out(f"[GAGAL] {CHECK_TITLES[checked]}: {failure.where}: {failure.message}")
    for title in CHECK_TITLES[checked + 1:]:
        out(f"[ - ] {title}: tidak diperiksa (not checked)")
    out(f"HASIL: GAGAL (RESULT: FAILED) pada (at) {failure.where}")
    return 1


def main(argv: list[str]) -> int:
    for stream in (sys.stdout, sys.stderr):  # a console that cannot show a character
        if hasattr(stream, "reconfigure"):  # gets "?" instead of a crash
            stream.reconfigure(errors="replace")
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    try:
        import cryptography  # noqa: F401
    except ImportError:
        print("Paket `cryptography` belum terpasang (not installed): pip install cryptography")
        return 2
    return verify(argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
