"""A version's heatmap: how long each step took over all the runs of one deployed version,
measured against the step's Waktu (its SOP allowance in working days).

Every completed pass of a user task is one sample: a row revised twice counts three times,
and each OPD's row 11 counts once per OPD and period. Open passes are not measured (they
have not ended), but are counted as `open`, and as `open_late` when already past their due
date. Durations and lateness come from engine.services.durations (the one definition the
replay and the PDF share); the colour band comes from the median relative to the Waktu,
never relative to the other steps, so a step that is slow everywhere still shows late.

A step of a deadline group (rows 1-5 share five days) is measured against its own Waktu;
a step without one is "no Waktu" and stays neutral. Filters: a period (0 = planning, rows
1-10) and an OPD (then only that OPD's own passes, rows 10-12, are counted).

Reads the task table, never the event log: one query for the passes, holidays once.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import DateTime, select, type_coerce
from sqlalchemy.orm import Session

from engine.errors import InvalidInputError, NotFoundError
from engine.models import Definition, DefinitionVersion, HumanTask, Opd, ProcessInstance, User
from engine.models.tasks import TASK_CANCELLED, TASK_OPEN
from engine.runtime import runtime_of
from engine.services import access, diagramviews, versions
from engine.services.deadlines import WorkingCalendar
from engine.services.durations import PassTiming, pass_timing, ratio

# Colour bands of the median relative to the Waktu: (upper bound inclusive, band).
BANDS = ((0.5, "fast"), (1.0, "on_time"), (1.5, "over"))
BAND_LATE = "late"  # above the last bound
BAND_NO_DATA = "no_data"  # no completed pass yet
BAND_NO_WAKTU = "no_waktu"  # the step has no Waktu of its own
SLOWEST = 10
MAX_PERIOD = 9999
_STAMP = DateTime(timezone=True)  # the driver's value, without engine.db.UTCDateTime's work


@dataclass
class _Samples:
    """What one activity (or one OPD) gathered over the passes."""

    days: list[int] = field(default_factory=list)
    late: int = 0
    open: int = 0
    open_late: int = 0

    def add(self, timing: PassTiming, also: _Samples | None) -> None:
        """A completed pass, counted here and in `also` (its OPD's samples)."""
        self.days.append(timing.days)
        self.late += timing.late
        if also is not None:
            also.add(timing, None)

    def add_open(self, late: bool, also: _Samples | None) -> None:
        self.open += 1
        self.open_late += late
        if also is not None:
            also.add_open(late, None)


# ---- reading -----------------------------------------------------------------------------

def heatmap_of(
    session: Session,
    viewer: User,
    version_id: int,
    now: datetime,
    *,
    period_no: int | None = None,
    opd_code: str | None = None,
) -> dict:
    """The whole heatmap of one version (JSON-able); audit readers only."""
    access.ensure_audit_reader(viewer)
    version = _get_version(session, version_id)
    _check_period(period_no)
    periods, opds = _filter_options(session, version.id)
    opd_id = _opd_id(session, opd_code, opds)
    rows = _passes(session, version.id, period_no, opd_id)
    calendar = _calendar(session, rows, now)
    by_element, by_opd = _gather(rows, calendar, now)
    activities = _activities(versions.content_of(session, version).activities, by_element)
    return {
        "version": _version_dict(version),
        "versions": _sibling_versions(session, version),
        "filters": {"period": period_no, "opd": opd_code},
        "instances": len({row[6] for row in rows}),
        "activities": activities,
        "slowest": _slowest(activities),
        "late_opds": _late_opds(by_opd, opds),
        "periods": periods,
        "opds": [{"code": code, "name": name} for code, name in
                 sorted(opds.values(), key=lambda pair: (pair[1], pair[0]))],
    }


def version_id_of(session: Session, viewer: User, key: str, number: int) -> int:
    """The id of version `number` of definition `key`, for audit readers (404 otherwise)."""
    access.ensure_audit_reader(viewer)
    found = session.scalar(
        select(DefinitionVersion.id)
        .join(Definition, Definition.id == DefinitionVersion.definition_id)
        .where(Definition.key == key, DefinitionVersion.version == number)
    )
    if found is None:
        raise NotFoundError("There is no such process version", code="version_not_found",
                            details={"definition": key, "version": number})
    return found


def _get_version(session: Session, version_id: int) -> DefinitionVersion:
    version = session.get(DefinitionVersion, version_id)
    if version is None:
        raise NotFoundError("There is no such process version", code="version_not_found")
    return version


def _check_period(period_no: int | None) -> None:
    if period_no is None:
        return
    if isinstance(period_no, bool) or not isinstance(period_no, int) or \
            not 0 <= period_no <= MAX_PERIOD:
        raise InvalidInputError("A period is a whole number from 0 (planning) upwards",
                                code="invalid_parameter",
                                details={"period": ["Not a period number"]})


def _opd_id(session: Session, code: str | None, known: dict[int, tuple[str, str]]) -> int | None:
    """The OPD's id; an OPD without passes in this version is valid (an empty map), an
    unknown code is refused."""
    if code is None:
        return None
    for opd_id, (known_code, _name) in known.items():
        if known_code == code:
            return opd_id
    opd = session.scalars(select(Opd).where(Opd.code == code)).first()
    if opd is None:
        raise InvalidInputError("There is no OPD with this code", code="unknown_opd",
                                details={"opd": ["No OPD with this code"]})
    known[opd.id] = (opd.code, opd.name)
    return opd.id


def _filter_options(session: Session, version_id: int
                    ) -> tuple[list[int], dict[int, tuple[str, str]]]:
    """The periods and the OPDs (id -> (code, name)) that the version's runs have passes of."""
    pairs = session.execute(
        select(HumanTask.period_no, HumanTask.opd_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(ProcessInstance.version_id == version_id)
        .distinct()
    ).all()
    periods = sorted({period for period, _opd in pairs})
    opd_ids = {opd for _period, opd in pairs if opd is not None}
    opds = {}
    if opd_ids:
        for opd in session.scalars(select(Opd).where(Opd.id.in_(opd_ids))):
            opds[opd.id] = (opd.code, opd.name)
    return periods, opds


def _passes(session: Session, version_id: int, period_no: int | None,
            opd_id: int | None) -> list:
    """Every open or completed pass of the version's user tasks, in one query, as rows
    (element_id, created_at, completed_at, due_on, opd_id, state, instance_id).

    Run as a Core query and with the stamps read as the driver gives them (naive UTC on
    SQLite), turned into local days once per distinct stamp (_Timings): tens of
    thousands of rows are read for a big version, and the per-row ORM and time-zone work
    would be most of the time. "Not cancelled" rather than "open or completed": the same
    rows, and SQLite then walks the version's runs instead of the state index."""
    tasks, runs = HumanTask.__table__.c, ProcessInstance.__table__.c
    query = (
        select(tasks.element_id, type_coerce(tasks.created_at, _STAMP),
               type_coerce(tasks.completed_at, _STAMP), tasks.due_on, tasks.opd_id,
               tasks.state, tasks.instance_id)
        .join_from(HumanTask.__table__, ProcessInstance.__table__,
                   runs.id == tasks.instance_id)
        .where(runs.version_id == version_id, tasks.state != TASK_CANCELLED)
    )
    if period_no is not None:
        query = query.where(tasks.period_no == period_no)
    if opd_id is not None:
        query = query.where(tasks.opd_id == opd_id)
    return session.connection().execute(query).all()


def _calendar(session: Session, rows: list, now: datetime) -> WorkingCalendar:
    """Holidays once, from the oldest pass measured on."""
    oldest = min((row[1] for row in rows), default=None)
    since = _aware(oldest).astimezone(runtime_of(session).settings.zone).date() if oldest else None
    return WorkingCalendar.load(session, now, since=since)


def _aware(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


# ---- measuring ---------------------------------------------------------------------------

def _gather(rows: list, calendar: WorkingCalendar, now: datetime
            ) -> tuple[dict[str, _Samples], dict[int, _Samples]]:
    """Each pass into its activity's samples and, for an OPD's task, its OPD's."""
    by_element: defaultdict[str, _Samples] = defaultdict(_Samples)
    by_opd: defaultdict[int, _Samples] = defaultdict(_Samples)
    timing = _Timings(calendar, now)
    today = calendar.local_date(now)
    for element_id, opened_at, ended_at, due_on, opd_id, state, _run in rows:
        samples = by_element[element_id]
        opd = None if opd_id is None else by_opd[opd_id]
        if state == TASK_OPEN:
            samples.add_open(due_on is not None and today > due_on, opd)
        else:
            samples.add(timing.of(opened_at, ended_at, due_on), opd)
    return by_element, by_opd


class _Timings:
    """pass_timing, remembered per (opening day, ending day, due date): a pass's timing
    depends on nothing else. Local days are remembered per stamp: a completion and the
    tasks it opens share one."""

    def __init__(self, calendar: WorkingCalendar, now: datetime):
        self.calendar, self.now = calendar, now
        self.known: dict[tuple[date, date, date | None], PassTiming] = {}
        self.days: dict[datetime, date] = {}

    def day_of(self, stamp: datetime) -> date:
        found = self.days.get(stamp)
        if found is None:
            found = self.days[stamp] = self.calendar.local_date(_aware(stamp))
        return found

    def of(self, opened_at: datetime, ended_at: datetime, due_on: date | None) -> PassTiming:
        key = (self.day_of(opened_at), self.day_of(ended_at), due_on)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = pass_timing(self.calendar, _aware(opened_at),
                                                  _aware(ended_at), due_on, self.now)
        return found


def p90(values: list[int]) -> int | None:
    """The nearest-rank 90th percentile: the smallest observed value that at least 90% of
    the values do not exceed (so it is always a duration that really happened)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1]


def band_of(median_ratio: float | None, waktu: int | None, count: int) -> str:
    """The colour band of an activity: by its median relative to its Waktu."""
    if not waktu:
        return BAND_NO_WAKTU
    if not count or median_ratio is None:
        return BAND_NO_DATA
    for bound, band in BANDS:
        if median_ratio <= bound:
            return band
    return BAND_LATE


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _figures(samples: _Samples, waktu: int | None) -> dict:
    count = len(samples.days)
    median = float(statistics.median(samples.days)) if count else None
    high = p90(samples.days)
    median_ratio = _rounded(ratio(median, waktu)) if median is not None else None
    return {
        "count": count,
        "median_days": median,
        "p90_days": high,
        "median_ratio": median_ratio,
        "p90_ratio": _rounded(ratio(high, waktu)) if high is not None else None,
        "late": samples.late,
        "late_share": _rounded(samples.late / count) if count else None,
        "open": samples.open,
        "open_late": samples.open_late,
        "band": band_of(median_ratio, waktu, count),
    }


def _activities(content: dict, by_element: dict[str, _Samples]) -> dict[str, dict]:
    """Every user task of the version (those without passes too), in SOP row order."""
    tasks = {element_id: info for element_id, info in content.items()
             if element_id != versions.START_KEY and info.get("form_key")}
    for element_id in by_element.keys() - tasks.keys():  # not in the content: name it by id
        tasks[element_id] = {"name": element_id}
    result = {}
    for element_id in sorted(tasks, key=lambda e: (step_order(tasks[e].get("sop_step")), e)):
        info = tasks[element_id]
        waktu = info.get("waktu_hari_kerja") or None
        result[element_id] = {
            "element_id": element_id,
            "name": info.get("name") or element_id,
            "sop_step": info.get("sop_step"),
            "lane": info.get("lane"),
            "waktu": waktu,
            "deadline_group": info.get("deadline_group") or None,
            **_figures(by_element.get(element_id, _Samples()), waktu),
        }
    return result


def step_order(step: str | None) -> tuple[int, str]:
    """SOP rows in their numeric order ("2" before "10"); rows without a number last."""
    digits = "".join(ch for ch in (step or "").split("-")[0] if ch.isdigit())
    return (int(digits), step or "") if digits else (10**6, step or "")


def _slowest(activities: dict[str, dict]) -> list[dict]:
    """The SLOWEST activities with the highest median relative to their Waktu."""
    measured = [a for a in activities.values() if a["median_ratio"] is not None]
    measured.sort(key=lambda a: (-a["median_ratio"], -(a["p90_ratio"] or 0),
                                 step_order(a["sop_step"]), a["element_id"]))
    return measured[:SLOWEST]


def _late_opds(by_opd: dict[int, _Samples], opds: dict[int, tuple[str, str]]) -> list[dict]:
    """The OPDs with passes, most late passes first (then the open ones already late)."""
    rows = []
    for opd_id, samples in by_opd.items():
        code, name = opds.get(opd_id, (str(opd_id), str(opd_id)))
        total = len(samples.days)
        rows.append({"opd": code, "opd_name": name, "late": samples.late, "total": total,
                     "share": _rounded(samples.late / total) if total else None,
                     "open": samples.open, "open_late": samples.open_late})
    rows.sort(key=lambda r: (-r["late"], -r["open_late"], -(r["share"] or 0), r["opd_name"]))
    return rows


# ---- the version -------------------------------------------------------------------------

def _version_dict(version: DefinitionVersion) -> dict:
    return {
        "id": version.id,
        "number": version.version,
        "definition_key": version.definition.key,
        "definition_name": version.definition.name,
        "content_hash": version.content_hash,
        "deployed_at": version.deployed_at.isoformat(),
    }


def _sibling_versions(session: Session, version: DefinitionVersion) -> list[dict]:
    """Every version of the same definition (the page's version picker), oldest first."""
    rows = session.execute(
        select(DefinitionVersion.id, DefinitionVersion.version)
        .where(DefinitionVersion.definition_id == version.definition_id)
        .order_by(DefinitionVersion.version)
    )
    return [{"id": row.id, "number": row.version} for row in rows]


def diagram_of(session: Session, viewer: User, version_id: int) -> dict:
    """The version's diagram as deployed, for drawing the heatmap on it (audit readers):
    its XML, its pools (main process first) and the pool each call activity draws."""
    access.ensure_audit_reader(viewer)
    version = _get_version(session, version_id)
    outline = diagramviews.outline_of(session, version)
    pools = {p.process_id: p.participant_id for p in outline.processes}
    return {
        "xml": versions.diagram_of(version),
        "pools": [{"participant_id": p.participant_id, "name": p.name,
                   "is_main": p.process_id == outline.main_process_id}
                  for p in outline.processes if p.participant_id],
        "calls": {call: pools.get(called) for call, called in outline.calls.items()
                  if pools.get(called)},
    }
