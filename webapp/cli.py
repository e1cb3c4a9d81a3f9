"""`flask alur ...`: migrate, deploy, seed and run the timer worker.

Each command is one unit of work; a refused deploy prints every problem with its
element id and exits non-zero, and its rejection is recorded in the audit log.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from engine.db import unit_of_work
from engine.errors import DomainError
from engine.migrations import upgrade_database
from engine.services import demo, deployments, holidays, timers

log = logging.getLogger(__name__)
cli = AppGroup("alur", help="Alur Kinerja administration commands.")


def _factory():
    return current_app.extensions["alur"].session_factory


def _now() -> datetime:
    return datetime.now(UTC)


@cli.command("migrate")
def migrate_command() -> None:
    """Bring the database schema to the newest migration."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("database is at the newest schema")


@cli.command("deploy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--forms",
    "forms_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="folder of <key>.form.json files (default: forms/ of the project)",
)
@click.option(
    "--lanes",
    "lanes_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="lane -> role mapping (default: lane-roles.toml beside the diagram)",
)
def deploy_command(path: Path, forms_dir: Path | None, lanes_file: Path | None) -> None:
    """Validate and deploy a BPMN diagram with its forms."""
    settings = current_app.extensions["alur"].settings
    data = path.read_bytes()
    try:
        forms = deployments.load_forms_dir(forms_dir or settings.forms_dir)
        lanes = deployments.load_lane_roles(lanes_file or path.parent / "lane-roles.toml")
        with unit_of_work(_factory()) as session:
            result = deployments.deploy_diagram(
                session, data, filename=path.name, forms=forms, lane_roles=lanes, now=_now()
            )
            number, created = result.version.version, result.created
            session.commit()
    except DomainError as error:
        _report_refusal(path, data, error)
        sys.exit(1)
    click.echo(f"{'deployed' if created else 'unchanged'}: {path.name} version {number}")


def _report_refusal(path: Path, data: bytes, error: DomainError) -> None:
    click.echo(f"refused: {path.name}: {error.message}", err=True)
    for problem in error.details.get("problems", []) if isinstance(error.details, dict) else []:
        click.echo(f"  - {problem.get('element_id') or '-'}: {problem.get('message')}", err=True)
    with unit_of_work(_factory()) as session:
        deployments.record_rejected_deploy(
            session, filename=path.name, data=data, error=error, now=_now()
        )
        session.commit()


@cli.command("seed-demo")
def seed_demo_command() -> None:
    """Demo OPDs, users for every role, the indicator catalogue and the holiday table."""
    now = _now()
    with unit_of_work(_factory()) as session:
        added = holidays.seed_holidays(session, range(now.year - 1, now.year + 2), now)
        counts = demo.seed_demo(session, now)
        session.commit()
    click.echo(
        f"holidays added: {added}; opds: {counts['opds']}; users added: {counts['users']}; "
        f"indicators added: {counts['indicators']}"
    )


@cli.command("seed-holidays")
@click.option("--from-year", type=int, default=None)
@click.option("--to-year", type=int, default=None)
def seed_holidays_command(from_year: int | None, to_year: int | None) -> None:
    """Add Indonesian holidays (libur nasional and cuti bersama) from the holidays package."""
    now = _now()
    years = range(from_year or now.year - 1, (to_year or now.year + 1) + 1)
    with unit_of_work(_factory()) as session:
        added = holidays.seed_holidays(session, years, now)
        session.commit()
    click.echo(f"holidays added: {added}")


@cli.command("bootstrap")
@click.option("--demo", is_flag=True, help="also add the demo OPDs, people and indicators")
@click.pass_context
def bootstrap_command(ctx: click.Context, demo: bool) -> None:
    """Everything a start needs, in one process: migrate, holidays, (demo), deploy the SOP."""
    settings = current_app.extensions["alur"].settings
    ctx.invoke(migrate_command)
    ctx.invoke(seed_holidays_command)
    if demo:
        ctx.invoke(seed_demo_command)
    ctx.invoke(deploy_command, path=settings.bpmn_dir / "sop-pengelolaan-kinerja.bpmn")


@cli.command("worker")
@click.option("--interval", type=float, default=None, help="seconds between passes")
@click.option("--once", is_flag=True, help="run one pass and exit")
def worker_command(interval: float | None, once: bool) -> None:
    """Fire due timers every few seconds (one transaction per instance)."""
    state = current_app.extensions["alur"]
    if once:
        click.echo(f"tasks opened: {timers.fire_due_timers(state.session_factory, _now)}")
        return
    run_worker_loop(state.session_factory, interval or state.settings.timer_interval_seconds)


def run_worker_loop(factory, interval: float, stop=None) -> None:
    """Loop until `stop` (a threading.Event) is set; errors are logged, never fatal."""
    log.info("timer worker started, every %.1f s", interval)
    while stop is None or not stop.is_set():
        try:
            opened = timers.fire_due_timers(factory, _now)
            if opened:
                log.info("timers opened %d task(s)", opened)
        except Exception:  # noqa: BLE001 - the loop must survive one bad instance
            log.exception("timer pass failed")
        if stop is not None:
            stop.wait(interval)
        else:
            time.sleep(interval)
