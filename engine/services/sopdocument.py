"""The SOP document (SOP-AP format, Permenpan RB 35/2012) of a deployed version: its header,
its Pelaksana columns and one row per step, made from the version itself, so that the
signed SOP and the model that runs never drift apart.

A row is an activity of the diagram with its `sop_step`: No (the step; a second activity
of the same step takes the letter its name gives, "17a", or the next free one), Kegiatan
(the activity's documentation, as the SOP words it; a paragraph "Keterangan: ..." goes to
Keterangan), the lane whose column holds the symbol, the symbol (a terminator where the SOP
starts or ends, a decision where a gateway follows with its labelled ways and the rows
they lead to, a process box otherwise) and the Mutu Baku (Kelengkapan, Waktu in hari
kerja, Output) from the activity's properties. Steps of one `deadline_group` that share
their Mutu Baku (rows 1-5: one 5-day allowance) share one Mutu Baku cell, as in the SOP.
Rows follow the step numbers; activities of one step follow the flow, and an activity
without a `sop_step` comes right after the step the flow reaches before it, with an empty
No. Containers (call activities, subprocesses) are not rows: their steps are.

Every signed-in person reads it; process owners and administrators edit its header.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from string import ascii_lowercase

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.sopflow import END, DiagramFlow, StepFlow, read_flow
from engine.bpmn.xmlload import load_xml
from engine.errors import NotFoundError
from engine.models import Definition, DefinitionVersion, User
from engine.services import sopmetadata, versions
from engine.services.diagramfiles import main_process_key
from engine.services.sopmetadata import SopHeader

KETERANGAN = re.compile(r"^\s*keterangan\s*:\s*", re.IGNORECASE)
NUMBER_PREFIX = re.compile(r"^\s*\d+[a-z]?\.\s*")


@dataclass(frozen=True)
class MutuBaku:
    kelengkapan: tuple[str, ...]
    waktu: int | None  # hari kerja
    output: tuple[str, ...]


@dataclass(frozen=True)
class Way:
    """A labelled way out of a decision: the rows it leads to, and whether it ends the SOP."""

    label: str
    rows: tuple[str, ...]
    ends: bool


@dataclass(frozen=True)
class Row:
    element_id: str
    no: str
    kegiatan: str
    keterangan: str
    lane: int | None  # index into SopDocument.lanes
    symbol: str  # "start", "end", "process" or "decision"
    mutu: MutuBaku
    mutu_group: str | None  # the deadline_group whose rows share one Mutu Baku cell
    decision: str | None  # the gateway's name when the symbol is a decision
    ways: tuple[Way, ...]
    next_rows: tuple[str, ...]  # where a plain step goes next (row numbers)
    waits_for: str | None  # the event (a timer) the step starts after
    target_ids: tuple[str, ...]  # every step it leads to, by element id (arrows, connectors)


@dataclass(frozen=True)
class SopDocument:
    definition_key: str
    definition_name: str
    version_id: int
    version: int
    header: SopHeader
    lanes: tuple[str, ...]
    rows: tuple[Row, ...]


def build_document(session: Session, actor: User, version_id: int) -> SopDocument:
    """The document of one deployed version. The SOP is the procedure everyone signed in
    works by, so every one of them reads it (the Kepala who signs it, the Tim, each PJ
    Kinerja, auditors); only process owners and administrators edit its header
    (engine.services.sopmetadata)."""
    version = session.get(DefinitionVersion, version_id)
    if version is None:
        raise NotFoundError("There is no such process version", code="version_not_found")
    return document_of(session, version)


def build_document_by_number(session: Session, actor: User, key: str,
                             number: int) -> SopDocument:
    """The document of version `number` of the process `key`, the way the API names a
    version; read by everyone signed in, as build_document."""
    version = session.scalar(select(DefinitionVersion).join(Definition).where(
        Definition.key == key, DefinitionVersion.version == number))
    if version is None:
        raise NotFoundError("There is no such process version", code="version_not_found")
    return document_of(session, version)


def document_of(session: Session, version: DefinitionVersion) -> SopDocument:
    data = version.bpmn_xml.encode("utf-8")
    root = load_xml(data, max_bytes=len(data))
    flow = read_flow(root, main_process_key(root) or version.definition.key)
    activities = versions.content_of(session, version).activities
    lanes = _lanes(flow, activities)
    return SopDocument(
        definition_key=version.definition.key,
        definition_name=version.definition.name,
        version_id=version.id,
        version=version.version,
        header=sopmetadata.header_of(session, version.definition),
        lanes=lanes,
        rows=_rows(flow, activities, lanes),
    )


def _lanes(flow: DiagramFlow, activities: dict) -> tuple[str, ...]:
    """The diagram's lanes in order; one without a name if a step sits in no lane."""
    used = {activities.get(element_id, {}).get("lane") for element_id in flow.steps}
    return tuple(lane for lane in flow.lanes if lane in used) + (("",) if None in used else ())


