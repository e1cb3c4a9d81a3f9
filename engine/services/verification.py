"""Verify the log against someone with database access: chains, signed heads, checkpoints
and the documents the chain vouches for.

For one instance (`verify_instance`), in this order of evidence:
- its chain: every event follows the one before (seq without gaps, `prev_hash` = the
  previous hash) and has the hash its fields give (engine.services.audit);
- its head: the chain ends at the count and last hash the instance row stores;
- the head's signature, made with the server key (engine.signing) at every append: a chain
  rewritten together with its head in the database is unsigned or wrongly signed;
- every checkpoint entry of the instance (engine.services.checkpoints): the event at seq =
  the entry's count must have the entry's hash, and an entry beyond the chain's end means
  events were removed (a rollback to an older signed head shows here); the checkpoints used
  must themselves hold (digest of their heads, hash, signature, link to the one before);
- every `document_added` event: the stored file's bytes still have the SHA-256 the event
  recorded.

The verdict names the first broken event (`broken_seq`): of every problem found, the one
at the lowest seq. A chain rewritten from event k on is found at the first checkpointed
event at or after k (checkpoints cannot see between their entries); its head signature
fails too (`signature_ok`). `verify_all` streams every instance's events in one ordered
query (then the global chain, and, when asked, the checkpoint chain itself).

Speed matters (an auditor verifies everything): events are read as plain rows of the
hashed columns with yield_per, never as ORM objects.

Runs keep moving while they are verified. SQLite's read transaction is one snapshot; on
PostgreSQL every statement sees what is committed when it starts, so everything is read
in an order where nothing read later can be older (checkpoints, then their entries, then
the events), and events found beyond a head that has since moved are followed up to the
newer head (`_catch_up`) instead of being reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, aliased

from engine.errors import N_, NotFoundError
from engine.events import EventType
from engine.models import Document, ProcessInstance
from engine.models.trust import ChainCheckpoint, CheckpointHead
from engine.runtime import runtime_of
from engine.services import checkpoints, history
from engine.signing import Signer, head_message
from engine.storage import Storage, StoredFileMissing
from engine.storage.factory import storage_of

# Problems in the order they win a tie at the same seq (the more basic evidence first).
PROBLEMS = (
    "events_missing",
    "link_broken",
    "hash_mismatch",
    "events_extra",
    "head_mismatch",
    "checkpoint_invalid",
    "checkpoint_mismatch",
    "head_unsigned",
    "head_signature_invalid",
    "document_missing",
    "document_changed",
)
MESSAGES = {
    "link_broken": N_("The chain breaks at event %(seq)s: it does not follow the event before it"),
    "hash_mismatch": N_("Event %(seq)s was changed after it was recorded"),
    "events_missing": N_("Events are missing from event %(seq)s on"),
    "events_extra": N_("Event %(seq)s and those after it lie beyond the run's recorded head"),
    "head_mismatch": N_("The run's recorded head does not match event %(seq)s"),
    "head_unsigned": N_("The run's head (event %(seq)s) is not signed"),
    "head_signature_invalid": N_("The signature of the run's head (event %(seq)s) does not hold"),
    "checkpoint_mismatch": N_("Event %(seq)s differs from what checkpoint %(checkpoint)s recorded"),
    "checkpoint_invalid": N_(
        "Checkpoint %(checkpoint)s, which records event %(seq)s, was changed after it was signed"
    ),
    "document_changed": N_(
        "The document of event %(seq)s (%(filename)s) differs from the one uploaded"
    ),
    "document_missing": N_("The document of event %(seq)s (%(filename)s) is missing"),
}
UNKNOWN_KEY = N_("The run's head (event %(seq)s) is signed with an unknown key (%(key_id)s)")
CHAIN_OK = N_("Verified: %(events)s events, their head and %(checkpoints)s checkpoint entries hold")
CHECKPOINTS_OK = N_("Verified: %(checkpoints)s checkpoints are intact and signed")
CHECKPOINT_CHANGED = N_("Checkpoint %(checkpoint)s was changed after it was signed")
CHECKPOINT_GONE = N_("Checkpoint %(checkpoint)s is missing")

DOCUMENT_ADDED = EventType.DOCUMENT_ADDED.value
CATCH_UP_ROUNDS = 20  # see _catch_up
FILE_CHUNK = 1024 * 1024


@dataclass
class Verdict:
    """What verifying one chain found. `broken_seq` is the first broken event (for the
    checkpoint chain, `chain == "checkpoints"`, the first broken checkpoint); `message` is
    an English msgid with `params`; `signature_ok` says whether the head's signature holds
    (the global chain has no stored head: its heads are signed in the checkpoints)."""

    instance_id: int | None
    ok: bool
    events_checked: int
    broken_seq: int | None
    problem: str | None
    message: str
    params: dict
    signature_ok: bool
    checkpoints_checked: int
    documents_checked: int
    chain: str = "instance"  # "instance", "global" or "checkpoints"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Problem:
    seq: int
    code: str
    params: dict = field(default_factory=dict)
    message: str | None = None

    def rank(self) -> tuple[int, int]:
        return (self.seq, PROBLEMS.index(self.code))


@dataclass
class _Entries:
    """One chain's checkpoint entries: seq -> [(hash, checkpoint seq)], from sound
    checkpoints; and the entries of checkpoints that do not hold."""

    by_seq: dict[int, list[tuple[str | None, int]]] = field(default_factory=dict)
    invalid: list[tuple[int, int]] = field(default_factory=list)  # (event count, checkpoint)
    count: int = 0

    @classmethod
    def of(cls, rows, checked: _Checked) -> _Entries:
        """From rows of _entries_query. Entries of a checkpoint written after the checkpoints
        were checked (a worker wrote one meanwhile) are left for the next verification."""
        entries = cls()
        for row in rows:
            if row.checkpoint_id not in checked.seen:
                continue
            entries.count += 1
            if row.checkpoint_id in checked.sound:
                found = entries.by_seq.setdefault(row.event_count, [])
                found.append((row.last_hash, row.checkpoint_seq))
            else:
                entries.invalid.append((row.event_count, row.checkpoint_seq))
        return entries


@dataclass
class _Checked:
    """The checkpoints looked at (ids), and those of them that hold."""

    seen: set[int] = field(default_factory=set)
    sound: set[int] = field(default_factory=set)


@dataclass
class _Walk:
    count: int = 0
    last_hash: str | None = None
    problem: _Problem | None = None
    documents: list[tuple[int, dict]] = field(default_factory=list)


@dataclass
class _Context:
    """What verifying many chains shares: the key, where documents live, files hashed."""

    signer: Signer
    storage: Storage
    file_digests: dict[str, str | None] = field(default_factory=dict)


# ---- the public entry points ----------------------------------------------------------------

def verify_instance(
    session: Session, instance_id: int, *, storage_dir: Path | None = None,
    storage: Storage | None = None,
) -> Verdict:
    """Verify one instance; NotFoundError when there is none. Documents are read from the
    runtime's storage (engine.storage), or `storage`, or the local folder `storage_dir`."""
    context = _context(session, storage_dir, storage)
    head = _head_of(session, instance_id)
    checked = _checked_for(session, context.signer, instance_id)
    entries = _Entries.of(
        session.execute(_entries_query().where(CheckpointHead.instance_id == instance_id)),
        checked,
    )
    walk = _walk(history.chain_rows(session, instance_id, raw=True), entries.by_seq)
    head = _catch_up(session, head, walk, entries)
    return _judge(session, context, head, walk, entries)


