"""Why a run is stuck: failures recorded on the instance, kept although the step is not.

A step that fails is rolled back whole, so its own transaction cannot say why. The timer
worker records the failure in a transaction of its own after the rollback
(engine.services.timers); a request does the same through `record_after_rollback`: the
failure is written, in a new transaction on the same database, once the request's
transaction has been rolled back (and forgotten if it commits after all). The columns are
the worker's (failed_attempts, last_error, last_error_at), so the run's page and the API
show both kinds alike, and the next step that goes through clears them.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from engine.errors import DomainError
from engine.models import ProcessInstance

log = logging.getLogger(__name__)

ERROR_LENGTH = 2000
_AFTER_ROLLBACK = "alur.after_rollback"


def describe_error(error: BaseException) -> str:
    """The technical text kept on the instance: the code, the message and, for a diagram's
    element, its id and name."""
    if isinstance(error, DomainError):
        text = f"{error.code}: {error.message}"
        details = error.details if isinstance(error.details, dict) else {}
        if details.get("element_id"):
            text += f" [element {details['element_id']} '{details.get('element_name') or ''}']"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:ERROR_LENGTH]


def record_after_rollback(
    session: Session, instance_id: int, error: BaseException, *, now: datetime
) -> None:
    """Once `session` rolls back, record `error` on the instance in a transaction of its own."""
    bind = session.get_bind()

    def record() -> None:
        with Session(bind=bind) as other:
            other.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == instance_id)
                .values(
                    failed_attempts=ProcessInstance.failed_attempts + 1,
                    last_error=describe_error(error),
                    last_error_at=now,
                )
            )
            other.commit()
        log.warning("instance %s: step stopped and rolled back: %s", instance_id, error)

    session.info.setdefault(_AFTER_ROLLBACK, []).append(record)


@event.listens_for(Session, "after_rollback")
def _record_on_rollback(session: Session) -> None:
    for record in session.info.pop(_AFTER_ROLLBACK, []):
        record()


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    session.info.pop(_AFTER_ROLLBACK, None)
