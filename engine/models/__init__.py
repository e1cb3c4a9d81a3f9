"""ORM models, one module per subject; importing this package registers every table."""

from engine.models.definitions import Definition, DefinitionVersion
from engine.models.documents import Comment, Document
from engine.models.drafts import TaskDraft
from engine.models.events import Event
from engine.models.holidays import Holiday
from engine.models.indicators import Indicator
from engine.models.instances import InstanceState, ProcessInstance
from engine.models.jobs import Job
from engine.models.lanedefaults import LaneRoleDefault
from engine.models.mail import MailOutbox, NotificationPreference
from engine.models.opds import Opd
from engine.models.packages import Package
from engine.models.processdrafts import ProcessDraft
from engine.models.savedfilters import SavedFilter
from engine.models.sessions import LoginAttempt, UserSession
from engine.models.sopmetadata import SopMetadata
from engine.models.tasks import HumanTask
from engine.models.trust import AuditRead, ChainCheckpoint, CheckpointHead
from engine.models.users import ApiToken, Role, User, UserRole

__all__ = [
    "ApiToken",
    "AuditRead",
    "ChainCheckpoint",
    "CheckpointHead",
    "Comment",
    "Definition",
    "DefinitionVersion",
    "Document",
    "Event",
    "Holiday",
    "HumanTask",
    "Indicator",
    "LoginAttempt",
    "MailOutbox",
    "NotificationPreference",
    "InstanceState",
    "Job",
    "LaneRoleDefault",
    "Opd",
    "Package",
    "ProcessDraft",
    "ProcessInstance",
    "Role",
    "SavedFilter",
    "SopMetadata",
    "TaskDraft",
    "User",
    "UserRole",
    "UserSession",
]
