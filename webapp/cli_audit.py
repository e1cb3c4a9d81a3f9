"""`flask alur verify [INSTANCE_ID]` and `flask alur checkpoint`.

`verify` checks one instance, or every instance, the global chain and the checkpoint chain
(engine.services.verification) in one read transaction, prints one line per chain ("ok"
or the problem with the first broken event) and a summary, and exits non-zero when
anything is broken, so it can run from cron or CI. `checkpoint` writes one signed
checkpoint of the heads that moved now, as the worker's recurring job does periodically.
"""

from __future__ import annotations

import logging
import sys

import click

from engine.db import RUNTIME_KEY, read_only, unit_of_work
from engine.errors import NotFoundError
from engine.services import checkpoints, verification
from engine.signing import SigningKeyError
from webapp.cli import _factory, _now, cli

log = logging.getLogger(__name__)


@cli.command("verify")
@click.argument("instance_id", type=int, required=False)
def verify_command(instance_id: int | None) -> None:
    """Verify one run's history (chain, signed head, checkpoints, documents), or all."""
    broken = 0
    with read_only(_factory()) as session:
        if instance_id is not None:
            try:
                verdicts = [verification.verify_instance(session, instance_id)]
            except NotFoundError:
                click.echo(f"instance {instance_id}: not found", err=True)
                sys.exit(2)
        else:
            verdicts = verification.verify_all(session, checkpoints=True)
        counted = 0
        for verdict in verdicts:
            counted += 1
            broken += not verdict.ok
            click.echo(describe(verdict), err=not verdict.ok)
    click.echo(f"verified {counted} chain(s): {counted - broken} ok, {broken} broken")
    if broken:
        sys.exit(1)


def describe(verdict: verification.Verdict) -> str:
    """One line: which chain, then "ok" or where and how it breaks."""
    name = {"global": "global chain", "checkpoints": "checkpoint chain"}.get(
        verdict.chain, f"instance {verdict.instance_id}"
    )
    text = verdict.message % verdict.params
    if verdict.ok:
        return f"{name}: ok ({text})"
    where = "checkpoint" if verdict.chain == "checkpoints" else "event"
    return f"{name}: BROKEN at {where} {verdict.broken_seq}: {verdict.problem}: {text}"


@cli.command("checkpoint")
def checkpoint_command() -> None:
    """Write one signed checkpoint of every chain head that moved since the last one."""
    with unit_of_work(_factory()) as session:
        written = checkpoints.write_checkpoint(session, _now())
        summary = f"checkpoint {written.seq}: {written.head_count} head(s)" if written else None
        session.commit()
    click.echo(summary or "no head moved since the last checkpoint: nothing written")


# ---- used by `flask alur migrate` (webapp.cli); the worker's checkpoints are a recurring
# job (engine.services.recurring) --------------------------

def announce_signing_key(factory) -> None:
    """Make the server key now if there is none (engine.signing), and say where it is: the
    admin backs it up before the first run is recorded, not after."""
    runtime = factory.kw["info"][RUNTIME_KEY]
    path = runtime.settings.signing_key_path
    try:
        signer = runtime.signer
    except SigningKeyError as error:
        click.echo(f"signing key unusable: {error}", err=True)
        sys.exit(1)
    click.echo(f"signing key {signer.key_id} at {path} (back it up; public key: {path}.pub)")


def sign_old_heads(factory) -> None:
    """Runs made before heads were signed get their signature once, if their chain holds;
    a chain that does not is left unsigned and named."""
    with unit_of_work(factory) as session:
        done = checkpoints.sign_unsigned_heads(session)
        session.commit()
    if done.signed:
        click.echo(f"signed the head of {len(done.signed)} run(s) made before heads were signed")
    for instance_id, seq in done.refused:
        click.echo(f"not signed: instance {instance_id}: its chain breaks at event {seq} "
                   f"(see: flask alur verify {instance_id})", err=True)
