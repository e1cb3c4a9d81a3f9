"""The server's Ed25519 key: it signs every instance head and every checkpoint of the log.

The key lives in a file outside the database (`Settings.signing_key_path`), so someone who
can rewrite the database cannot also re-sign what they rewrote. It is made on first use:
written to a temporary file (created exclusively, mode 0600) and hard-linked into place,
which fails if another process got there first; the loser then reads the winner's key, so
two processes starting at once end up with one key. The public key is written beside it
(`<path>.pub`) for auditors and for the offline verifier of an exported bundle.

A key file that exists but cannot be read, or holds something other than an Ed25519
private key, is an error (SigningKeyError) and never silently replaced: replacing it would
make every signature made so far unverifiable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

log = logging.getLogger(__name__)

HEAD_FORMAT = "instance-head/1"
# How long a process that lost the race waits for the winner's key to become readable
# (only on filesystems without hard links, where the file is written in place).
WAIT_FOR_WINNER_SECONDS = 5.0


class SigningKeyError(RuntimeError):
    """The key file exists but is unusable: unreadable, or not an Ed25519 private key."""


class Signer:
    """Signs with the server key; verifies with its public half."""

    def __init__(self, private_key: Ed25519PrivateKey):
        self._private = private_key
        self._public: Ed25519PublicKey = private_key.public_key()
        raw = self._public.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id: str = hashlib.sha256(raw).hexdigest()[:16]
        self.public_key_pem: str = public_pem(self._public)

    def sign(self, message: bytes) -> str:
        """The hex of the 64-byte Ed25519 signature of `message`."""
        return self._private.sign(message).hex()

    def verify(self, signature_hex: str, message: bytes) -> bool:
        """Whether `signature_hex` is this key's signature of `message` (False if malformed)."""
        try:
            self._public.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


def head_message(instance_id: int, event_count: int, last_hash: str | None) -> bytes:
    """What an instance head's signature covers (canonical JSON, UTF-8)."""
    body = {
        "alur": HEAD_FORMAT,
        "event_count": event_count,
        "instance_id": instance_id,
        "last_hash": last_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_path(path: Path) -> Path:
    """Where the public half of the key at `path` is written: `<path>.pub`."""
    return path.with_name(path.name + ".pub")


def load_or_create(path: Path) -> Signer:
    """The key at `path`, made (atomically, mode 0600) if there is none yet."""
    path = Path(path)
    if not path.exists():
        _create(path)
    signer = Signer(_read_key(path))
    _write_public(path, signer.public_key_pem)
    return signer


def _create(path: Path) -> None:
    """Write a new key beside `path` and link it into place, unless another process won."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    handle, temp_name = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)  # O_EXCL, 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        _link_into_place(Path(temp_name), path, pem)
    finally:
        Path(temp_name).unlink(missing_ok=True)


def _link_into_place(temp: Path, path: Path, pem: bytes) -> None:
    """A hard link never replaces an existing file: the first process to link wins."""
    try:
        os.link(temp, path)
    except FileExistsError:
        return  # another process made the key first; we read theirs
    except OSError:
        _write_exclusively(path, pem)  # a filesystem without hard links


def _write_exclusively(path: Path, pem: bytes) -> None:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(handle, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def _read_key(path: Path) -> Ed25519PrivateKey:
    """The private key at `path`; waits briefly for a key another process is still writing."""
    deadline = time.monotonic() + WAIT_FOR_WINNER_SECONDS
    while True:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SigningKeyError(f"cannot read the signing key {path}: {error}") from error
        if data or time.monotonic() > deadline:
            return _parse_key(path, data)
        time.sleep(0.05)


def _parse_key(path: Path, data: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(
            f"the signing key {path} is not a PEM private key without a password: {error}"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(
            f"the signing key {path} is a {type(key).__name__}, not an Ed25519 private key"
        )
    return key


def _write_public(path: Path, pem: str) -> None:
    """`<path>.pub`, rewritten only when missing or different (atomically, by rename)."""
    target = public_key_path(path)
    try:
        if target.read_text(encoding="ascii") == pem:
            return
    except (OSError, UnicodeDecodeError):
        pass
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".signing-key-pub-", dir=path.parent)
    except OSError as error:  # a read-only folder: the key still signs
        log.warning("cannot write the public key %s: %s", target, error)
        return
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(pem)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    finally:
        Path(temp_name).unlink(missing_ok=True)
