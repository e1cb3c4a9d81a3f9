"""What administrators see of the server's signing key and the checkpoints it signed.

The key never leaves its file (engine.signing); this reads its public half, its id and
fingerprint, and the latest checkpoints, for the admin key page (webapp/admin). A key file
that cannot be read is shown as a problem, not an error page: the admin must fix it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ChainCheckpoint, User
from engine.runtime import runtime_of
from engine.services import access
from engine.signing import SigningKeyError


@dataclass(frozen=True)
class KeyView:
    path: str
    key_id: str | None = None
    public_key_pem: str | None = None
    fingerprint: str | None = None
    problem: str | None = None


def key_view(session: Session, viewer: User) -> KeyView:
    """The key as the admin page shows it; a key file that cannot be read says so instead."""
    access.ensure_admin(viewer)
    rt = runtime_of(session)
    path = str(rt.settings.signing_key_path)
    try:
        signer = rt.signer
    except SigningKeyError as error:
        return KeyView(path=path, problem=str(error))
    return KeyView(path=path, key_id=signer.key_id, public_key_pem=signer.public_key_pem,
                   fingerprint=fingerprint(signer.public_key_pem))


def latest_checkpoints(session: Session, viewer: User, limit: int) -> list[ChainCheckpoint]:
    """The newest `limit` checkpoints, newest first."""
    access.ensure_admin(viewer)
    return list(session.scalars(
        select(ChainCheckpoint).order_by(ChainCheckpoint.seq.desc()).limit(limit)
    ))


def fingerprint(public_key_pem: str) -> str:
    """SHA-256 of the raw public key, in groups of four hex digits."""
    key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))