def _rows(flow: DiagramFlow, activities: dict, lanes: tuple[str, ...]) -> tuple[Row, ...]:
    order = _flow_order(flow)
    ids = sorted(flow.steps, key=_sort_keys(order, activities).__getitem__)
    numbers = _row_numbers(ids, activities)
    return tuple(_row(flow, flow.steps[element_id], activities.get(element_id, {}), numbers,
                      lanes) for element_id in ids)


def _flow_order(flow: DiagramFlow) -> dict[str, int]:
    """Steps in the order the flow reaches them from the start (breadth first); steps the
    start never reaches after them, in diagram order."""
    order: dict[str, int] = {}
    queue = deque(flow.first_steps)
    while queue:
        element_id = queue.popleft()
        if element_id in order or element_id not in flow.steps:
            continue
        order[element_id] = len(order)
        step = flow.steps[element_id]
        queue.extend(step.next_steps)
        queue.extend(target for way in step.ways for target in way.targets)
    for element_id in flow.steps:
        order.setdefault(element_id, len(order))
    return order


def _sort_keys(order: dict[str, int], activities: dict) -> dict[str, tuple[int, int]]:
    """By step number, then flow order; a step without a number right after the numbered
    step the flow reaches before it."""
    keys, last = {}, 0
    for element_id in sorted(order, key=order.__getitem__):
        number = _step_number(activities.get(element_id, {}))
        last = number if number is not None else last
        keys[element_id] = (last, order[element_id])
    return keys


def _step_number(info: dict) -> int | None:
    found = re.match(r"\s*(\d+)", info.get("sop_step") or "")
    return int(found.group(1)) if found else None


def _row_numbers(ids: list[str], activities: dict) -> dict[str, str]:
    """The first activity of a step keeps its number; the others take their name's letter
    ("17a. ...") or the next letter not taken."""
    numbers: dict[str, str] = {}
    for element_id in ids:
        info = activities.get(element_id, {})
        step = (info.get("sop_step") or "").strip()
        if not step or step not in numbers.values():
            numbers[element_id] = step
            continue
        named = re.match(rf"\s*{re.escape(step)}([a-z])\.", info.get("name") or "")
        letters = ([named.group(1)] if named else []) + list(ascii_lowercase)
        numbers[element_id] = next(f"{step}{letter}" for letter in letters
                                   if f"{step}{letter}" not in numbers.values())
    return numbers


def _row(flow: DiagramFlow, step: StepFlow, info: dict, numbers: dict[str, str],
         lanes: tuple[str, ...]) -> Row:
    kegiatan, keterangan = _words(info)
    lane = info.get("lane") or ""
    return Row(
        element_id=step.element_id,
        no=numbers[step.element_id],
        kegiatan=kegiatan,
        keterangan=keterangan,
        lane=lanes.index(lane) if lane in lanes else None,
        symbol=_symbol(flow, step),
        mutu=MutuBaku(_items(info.get("kelengkapan")), info.get("waktu_hari_kerja"),
                      _items(info.get("output"))),
        mutu_group=(info.get("deadline_group") or "").strip() or None,
        decision=step.decision if step.ways else None,
        ways=tuple(Way(way.label, _numbers(way.targets, numbers), END in way.targets)
                   for way in step.ways),
        next_rows=_numbers(step.next_steps, numbers),
        waits_for=step.waits_for,
        target_ids=tuple(e for e in (*step.next_steps, *(t for way in step.ways
                                                           for t in way.targets)) if e != END),
    )


def _symbol(flow: DiagramFlow, step: StepFlow) -> str:
    if step.ways:
        return "decision"
    if step.element_id in flow.first_steps:
        return "start"
    return "end" if END in step.next_steps else "process"


def _words(info: dict) -> tuple[str, str]:
    """Kegiatan and Keterangan from the documentation (paragraphs; one that starts with
    "Keterangan:" is the remark), else the activity's name without its number."""
    text = (info.get("documentation") or "").replace("\r\n", "\n").strip()
    if not text:
        return NUMBER_PREFIX.sub("", info.get("name") or info.get("element_id") or ""), ""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    remarks = [KETERANGAN.sub("", part) for part in paragraphs if KETERANGAN.match(part)]
    words = [part for part in paragraphs if not KETERANGAN.match(part)]
    return "\n\n".join(words), "\n\n".join(remarks)


def _items(text: str | None) -> tuple[str, ...]:
    """A property's list: items separated by ';' (the diagram's convention)."""
    return tuple(item.strip() for item in (text or "").split(";") if item.strip())


def _numbers(element_ids: tuple[str, ...], numbers: dict[str, str]) -> tuple[str, ...]:
    return tuple(numbers[e] for e in element_ids if e in numbers)
