"""`flask alur ...`: migrate, deploy, seed, run the timer worker, and manage accounts and OPDs.

Each command is one unit of work; a refused deploy prints every problem with its
element id and exits non-zero, and its rejection is recorded in the audit log.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from engine.db import read_only, unit_of_work
from engine.errors import DomainError, InvalidInputError
from engine.migrations import upgrade_database
from engine.models.users import ROLE_CODES
from engine.services import demo, deployments, holidays, sopmetadata, users
from webapp import worker

log = logging.getLogger(__name__)
cli = AppGroup("alur", help="Alur Kinerja administration commands.")


def _factory():
    return current_app.extensions["alur"].session_factory


def _now() -> datetime:
    return datetime.now(UTC)


@cli.command("migrate")
def migrate_command() -> None:
    """Bring the database schema to the newest migration."""
    from webapp.cli_audit import announce_signing_key, sign_old_heads

    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("database is at the newest schema")
    announce_signing_key(_factory())
    sign_old_heads(_factory())


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


@cli.command("sop-header")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sop_header_command(path: Path) -> None:
    """Fill in a process's SOP document header from a JSON file, unless it has one."""
    try:
        key, header = sopmetadata.read_header_file(path.read_bytes())
        with unit_of_work(_factory()) as session:
            written = sopmetadata.fill_header_if_empty(session, key, header, _now())
            session.commit()
    except DomainError as error:
        click.echo(f"refused: {path.name}: {error.message} {error.details or ''}", err=True)
        sys.exit(1)
    click.echo(f"{'written' if written else 'kept (already filled in)'}: SOP header of {key}")


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
    ctx.invoke(sop_header_command, path=settings.bpmn_dir / "sop-pengelolaan-kinerja.sop.json")


@cli.command("worker")
@click.option("--interval", type=float, default=None,
              help="longest sleep between passes, in seconds (ALUR_TIMER_INTERVAL)")
@click.option("--once", is_flag=True, help="run the jobs due now and exit")
def worker_command(interval: float | None, once: bool) -> None:
    """Run background jobs (timers, checkpoints, mail ...), one transaction each."""
    state = current_app.extensions["alur"]
    if not logging.getLogger().handlers:  # a process of its own: say what it does
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("spiff").setLevel(logging.WARNING)  # a line per task state
    if once:
        click.echo(f"jobs run: {worker.run_once(state.session_factory)}")
        return
    run_worker_loop(state.session_factory, interval or state.settings.timer_interval_seconds)


def run_worker_loop(factory, interval: float, stop=None) -> None:
    """Loop until `stop` (a threading.Event) is set; see webapp.worker."""
    worker.run_worker_loop(factory, interval, stop)


# ---- accounts and OPDs: what a real office needs before its first sign-in ------------------

user_cli = AppGroup("user", help="Accounts: add, set a password, deactivate, list.")
opd_cli = AppGroup("opd", help="OPDs (work units): add, list.")
cli.add_command(user_cli)
cli.add_command(opd_cli)


def _fail(error: DomainError) -> None:
    """One line saying what was refused, and a non-zero exit."""
    click.echo(f"refused: {error.message} ({error.code})", err=True)
    if isinstance(error.details, dict):
        for key, value in error.details.items():
            click.echo(f"  {key}: {value}", err=True)
    sys.exit(1)


def _read_password(from_stdin: bool) -> str:
    """From standard input (one line, for scripts), or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_cli.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="full name as shown on every page")
@click.option("--role", "roles", multiple=True, required=True,
              help=f"one of {', '.join(ROLE_CODES)} (repeat for several)")
@click.option("--opd", "opd_code", help="OPD code (required for pj_kinerja)")
@click.option("--nip", help="NIP (employee number)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_add_command(username, full_name, roles, opd_code, nip, password_stdin) -> None:
    """Add an account (the password is asked twice, or read with --password-stdin)."""
    unknown = sorted(set(roles) - set(ROLE_CODES))
    if unknown:  # before asking for a password that would be thrown away
        _fail(InvalidInputError("Unknown role", code="unknown_role",
                                details={"roles": unknown, "known": list(ROLE_CODES)}))
    password = _read_password(password_stdin)
    try:
        with unit_of_work(_factory()) as session:
            user = users.add_user(session, username, full_name, password, list(roles), _now(),
                                  opd_code=opd_code, nip=nip)
            summary = f"{user.username} ({', '.join(sorted(user.roles))})"
            session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"added: {summary}")


@user_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_set_password_command(username: str, password_stdin: bool) -> None:
    """Give an account a new password; its sessions and API tokens end."""
    password = _read_password(password_stdin)
    try:
        with unit_of_work(_factory()) as session:
            user = users.get_by_username(session, username)
            ended, revoked = users.set_password(session, user, password, _now())
            session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"password set for {username}; sessions ended: {ended}, tokens revoked: {revoked}")


@user_cli.command("deactivate")
@click.argument("username")
def user_deactivate_command(username: str) -> None:
    """Refuse every further sign-in; ends the account's sessions and API tokens at once."""
    try:
        with unit_of_work(_factory()) as session:
            user = users.get_by_username(session, username)
            ended, revoked = users.deactivate_user(session, user, _now())
            session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"deactivated: {username}; sessions ended: {ended}, tokens revoked: {revoked}")


@user_cli.command("list")
def user_list_command() -> None:
    """Every account: username, name, roles, OPD, active."""
    with read_only(_factory()) as session:
        rows = [(u.username, u.full_name, ",".join(sorted(u.roles)),
                 u.opd.code if u.opd else "-", "yes" if u.is_active else "no")
                for u in users.list_users(session)]
    _table(("USERNAME", "NAME", "ROLES", "OPD", "ACTIVE"), rows)


@opd_cli.command("add")
@click.argument("code")
@click.argument("name")
def opd_add_command(code: str, name: str) -> None:
    """Add an OPD by its code and full name."""
    try:
        with unit_of_work(_factory()) as session:
            opd = users.add_opd(session, code, name)
            added = f"{opd.code} {opd.name}"
            session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"added: {added}")


@opd_cli.command("list")
def opd_list_command() -> None:
    """Every OPD: code, name, active."""
    with read_only(_factory()) as session:
        rows = [(o.code, o.name, "yes" if o.is_active else "no") for o in users.list_opds(session)]
    _table(("CODE", "NAME", "ACTIVE"), rows)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


# The audit commands live in their own modules and add themselves to `cli`.
from webapp import cli_audit, cli_replay  # noqa: E402,F401
