"""The server key: made once (atomically, even by two processes at once), kept private,
its public half beside it, refused clearly when the file is not a usable Ed25519 key."""

from __future__ import annotations

import hashlib
import multiprocessing
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from engine import signing
from engine.runtime import build_runtime


def test_a_new_key_is_private_with_its_public_half_beside_it(tmp_path):
    path = tmp_path / "kunci" / "signing-key.pem"
    signer = signing.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    public = serialization.load_pem_public_key((tmp_path / "kunci" / "signing-key.pem.pub")
                                               .read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signer.key_id == hashlib.sha256(raw).hexdigest()[:16]
    assert signer.public_key_pem == (tmp_path / "kunci" / "signing-key.pem.pub").read_text()
    assert sorted(p.name for p in path.parent.iterdir()) == ["signing-key.pem",
                                                              "signing-key.pem.pub"]


def test_the_same_key_is_read_back_and_signs_verifiably(tmp_path):
    first = signing.load_or_create(tmp_path / "k.pem")
    again = signing.load_or_create(tmp_path / "k.pem")
    assert first.key_id == again.key_id
    signature = first.sign(b"pesan")
    assert len(bytes.fromhex(signature)) == 64
    assert again.verify(signature, b"pesan")
    assert not again.verify(signature, b"pesan lain")
    assert not again.verify("zz" + signature[2:], b"pesan")  # not hex
    assert not again.verify(signature[:-2], b"pesan")  # too short
    other = signing.load_or_create(tmp_path / "other.pem")
    assert other.key_id != first.key_id and not other.verify(signature, b"pesan")


def test_a_missing_public_file_is_written_again(tmp_path):
    signer = signing.load_or_create(tmp_path / "k.pem")
    (tmp_path / "k.pem.pub").unlink()
    assert signing.load_or_create(tmp_path / "k.pem").key_id == signer.key_id
    assert (tmp_path / "k.pem.pub").read_text() == signer.public_key_pem


def _make_key(path: str, barrier, results) -> None:
    barrier.wait()  # all start together: each sees no key and makes one
    results.put(signing.load_or_create(signing.Path(path)).key_id)


def test_processes_making_the_key_at_once_end_with_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        path = tmp_path / f"race-{attempt}" / "signing-key.pem"
        barrier, results = context.Barrier(3), context.Queue()
        workers = [context.Process(target=_make_key, args=(str(path), barrier, results))
                   for _ in range(3)]
        for worker in workers:
            worker.start()
        ids = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(ids)) == 1, ids
        assert signing.load_or_create(path).key_id == ids[0]
        leftovers = [p.name for p in path.parent.iterdir()]
        assert sorted(leftovers) == ["signing-key.pem", "signing-key.pem.pub"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"bukan kunci", "not a PEM private key"),
        (rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), "not an Ed25519 private key"),
    ],
    ids=["garbage", "rsa"],
)
def test_a_file_that_is_no_ed25519_key_is_refused_and_kept(tmp_path, content, words):
    path = tmp_path / "signing-key.pem"
    path.write_bytes(content)
    with pytest.raises(signing.SigningKeyError, match=words) as refused:
        signing.load_or_create(path)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == content  # never replaced: old signatures must stay checkable


def test_an_unreadable_key_file_is_refused_clearly(tmp_path):
    path = tmp_path / "signing-key.pem"
    path.mkdir()  # exists, but cannot be read as a file (chmod does not stop root)
    with pytest.raises(signing.SigningKeyError, match="cannot read the signing key"):
        signing.load_or_create(path)


def test_the_head_message_is_canonical_json():
    assert signing.head_message(7, 12, "ab" * 32) == (
        b'{"alur":"instance-head/1","event_count":12,"instance_id":7,"last_hash":"'
        + b"ab" * 32 + b'"}'
    )
    assert signing.head_message(7, 0, None).endswith(b'"last_hash":null}')


def test_the_runtime_reads_the_key_on_first_use_only(tmp_path):
    path = tmp_path / "lazy" / "signing-key.pem"
    runtime = build_runtime(signing_key_file=path)
    assert not path.exists()
    signer = runtime.signer
    assert path.exists() and runtime.signer is signer
    assert build_runtime(signing_key_file=path).signer.key_id == signer.key_id


def test_the_test_session_key_lives_outside_the_repo(signing_key_file):
    from engine.config import PROJECT_ROOT

    assert build_runtime().settings.signing_key_path == signing_key_file
    assert PROJECT_ROOT not in signing_key_file.parents
