"""Which escalations are this desk's own: those that came in a transferred file belong to the old school.

An imported child's escalations keep their history (stages, checklist, resolution) so the new DSL can read them,
but the old school's unfinished checklist is not this school's to-do list, and their cases are not this school's
figures. Every escalation of an imported child opened before the import came with the file.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, not_

from dsl_desk.store.models import CaseTransfer, Escalation


def came_with_a_transfer() -> ColumnElement[bool]:
    return exists().where(
        and_(
            CaseTransfer.direction == "in",
            CaseTransfer.child_id == Escalation.child_id,
            Escalation.opened_at <= CaseTransfer.created_at,
        )
    )


def our_own() -> ColumnElement[bool]:
    return not_(came_with_a_transfer())