def _catch_up(session: Session, head: Row, walk: _Walk, entries: _Entries) -> Row:
    """The head the walked events end at, when the run moved while it was being read.

    On PostgreSQL each statement of a read transaction sees what is committed when it runs:
    events appended after the head was read look like events beyond it. If the head read
    again has reached them, they were appended properly: walk on to that head (a few times
    at most, for a run that keeps moving). A head that stays behind its events is judged."""
    for _round in range(CATCH_UP_ROUNDS):
        if walk.problem is not None or walk.count <= head.event_count:
            break
        newer = _head_of(session, head.id)
        if newer.event_count < walk.count:
            break
        head = newer
        _walk(history.chain_rows(session, head.id, raw=True, after=walk.count),
              entries.by_seq, walk)
    return head


def verify_all(
    session: Session, *, storage_dir: Path | None = None, checkpoints: bool = False
) -> Iterator[Verdict]:
    """Every instance (in id order), then the global chain (instance_id None); with
    `checkpoints=True` last the checkpoint chain itself (chain "checkpoints").

    The heads, then the checkpoint entries, then the events are each read in one ordered
    stream (in that order, so nothing read later is older); a chain found with events
    beyond its head is verified again on its own (see verify_instance)."""
    context = _context(session, storage_dir)
    chain_verdict, checked = _checkpoint_chain(session, context.signer)
    heads = session.execute(
        _heads_query().order_by(ProcessInstance.id).execution_options(yield_per=500)
    )
    entries = _ByInstance(iter(session.execute(
        _entries_query()
        .where(CheckpointHead.instance_id.is_not(None))
        .order_by(CheckpointHead.instance_id, CheckpointHead.event_count)
        .execution_options(yield_per=history.STREAM_BATCH)
    )))
    events = _ByInstance(history.all_instance_rows(session))
    for head in heads:
        found = _Entries.of(entries.take(head.id), checked)
        verdict = _judge(session, context, head, _walk(events.take(head.id), found.by_seq), found)
        if verdict.problem == "events_extra":
            verdict = verify_instance(session, head.id, storage=context.storage)
        yield verdict
    yield _verify_global(session, context, checked)
    if checkpoints:
        yield chain_verdict


