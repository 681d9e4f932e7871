"""The main window's banner offering an unfinished wizard kept as a draft: resume it or discard it. A mixin of MainWindow."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
)

from dsl_desk.services.escalations.drafts import DraftView, discard_draft, list_drafts
from dsl_desk.ui.signals import Changed


class DraftsMixin:
    def _build_draft_banner(self) -> None:
        """Offers, without blocking, to resume a wizard that was closed (or crashed) before it finished."""
        self.draft_banner = QFrame(objectName="alertBanner")
        layout = QHBoxLayout(self.draft_banner)
        self.draft_label = QLabel(wordWrap=True)
        layout.addWidget(self.draft_label, 1)
        self.resume_button = QPushButton(self.tr("&Resume"))
        self.resume_button.clicked.connect(self.resume_draft)
        self.discard_button = QPushButton(self.tr("Discard"))
        self.discard_button.clicked.connect(self.discard_draft)
        layout.addWidget(self.resume_button)
        layout.addWidget(self.discard_button)
        self.draft_banner.hide()
        self.pending_draft: DraftView | None = None

    def _offer_drafts(self) -> None:
        from dsl_desk.ui.escalations.drafts import DRAFT_KINDS, describe_draft

        if self.ctx is None:
            return
        drafts = [d for d in list_drafts(self.ctx) if d.kind in DRAFT_KINDS]
        self.pending_draft = drafts[-1] if drafts else None
        if self.pending_draft is None:
            self.draft_banner.hide()
            return
        more = len(drafts) - 1
        extra = self.tr(" (and %d more)") % more if more else ""
        self.draft_label.setText(
            self.tr("You have an unfinished wizard: %s%s. Nothing you typed was lost.")
            % (describe_draft(self.pending_draft), extra)
        )
        self.draft_banner.show()

    def resume_draft(self) -> None:
        from dsl_desk.ui.escalations.resume import open_wizard_for_draft

        if self.ctx is None or self.pending_draft is None:
            return
        wizard = open_wizard_for_draft(self.ctx, self.pending_draft, self)
        finished = wizard.exec() and getattr(wizard, "result_detail", None) is not None
        if finished:
            self.signals.changed.emit(Changed(escalations=True, children=True))
            self.show_escalation(wizard.result_detail.id)  # type: ignore[attr-defined]
        self._offer_drafts()

    def discard_draft(self) -> None:
        if self.ctx is None or self.pending_draft is None:
            return
        from dsl_desk.ui.messages import confirm

        if confirm(
            self,
            self.tr("Discard the draft?"),
            self.tr("What you typed in this unfinished wizard will be thrown away."),
            yes=self.tr("Discard"),
        ):
            discard_draft(self.ctx, self.pending_draft.kind, self.pending_draft.subject_id)
        self._offer_drafts()
