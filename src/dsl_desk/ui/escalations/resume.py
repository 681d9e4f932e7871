"""A stored wizard draft opened again in the wizard it belongs to (the start-up offer and the Drafts list)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget, QWizard

from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.drafts import DraftView
from dsl_desk.ui.escalations.drafts import ESCALATE, NEW_ESCALATION, RESOLVE
from dsl_desk.ui.escalations.escalate import EscalateWizard
from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard
from dsl_desk.ui.escalations.resolve import ResolveWizard


def open_wizard_for_draft(ctx: AppContext, draft: DraftView, parent: QWidget | None) -> QWizard:
    """The wizard the draft belongs to, refilled from it. The caller shows it (show(), open() or exec())."""
    if draft.kind == NEW_ESCALATION:
        return NewEscalationWizard(ctx, parent, draft=draft)
    if draft.kind == ESCALATE:
        return EscalateWizard(ctx, draft.subject_id, parent, draft=draft)
    if draft.kind == RESOLVE:
        return ResolveWizard(ctx, draft.subject_id, parent, draft=draft)
    raise ValueError(f"No wizard keeps drafts of kind {draft.kind!r}")