def verify_global(session: Session) -> Verdict:
    """The global chain (deploys, sign-ins, refused uploads) against its checkpoints."""
    context = _context(session, None)
    return _verify_global(session, context, _checkpoint_chain(session, context.signer)[1])


def verify_checkpoints(session: Session) -> Verdict:
    """The checkpoint chain itself: seq without gaps, links, digests, hashes, signatures."""
    return _checkpoint_chain(session, runtime_of(session).signer)[0]


# ---- one chain ------------------------------------------------------------------------------

def _head_of(session: Session, instance_id: int) -> Row:
    head = session.execute(_heads_query().where(ProcessInstance.id == instance_id)).first()
    if head is None:
        raise NotFoundError("Instance not found", code="instance_not_found")
    return head


def _context(
    session: Session, storage_dir: Path | None, storage: Storage | None = None
) -> _Context:
    return _Context(runtime_of(session).signer, storage or storage_of(session, storage_dir))


def _heads_query():
    return select(
        ProcessInstance.id,
        ProcessInstance.event_count,
        ProcessInstance.last_event_hash,
        ProcessInstance.head_signature,
        ProcessInstance.head_key_id,
    )


def _entries_query():
    return select(
        CheckpointHead.instance_id,
        CheckpointHead.event_count,
        CheckpointHead.last_hash,
        CheckpointHead.checkpoint_id,
        ChainCheckpoint.seq.label("checkpoint_seq"),
    ).join(ChainCheckpoint, ChainCheckpoint.id == CheckpointHead.checkpoint_id)


def _judge(session, context: _Context, head: Row, walk: _Walk, entries: _Entries) -> Verdict:
    """One instance, its events walked: its head, signature, checkpoints and documents."""
    signature = _signature_problem(context.signer, head)
    found = [
        walk.problem,
        _head_problem(walk, head.event_count, head.last_event_hash),
        _beyond_end(walk, entries),
        _invalid_checkpoint(entries),
        signature,
    ]
    first = _first(found)
    documents = [doc for doc in walk.documents if first is None or doc[0] < first.seq]
    document_problem, checked = _document_problem(session, context, head.id, documents)
    return _verdict(
        head.id,
        walk,
        _first([first, document_problem]),
        signature_ok=signature is None,
        checkpoints=entries.count,
        documents=checked,
    )


