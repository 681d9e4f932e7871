"""The New escalation wizard: which child, which agency, what the disagreement is about, what the problem is and
what outcome is sought, whether the child is at immediate risk — then the first stage and its deadline, before
anything is saved. Finish opens the escalation through services.escalations.open_escalation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWidget,
)

from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.profile import get_profile
from dsl_desk.services.escalations.drafts import DraftView
from dsl_desk.services.escalations.workflow import NewEscalation
from dsl_desk.ui.escalations.drafts import (
    NEW_ESCALATION,
    DraftingWizard,
)
from dsl_desk.ui.escalations.new_escalation_what import (
    CategoryPage,
    ProblemPage,
    RiskActionPage,
    RiskPage,
    SummaryPage,
)
from dsl_desk.ui.escalations.new_escalation_who import AgencyPage, ChildPage


class NewEscalationWizard(DraftingWizard):
    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        child_id: int | None = None,
        draft: DraftView | None = None,
    ) -> None:
        super().__init__(ctx, NEW_ESCALATION, 0, parent, draft=draft)
        self.setWindowTitle(self.tr("New escalation"))
        self.home_pack_id = get_profile(ctx).partnership_id
        self.child_page = ChildPage(self, child_id)
        # Opened from a child's page: the child is known, so the wizard does not ask again (Back still can).
        self.child_fixed = child_id is not None and self.child_page.selected_child_id() == child_id
        if self.child_fixed:
            self.setWindowTitle(self.tr("New escalation for %s") % self.child_page.selected_child_name())
        self.agency_page = AgencyPage(self)
        self.category_page = CategoryPage(self)
        self.problem_page = ProblemPage(self)
        self.risk_page = RiskPage(self)
        self.risk_action_page = RiskActionPage(self)
        self.summary_page = SummaryPage(self)
        for page_id, page in enumerate(
            (
                self.risk_page,
                self.risk_action_page,
                self.child_page,
                self.agency_page,
                self.category_page,
                self.problem_page,
                self.summary_page,
            )
        ):
            self.setPage(page_id, page)
        self.restore_given_draft()

    @property
    def pack(self) -> PolicyPack:
        return self.ctx.pack(self.agency_page.policy_id() or self.home_pack_id)

    @property
    def immediate_risk(self) -> bool:
        return self.risk_page.yes.isChecked()

    def new_escalation(self) -> NewEscalation:
        professional_id, professional_name = self.agency_page.professional()
        return NewEscalation(
            child_id=self.child_page.selected_child_id() or 0,
            other_agency=self.agency_page.agency.currentText(),
            category=self.category_page.selected_key(),
            problem=self.problem_page.problem.toPlainText(),
            outcome_sought=self.problem_page.outcome.toPlainText(),
            immediate_risk=self.immediate_risk,
            other_professional_id=professional_id,
            other_professional_name=professional_name,
            contacted=self.summary_page.contacted.text(),
            policy_id=self.pack.id,
            arose_at=self.problem_page.arose_at(),
            other_agency_kind=self.agency_page.agency_kind(),
        )


# -- the child --------------------------------------------------------------------------------------------------
