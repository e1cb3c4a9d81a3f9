"""`flask alur replay-check`: re-execute runs from their version and their events' data.

Each instance is checked in a read-only transaction of its own (engine.services.replaycheck
rebuilds it in memory; nothing is written, and a read-only session would refuse it). The
exit status is 0 when every checked run replays, 1 when one does not, 2 for a bad call
(no instance named, or one that does not exist).
"""

from __future__ import annotations

import json
import sys

import click

from engine.db import read_only
from engine.errors import NotFoundError
from engine.services import replaycheck
from webapp.cli import _factory, cli

EXIT_MISMATCH = 1
EXIT_USAGE = 2


@cli.command("replay-check")
@click.argument("instance_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="check every instance and print a summary")
def replay_check_command(instance_id: int | None, every: bool) -> None:
    """Rebuild INSTANCE_ID (or --all) from its events; non-zero exit on the first mismatch."""
    if (instance_id is None) == (not every):
        click.echo("give one INSTANCE_ID or --all", err=True)
        sys.exit(EXIT_USAGE)
    if every:
        _check_every()
    else:
        _check_one(instance_id)


def _check(instance_id: int) -> replaycheck.ReplayCheck:
    with read_only(_factory()) as session:
        return replaycheck.check_instance(session, instance_id)


def _check_one(instance_id: int) -> None:
    try:
        result = _check(instance_id)
    except NotFoundError:
        click.echo(f"instance {instance_id} not found", err=True)
        sys.exit(EXIT_USAGE)
    if result.ok:
        click.echo(result.message)
        return
    _report_mismatch(result)
    sys.exit(EXIT_MISMATCH)


def _report_mismatch(result: replaycheck.ReplayCheck, prefix: str = "") -> None:
    click.echo(f"{prefix}mismatch: {result.message}")
    for name, view in (("expected", result.expected), ("actual", result.actual)):
        click.echo(f"  {name}: {json.dumps(view, sort_keys=True, ensure_ascii=False)}")


def _check_every() -> None:
    with read_only(_factory()) as session:
        ids = replaycheck.instance_ids(session)
    mismatched = 0
    for instance_id in ids:
        result = _check(instance_id)
        if result.ok:
            click.echo(f"instance {instance_id}: {result.message}")
        else:
            mismatched += 1
            _report_mismatch(result, prefix=f"instance {instance_id}: ")
    click.echo(f"{len(ids)} instances checked: {len(ids) - mismatched} ok, "
               f"{mismatched} mismatched")
    if mismatched:
        sys.exit(EXIT_MISMATCH)