def _verify_global(session: Session, context: _Context, checked: _Checked) -> Verdict:
    entries = _Entries.of(
        session.execute(_entries_query().where(CheckpointHead.instance_id.is_(None))), checked
    )
    walk = _walk(history.chain_rows(session, None, raw=True), entries.by_seq)
    first = _first([walk.problem, _beyond_end(walk, entries), _invalid_checkpoint(entries)])
    return _verdict(
        None, walk, first, signature_ok=True, checkpoints=entries.count, documents=0,
        chain="global",
    )


def _walk(rows, expected: dict, walk: _Walk | None = None) -> _Walk:
    """Recompute the chain event by event (rows of history.RAW_COLUMNS); stop at the first
    event that does not hold. With `walk`, go on from where it ended."""
    walk = walk or _Walk()
    prev, seq = walk.last_hash, walk.count
    for row in rows:
        seq += 1
        problem = _event_problem(row, seq, prev, expected)
        if problem is not None:
            walk.problem = problem
            break
        if row[2] == DOCUMENT_ADDED:
            walk.documents.append((seq, _payload(row[7])))
        prev = row[10]
        walk.count = seq
    walk.last_hash = prev
    return walk


def _event_problem(row, seq: int, prev: str | None, expected: dict) -> _Problem | None:
    row_seq, prev_hash, stored = row[1], row[9], row[10]
    if row_seq != seq:
        return _Problem(seq, "events_missing" if row_seq > seq else "link_broken")
    if prev_hash != prev:
        return _Problem(seq, "link_broken")
    if history.raw_row_hash(row, prev) != stored:
        return _Problem(seq, "hash_mismatch")
    for recorded, checkpoint_seq in expected.get(seq, ()):
        if recorded != stored:
            return _Problem(seq, "checkpoint_mismatch", {"checkpoint": checkpoint_seq})
    return None


def _payload(value) -> dict:
    decoded = json.loads(value) if isinstance(value, str) else value
    return decoded if isinstance(decoded, dict) else {}


def _head_problem(walk: _Walk, stored_count: int, stored_hash: str | None) -> _Problem | None:
    """Where a chain whose events all hold differs from the head its instance row stores."""
    if walk.problem is not None:
        return None
    if walk.count < stored_count:
        return _Problem(walk.count + 1, "events_missing")
    if walk.count > stored_count:
        return _Problem(stored_count + 1, "events_extra")
    if walk.last_hash != stored_hash:
        return _Problem(max(walk.count, 1), "head_mismatch")
    return None


def _beyond_end(walk: _Walk, entries: _Entries) -> _Problem | None:
    """A checkpoint saw the chain longer than it is now: its end was cut off."""
    if walk.problem is not None:
        return None
    beyond = [(count, checkpoint) for count, found in entries.by_seq.items() if count > walk.count
              for _hash, checkpoint in found]
    if not beyond:
        return None
    return _Problem(walk.count + 1, "events_missing", {"checkpoint": min(beyond)[1]})


def _invalid_checkpoint(entries: _Entries) -> _Problem | None:
    if not entries.invalid:
        return None
    count, checkpoint = min(entries.invalid)
    return _Problem(max(count, 1), "checkpoint_invalid", {"checkpoint": checkpoint})


def _signature_problem(signer: Signer, head: Row) -> _Problem | None:
    """The stored head's signature: present, by our key, and over this very head."""
    if head.event_count == 0 and head.head_signature is None:
        return None
    seq = max(head.event_count, 1)
    if head.head_signature is None:
        return _Problem(seq, "head_unsigned")
    if head.head_key_id != signer.key_id:
        return _Problem(seq, "head_signature_invalid", {"key_id": head.head_key_id or "-"},
                        UNKNOWN_KEY)
    message = head_message(head.id, head.event_count, head.last_event_hash)
    if not signer.verify(head.head_signature, message):
        return _Problem(seq, "head_signature_invalid")
    return None


