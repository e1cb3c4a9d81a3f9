"""The storage interface, the same for both backends (local folder, S3 bucket)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from datetime import timedelta

import pytest

from engine.config import Settings
from engine.db import utcnow
from engine.runtime import build_runtime
from engine.storage import StorageError, StoredFileMissing, content_key
from engine.storage.factory import build_storage
from tests.engine.storage import s3server


def key_of(data: bytes) -> str:
    return content_key(hashlib.sha256(data).hexdigest())


class Reader(io.RawIOBase):
    """A stream that hands out at most `step` bytes a read, as a network upload does."""

    def __init__(self, data: bytes, step: int = 7):
        self.data, self.step = io.BytesIO(data), step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.data.read(min(len(buffer), self.step))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_file_is_stored_under_its_content_address(storage, raw):
    data = b"%PDF-1.7 bukti dukung\n"
    key = key_of(data)
    storage.put(key, Reader(data))
    assert raw.names() == [raw.name_of(hashlib.sha256(data).hexdigest())]
    assert storage.exists(key) and storage.size(key) == len(data)
    with storage.open(key) as stream:
        assert (stream.read(5), stream.read(), stream.size) == (data[:5], data[5:], len(data))
    written = storage.modified_at(key)
    assert written.tzinfo is not None and abs(written - utcnow()) < timedelta(minutes=1)


def test_storing_the_same_content_again_keeps_one_copy(storage, raw):
    data = b"isi yang sama\n"
    key = key_of(data)
    storage.put(key, io.BytesIO(data))
    storage.put(key, io.BytesIO(data))
    assert raw.names() == [raw.name_of(hashlib.sha256(data).hexdigest())]
    assert storage.read_bytes(key) == data


def test_storing_again_marks_an_old_file_fresh(storage, raw, backend):
    data = b"lama tapi dipakai lagi\n"
    key = key_of(data)
    storage.put(key, io.BytesIO(data))
    if backend == "local":
        raw.age(raw.name_of(hashlib.sha256(data).hexdigest()), minutes=120)
    else:  # an object's LastModified cannot be set back, and counts whole seconds
        time.sleep(1.1)
    before = storage.modified_at(key)
    storage.put(key, io.BytesIO(b"ignored: this key is stored already"))
    assert storage.modified_at(key) > before
    assert storage.read_bytes(key) == data


def test_a_missing_file_and_a_key_naming_nothing_are_missing(storage):
    absent = key_of(b"tidak ada")
    for key in (absent, "../../etc/passwd", "/etc/passwd", "ab//cd", "a\\b", "", "x/./y"):
        with pytest.raises(StoredFileMissing):
            storage.open(key)
        assert not storage.exists(key) and storage.size(key) is None
        assert storage.modified_at(key) is None
        storage.delete(key)  # nothing to delete: no error


def test_delete_removes_the_file(storage, raw):
    kept, gone = b"tetap\n", b"dihapus\n"
    for data in (kept, gone):
        storage.put(key_of(data), io.BytesIO(data))
    storage.delete(key_of(gone))
    assert not storage.exists(key_of(gone)) and storage.exists(key_of(kept))
    assert raw.names() == [raw.name_of(hashlib.sha256(kept).hexdigest())]


def test_keys_are_listed_in_order_by_age_and_from_a_cursor(storage, raw):
    data = [f"berkas {n}\n".encode() for n in range(5)]
    keys = sorted(key_of(item) for item in data)
    for item in data:
        storage.put(key_of(item), io.BytesIO(item))
    raw.write("catatan-lain.txt", b"not ours")  # beside the documents: never listed
    later = utcnow() + timedelta(minutes=1)
    assert list(storage.iter_keys(later)) == keys
    assert list(storage.iter_keys(later, after=keys[1])) == keys[2:]
    assert list(storage.iter_keys(utcnow() - timedelta(minutes=1))) == []


def test_a_large_file_streams_in_and_out(storage):
    data = os.urandom(9 * 1024 * 1024 + 17)  # past the S3 multipart threshold (8 MB)
    key = key_of(data)
    storage.put(key, io.BytesIO(data))
    digest, size = hashlib.sha256(), 0
    with storage.open(key) as stream:
        while chunk := stream.read(256 * 1024):
            assert len(chunk) <= 256 * 1024
            digest.update(chunk)
            size += len(chunk)
    assert (size, content_key(digest.hexdigest())) == (len(data), key)


def test_a_failed_write_leaves_nothing_under_the_key(storage):
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError("the upload was cut off")

    key = key_of(b"tidak pernah utuh")
    with pytest.raises(OSError):
        storage.put(key, Broken())
    assert not storage.exists(key)


# ---- configuration -------------------------------------------------------------------------

def test_a_missing_bucket_stops_the_start_with_a_clear_error():
    storage = build_runtime(**s3server.settings_for("alur-no-such-bucket")).storage
    with pytest.raises(StorageError, match="alur-no-such-bucket.*does not exist"):
        storage.check()


def test_the_app_does_not_start_without_its_bucket(tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("ALUR_SECRET_KEY", "storage-tests-only")
    for name, value in s3server.settings_for("alur-no-such-bucket").items():
        monkeypatch.setenv(f"ALUR_{name.upper()}", value)
    monkeypatch.setenv("ALUR_STORAGE", "s3")
    with pytest.raises(StorageError, match="does not exist"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "TESTING": True})


def test_an_unreachable_endpoint_and_an_unknown_backend_are_refused():
    unreachable = {**s3server.settings_for("alur-any"),
                   "s3_endpoint_url": "http://127.0.0.1:1"}
    with pytest.raises(StorageError, match="cannot be reached"):
        build_runtime(**unreachable).storage.check()
    with pytest.raises(StorageError, match="local, s3"):
        build_storage(Settings(storage_backend="ftp"))
    with pytest.raises(StorageError, match="ALUR_S3_BUCKET"):
        build_storage(Settings(storage_backend="s3", s3_bucket=""))
