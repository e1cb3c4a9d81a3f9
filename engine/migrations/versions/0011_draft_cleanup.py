"""a task that leaves the open state takes its drafts with it, in the database

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 13:10:00

Completing a task used to send a DELETE of its drafts on every completion, though almost
no task has one: one more statement and round trip on the hottest write path. A trigger on
`human_tasks` now deletes them inside the UPDATE that closes the task (completed or
cancelled), in the same transaction, so a closed task never keeps a draft and the
completion pays for the delete only when there is something to delete. Drafts of tasks
closed before this revision are removed here.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_CLEAN_UP = (
    "DELETE FROM task_drafts WHERE task_id IN "
    "(SELECT id FROM human_tasks WHERE state <> 'open')"
)

_PG_FUNCTION = """
CREATE FUNCTION alur_drop_closed_task_drafts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM task_drafts WHERE task_id = NEW.id;
    RETURN NULL;
END;
$$
"""

_PG_TRIGGER = """
CREATE TRIGGER trg_human_tasks_drop_drafts
AFTER UPDATE OF state ON human_tasks
FOR EACH ROW
WHEN (OLD.state = 'open' AND NEW.state <> 'open')
EXECUTE FUNCTION alur_drop_closed_task_drafts()
"""

_SQLITE_TRIGGER = """
CREATE TRIGGER trg_human_tasks_drop_drafts
AFTER UPDATE OF state ON human_tasks
FOR EACH ROW
WHEN OLD.state = 'open' AND NEW.state <> 'open'
BEGIN
    DELETE FROM task_drafts WHERE task_id = NEW.id;
END
"""


def upgrade() -> None:
    op.execute(_CLEAN_UP)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        op.execute(_SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_human_tasks_drop_drafts ON human_tasks")
        op.execute("DROP FUNCTION IF EXISTS alur_drop_closed_task_drafts()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_human_tasks_drop_drafts")