def _first(problems) -> _Problem | None:
    found = [problem for problem in problems if problem is not None]
    return min(found, key=_Problem.rank) if found else None


def _verdict(instance_id, walk: _Walk, problem: _Problem | None, *, signature_ok: bool,
             checkpoints: int, documents: int, chain: str = "instance") -> Verdict:
    if problem is None:
        message = CHAIN_OK
        params = {"events": walk.count, "checkpoints": checkpoints}
    else:
        message = problem.message or MESSAGES[problem.code]
        params = {**problem.params, "seq": problem.seq}
    return Verdict(
        instance_id=instance_id,
        ok=problem is None,
        events_checked=walk.count,
        broken_seq=problem.seq if problem else None,
        problem=problem.code if problem else None,
        message=message,
        params=params,
        signature_ok=signature_ok,
        checkpoints_checked=checkpoints,
        documents_checked=documents,
        chain=chain,
    )


# ---- documents ------------------------------------------------------------------------------

def _document_problem(
    session: Session, context: _Context, instance_id: int, documents: list[tuple[int, dict]]
) -> tuple[_Problem | None, int]:
    """The first document_added event whose stored file is gone or has other bytes."""
    if not documents:
        return None, 0
    stored = {
        row.id: row
        for row in session.execute(
            select(Document.id, Document.sha256, Document.storage_key).where(
                Document.instance_id == instance_id
            )
        )
    }
    for checked, (seq, payload) in enumerate(documents, start=1):
        code = _document_state(context, stored.get(payload.get("document_id")), payload)
        if code is not None:
            return _Problem(seq, code, {"filename": payload.get("filename", "")}), checked
    return None, len(documents)


def _document_state(context: _Context, row: Row | None, payload: dict) -> str | None:
    if row is None:
        return "document_missing"
    recorded = payload.get("sha256")
    if row.sha256 != recorded:
        return "document_changed"
    digest = _file_digest(context, row.storage_key)
    if digest is None:
        return "document_missing"
    return None if digest == recorded else "document_changed"


def _file_digest(context: _Context, storage_key: str) -> str | None:
    """SHA-256 of the stored file, streamed from the storage (None if gone, or if its key
    names nothing, such as one outside the folder), once per verify."""
    if storage_key not in context.file_digests:
        context.file_digests[storage_key] = _hash_file(context.storage, storage_key)
    return context.file_digests[storage_key]


