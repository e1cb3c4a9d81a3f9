"""The option lists a form fills from the server (`valuesKey`), per task.

A list may depend on nothing but the database (the active OPDs to invite at row 7) or on
the task: the SIRUP packages of the task's OPD for the run's budget year (row 10, imported
by the Tim, engine.services.packages) and the indicators planned at row 2 of the task's run
(rows 10, 12 and 14). Each list the form names costs one query, and only those it names are
read, so a form naming none costs none. Without a task (a start form, a history page that
only needs labels) a task's list is empty.

Beside the lists come a message for a value not in a list (a package of another OPD or
year is "not one of your OPD's packages", not just "not allowed") and the facts the form's
conditions read: `sumber_paket` is "sirup" when the OPD has packages to pick from and
"isian" (typed in) when it has none, so row 10 shows the package select or the free-entry
fields and the server checks the one shown (engine.forms.submissions, FORM_FACTS).

A picked package's option carries kode_rup, nama_paket, pagu and metode_pemilihan: the
row-10 select `fills` those fields from it when the answer is validated, so the stored row
has the same shape whether picked or typed, and later rows and the reports read it alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_
from engine.forms.submissions import FORM_FACTS, OPTION_REFUSALS
from engine.models import HumanTask, Opd, Package
from engine.models.tasks import TASK_COMPLETED
from engine.sirup.rows import METHODS

OPD_LIST = "daftar_opd"
PACKAGE_LIST = "paket_opd"
INDICATOR_LIST = "indikator_rencana"
PLAN_FORM = "perencanaan-indikator"  # row 2: the run's indicators, `kode` and `nama`
# The fact row 10's conditions read, and its two values.
PACKAGE_SOURCE = "sumber_paket"
FROM_SIRUP, TYPED_IN = "sirup", "isian"
REFUSALS = {
    PACKAGE_LIST: N_("Not one of your OPD's SIRUP packages for this run's budget year"),
    INDICATOR_LIST: N_("Not an indicator planned at row 2 of this run"),
}
# SIRUP's method names ("E-Purchasing") as the row-10 method select's values ("e_purchasing").
METHOD_VALUES = {name: re.sub(r"[^a-z0-9]+", "_", name.lower()) for name in METHODS}


@dataclass
class FormLists:
    """The lists a form names, the message for a value outside each, and the facts."""

    options: dict[str, list[dict]] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)

    def context(self) -> dict:
        """As engine.forms.validate_submission reads them (nothing for a form naming none)."""
        found: dict = dict(self.options)
        if self.refusals:
            found[OPTION_REFUSALS] = dict(self.refusals)
        if self.facts:
            found[FORM_FACTS] = dict(self.facts)
        return found


def lists_for(session: Session, keys: Iterable[str], task: HumanTask | None) -> FormLists:
    """Each list named by `keys` (one query each, none for a key no list answers to, or for
    a task's list without a task), its refusal message, and the facts it sets."""
    found = FormLists()
    for key in keys:
        build = _BUILDERS.get(key)
        found.options[key] = build(session, task) if build is not None else []
        if key in REFUSALS:
            found.refusals[key] = REFUSALS[key]
    if PACKAGE_LIST in found.options:
        has_packages = bool(found.options[PACKAGE_LIST])
        found.facts[PACKAGE_SOURCE] = FROM_SIRUP if has_packages else TYPED_IN
    return found


def task_free_lists(session: Session) -> FormLists:
    """The lists that need no task (the OPDs), for readers that show answers' labels."""
    return lists_for(session, [OPD_LIST], None)


def active_opds(session: Session, task: HumanTask | None = None) -> list[dict]:
    """Every active OPD by name: row 7 invites some of them."""
    opds = session.execute(
        select(Opd.code, Opd.name).where(Opd.is_active.is_(True)).order_by(Opd.name)
    )
    return [{"label": name, "value": code} for code, name in opds]


def opd_packages(session: Session, task: HumanTask | None) -> list[dict]:
    """The task's OPD's SIRUP packages for the run's budget year, by name; none for a task
    without an OPD, or a run without a budget year."""
    year = budget_year(task)
    if task is None or task.opd_id is None or year is None:
        return []
    rows = session.execute(
        select(Package.kd_rup, Package.nama_paket, Package.pagu, Package.metode_pengadaan)
        .where(Package.tahun_anggaran == year, Package.opd_id == task.opd_id)
        .order_by(Package.nama_paket, Package.kd_rup)
    )
    return [package_option(*row) for row in rows]


def package_option(kd_rup: str, nama_paket: str, pagu: Decimal, metode: str | None) -> dict:
    """One package as a choice: its Kode RUP as the value, and what row 10 stores of it."""
    amount = int(pagu) if pagu == pagu.to_integral_value() else float(pagu)
    return {
        "label": f"{kd_rup} · {nama_paket} · {rupiah(amount)}",
        "value": kd_rup,
        "kode_rup": kd_rup,
        "nama_paket": nama_paket,
        "pagu": amount,
        "metode_pemilihan": METHOD_VALUES.get(metode or ""),
    }


def rupiah(amount: int | float) -> str:
    """'Rp1.500.000.000', as the pages write money (the label is the same in any language)."""
    whole = f"{int(amount):,}".replace(",", ".")
    cents = round((amount - int(amount)) * 100)
    return f"Rp{whole},{cents:02d}" if cents else f"Rp{whole}"


def planned_indicators(session: Session, task: HumanTask | None) -> list[dict]:
    """The indicators of the run's latest completed row-2 plan, each code once, in order."""
    if task is None:
        return []
    planned = latest_submission(session, task.instance_id, PLAN_FORM).get("indikator")
    found: dict[str, dict] = {}
    for row in planned if isinstance(planned, list) else ():
        code = row.get("kode") if isinstance(row, dict) else None
        if isinstance(code, str) and code and code not in found:
            name = row.get("nama")
            label = f"{code} · {name}" if isinstance(name, str) and name else code
            found[code] = {"label": label, "value": code}
    return list(found.values())


def latest_submission(session: Session, instance_id: int, form_key: str) -> dict:
    """The run's latest completed answer to `form_key` ({} if none): a plan sent back at
    row 6 is answered again, and the newest answer is the plan."""
    data = session.scalars(
        select(HumanTask.data)
        .where(
            HumanTask.instance_id == instance_id,
            HumanTask.form_key == form_key,
            HumanTask.state == TASK_COMPLETED,
        )
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .limit(1)
    ).first()
    return data or {}


def budget_year(task: HumanTask | None) -> int | None:
    """The run's tahun_anggaran, from its start form (engine.services.instances)."""
    if task is None:
        return None
    year = (task.instance.data or {}).get("tahun_anggaran")
    if isinstance(year, bool) or not isinstance(year, int | float) or year != int(year):
        return None
    return int(year)


_BUILDERS: dict[str, Callable[[Session, HumanTask | None], list[dict]]] = {
    OPD_LIST: active_opds,
    PACKAGE_LIST: opd_packages,
    INDICATOR_LIST: planned_indicators,
}
