"""An instance's workflow rebuilt in memory, step by step, for `flask alur replay-check`.

`Rebuilt` drives the engine exactly as the services did when the run was recorded (start,
complete a user task, let due timers fire) through the same runtime functions
(engine.bpmn.runtime), and after each step says which events the services would have
logged: what `engine.services.execution.persist` derives from the engine, in the same
order, but as plain views instead of rows. It also does to the workflow what persist does
(finished subprocesses dropped, history cut at a new period, tasks marked as saved), so
the rebuilt tree has the shape the recorded one had and a run of many periods cannot
stall. Nothing here touches the database.

Keep it in step with execution.persist: a new kind of logged engine event belongs in both.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime

from engine.bpmn import runtime
from engine.bpmn.runtime import BpmnRuntime, LiveWorkflow, Specs
from engine.events import EventType
from engine.services.audit import canonical_json
from engine.sop import SopRules


@dataclass
class Produced:
    """One event the rebuilt engine would have logged: its comparable view and, for a task
    it opened, the SpiffWorkflow task (bound to the recorded task id once matched)."""

    view: dict
    spiff_task: object | None = None


def plain(view: dict) -> dict:
    """The view as the log stores payloads (canonical JSON read back), so values compare
    the way they were recorded."""
    return json.loads(canonical_json(view))


class Rebuilt:
    """One instance's workflow and the counters persist keeps on its row (period, ended)."""

    def __init__(self, bpmn: BpmnRuntime, specs: Specs, rules: SopRules):
        self.bpmn, self.specs, self.rules = bpmn, specs, rules
        self.live: LiveWorkflow | None = None
        self.period_no = 0
        self.ended = False
        self.open_ids: dict[object, int] = {}  # spiff task id -> recorded task id

    @property
    def started(self) -> bool:
        return self.live is not None

    def start(self, data: dict, now: datetime) -> list[Produced]:
        """A fresh workflow with the start form's data, as instances.start_instance made it."""
        self.live = self.bpmn.start(self.specs, copy.deepcopy(data), now)
        return self._after_step()

    def complete(self, spiff_task, data: dict, now: datetime) -> list[Produced]:
        """The user task completed with the recorded data at the recorded time."""
        self.live.set_now(now)
        runtime.complete_user_task(self.live, spiff_task, copy.deepcopy(data))
        self.open_ids.pop(spiff_task.id, None)
        return self._after_step()

    def pass_time(self, now: datetime) -> list[Produced]:
        """A timer worker's pass at `now`: due timers fire, the engine runs on."""
        self.live.set_now(now)
        runtime.advance(self.live)
        return self._after_step()

    def ready(self, spiff_task):
        """The task if the workflow waits for it now, else None."""
        return runtime.find_ready_task(self.live, str(spiff_task.id))

    def bind(self, produced: Produced, task_id: int | None) -> None:
        """The recorded task id of a task this engine opened (for its cancellation)."""
        if produced.spiff_task is not None and task_id is not None:
            self.open_ids[produced.spiff_task.id] = task_id

    # ---- what persist would log, in its order --------------------------------------------

    def _after_step(self) -> list[Produced]:
        live = self.live
        produced = self._steps()
        changed = runtime.changed_tasks(live)
        runtime.prune_completed_subprocesses(live)
        produced += self._periods(changed)
        produced += self._opened(changed)
        produced += self._cancelled(changed)
        runtime.mark_saved(live)
        if runtime.is_completed(live) and not self.ended:
            self.ended = True
            produced.append(Produced({"type": EventType.INSTANCE_ENDED.value}))
        return produced

    def _steps(self) -> list[Produced]:
        """Gateways taken, timers fired, periods completed (execution._record_steps)."""
        found = []
        for step in self.live.steps:
            element_id = step.task.task_spec.bpmn_id
            view = None
            if step.kind == "gateway":
                view = {"type": EventType.GATEWAY_TAKEN.value, "taken": step.detail.get("taken")}
            elif step.kind == "timer":
                opd = self.rules.opd_code(element_id, step.task.data)[1]
                view = {"type": EventType.TIMER_FIRED.value, "opd": opd}
            elif step.kind == "call_completed" and element_id in self.rules.period_activities:
                view = {"type": EventType.PERIOD_COMPLETED.value, "period_no": self.period_no}
            if view is not None:
                found.append(Produced(plain({**view, "element_id": element_id})))
        self.live.steps.clear()
        return found

    def _periods(self, changed: list) -> list[Produced]:
        """A period call activity started: the counter moves, history is cut
        (execution._count_periods)."""
        found = []
        for task in runtime.started_call_activities(
            self.live, changed, self.rules.period_activities
        ):
            runtime.compact_history(self.live, task)
            self.period_no += 1
            element_id = task.task_spec.bpmn_id
            view = {
                "type": EventType.PERIOD_STARTED.value,
                "element_id": element_id,
                "period_no": self.period_no,
                "akhir_periode": self.rules.period_end(element_id, task.data),
            }
            found.append(Produced(plain(view)))
        return found

    def _opened(self, changed: list) -> list[Produced]:
        """User tasks that became READY, with their OPD and period (execution._open_tasks)."""
        found = []
        for task in runtime.changed_ready_user_tasks(changed):
            element_id = task.task_spec.bpmn_id
            variable, code = self.rules.opd_code(element_id, runtime.task_data(task))
            view = {
                "type": EventType.TASK_CREATED.value,
                "element_id": element_id,
                "opd": code if variable is not None else None,
                "period_no": self.period_no,
            }
            found.append(Produced(plain(view), task))
        return found

    def _cancelled(self, changed: list) -> list[Produced]:
        """Open tasks the engine cancelled (execution._cancel_tasks logs only opened ones)."""
        found = []
        for task in runtime.changed_cancelled_user_tasks(changed):
            task_id = self.open_ids.pop(task.id, None)
            if task_id is None:
                continue
            view = {
                "type": EventType.TASK_CANCELLED.value,
                "element_id": task.task_spec.bpmn_id,
                "task_id": task_id,
            }
            found.append(Produced(plain(view)))
        return found