def _hash_file(storage: Storage, storage_key: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with storage.open(storage_key) as handle:
            while chunk := handle.read(FILE_CHUNK):
                digest.update(chunk)
    except (StoredFileMissing, OSError):
        return None
    return digest.hexdigest()


# ---- checkpoints ----------------------------------------------------------------------------

def _checkpoint_rows(session: Session, where=None):
    """Checkpoints (seq order) with the hash of the one before and their heads, streamed."""
    prev = aliased(ChainCheckpoint)
    query = (
        select(
            ChainCheckpoint.id, ChainCheckpoint.seq, ChainCheckpoint.created_at,
            ChainCheckpoint.key_id, ChainCheckpoint.head_count, ChainCheckpoint.heads_digest,
            ChainCheckpoint.prev_hash, ChainCheckpoint.hash, ChainCheckpoint.signature,
            prev.hash.label("before_hash"), prev.id.label("before_id"),
            CheckpointHead.instance_id, CheckpointHead.event_count, CheckpointHead.last_hash,
        )
        .outerjoin(prev, prev.seq == ChainCheckpoint.seq - 1)
        .outerjoin(CheckpointHead, CheckpointHead.checkpoint_id == ChainCheckpoint.id)
        .order_by(ChainCheckpoint.seq)
    )
    if where is not None:
        query = query.where(where)
    rows = session.execute(query.execution_options(yield_per=history.STREAM_BATCH))
    for _seq, group in groupby(rows, key=lambda row: row.seq):
        members = list(group)
        heads = [(r.instance_id, r.event_count, r.last_hash) for r in members if r.event_count
                 is not None]
        yield members[0], heads


def _checkpoint_fault(signer: Signer, checkpoint: Row, heads: list) -> str | None:
    """Why a checkpoint does not hold (a short reason), or None."""
    if checkpoint.seq > 1 and checkpoint.before_id is None:
        return "previous_missing"
    faults = (
        ("link", checkpoint.prev_hash != (checkpoint.before_hash if checkpoint.seq > 1 else None)),
        ("head_count", checkpoint.head_count != len(heads)),
        ("heads_digest", checkpoint.heads_digest != checkpoints.heads_digest(heads)),
        ("hash", checkpoint.hash != _recomputed_hash(checkpoint)),
        ("key", checkpoint.key_id != signer.key_id),
        ("signature", not signer.verify(
            checkpoint.signature, checkpoints.checkpoint_message(checkpoint.hash))),
    )
    return next((reason for reason, failed in faults if failed), None)


def _recomputed_hash(checkpoint: Row) -> str:
    return checkpoints.checkpoint_hash(
        seq=checkpoint.seq,
        created_at=checkpoint.created_at,
        key_id=checkpoint.key_id,
        head_count=checkpoint.head_count,
        heads_digest=checkpoint.heads_digest,
        prev_hash=checkpoint.prev_hash,
    )


def _checked_for(session: Session, signer: Signer, instance_id: int) -> _Checked:
    """The checkpoints listing `instance_id`, each checked."""
    mine = select(CheckpointHead.checkpoint_id).where(CheckpointHead.instance_id == instance_id)
    checked = _Checked()
    for checkpoint, heads in _checkpoint_rows(session, ChainCheckpoint.id.in_(mine)):
        checked.seen.add(checkpoint.id)
        if _checkpoint_fault(signer, checkpoint, heads) is None:
            checked.sound.add(checkpoint.id)
    return checked


def _checkpoint_chain(session: Session, signer: Signer) -> tuple[Verdict, _Checked]:
    """The whole checkpoint chain: its verdict, and which checkpoints hold."""
    checked = _Checked()
    first: _Problem | None = None
    count = 0
    for checkpoint, heads in _checkpoint_rows(session):
        count += 1
        checked.seen.add(checkpoint.id)
        fault = _checkpoint_fault(signer, checkpoint, heads)
        if fault is None:
            checked.sound.add(checkpoint.id)
        if first is None:
            first = _broken_checkpoint(count, checkpoint.seq, fault)
    verdict = Verdict(
        instance_id=None,
        ok=first is None,
        events_checked=0,
        broken_seq=first.seq if first else None,
        problem=first.code if first else None,
        message=first.message if first else CHECKPOINTS_OK,
        params={**first.params, "seq": first.seq} if first else {"checkpoints": count},
        signature_ok=first is None,
        checkpoints_checked=count,
        documents_checked=0,
        chain="checkpoints",
    )
    return verdict, checked


def _broken_checkpoint(expected_seq: int, seq: int, fault: str | None) -> _Problem | None:
    """A gap before this checkpoint (one was deleted), or this one not holding."""
    if seq != expected_seq:
        params = {"checkpoint": expected_seq, "reason": "missing"}
        return _Problem(expected_seq, "checkpoint_invalid", params, CHECKPOINT_GONE)
    if fault is not None:
        params = {"checkpoint": seq, "reason": fault}
        return _Problem(seq, "checkpoint_invalid", params, CHECKPOINT_CHANGED)
    return None


# ---- streaming many chains at once ----------------------------------------------------------

class _ByInstance:
    """Rows ordered by instance_id, handed out one instance at a time (a merge join)."""

    def __init__(self, rows: Iterator[Row]):
        self._rows = rows
        self._next = next(rows, None)

    def take(self, instance_id: int) -> Iterator[Row]:
        while self._next is not None and self._next.instance_id < instance_id:
            self._next = next(self._rows, None)  # the rest of a chain a walk stopped in
        while self._next is not None and self._next.instance_id == instance_id:
            row, self._next = self._next, next(self._rows, None)
            yield row
