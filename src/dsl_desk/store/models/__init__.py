"""The data model, one module per subject. Append-only where the policies want a record: rows are added, not
rewritten or deleted. Every row that records something a person did says which user did it (`*_by_id`).

Importing this package imports every subject module, so anything that sees `Base.metadata` (Alembic, the tests)
sees every table. The modules import only `base` (and, for type hints, a subject below them); relationships name
their target by string and the declarative registry resolves it. Import from here: `from dsl_desk.store.models
import Child`.
"""

from __future__ import annotations

from dsl_desk.store.models.audit import AuditEvent
from dsl_desk.store.models.base import Base
from dsl_desk.store.models.desk import ClosureDay, Draft, Organisation, User
from dsl_desk.store.models.escalations import (
    ChecklistItem,
    Escalation,
    ImmediateRiskChange,
    Resolution,
    StageRecord,
)
from dsl_desk.store.models.learning import LessonFollowUp, PracticeAlert
from dsl_desk.store.models.log import ActionItem, Attachment, DiscussionEntry, EntryShare
from dsl_desk.store.models.paperwork import DocumentRecord
from dsl_desk.store.models.people import Agency, Child, PartnershipContactEdit, Professional
from dsl_desk.store.models.records import (
    CaseTransfer,
    RetentionDeletion,
    RetentionHold,
    SarRedaction,
    SubjectAccessRequest,
)

__all__ = [
    "ActionItem",
    "Agency",
    "Attachment",
    "AuditEvent",
    "Base",
    "CaseTransfer",
    "ChecklistItem",
    "Child",
    "ClosureDay",
    "DiscussionEntry",
    "DocumentRecord",
    "Draft",
    "EntryShare",
    "Escalation",
    "ImmediateRiskChange",
    "LessonFollowUp",
    "Organisation",
    "PartnershipContactEdit",
    "PracticeAlert",
    "Professional",
    "Resolution",
    "RetentionDeletion",
    "RetentionHold",
    "SarRedaction",
    "StageRecord",
    "SubjectAccessRequest",
    "User",
]
