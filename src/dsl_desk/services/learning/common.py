"""What the learning services share: the escalations a period touches, labels from the packs, known names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dsl_desk.core.categories import category_words
from dsl_desk.core.child_names import NameMatcher
from dsl_desk.core.dates_in_words import numeric_date
from dsl_desk.core.learning import stage_name
from dsl_desk.core.periods import ReportPeriod
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.scope import our_own
from dsl_desk.store.models import Child, Escalation

if TYPE_CHECKING:
    from dsl_desk.documents.render import RenderMeta


def escalations_touching(session: Session, period: ReportPeriod) -> Sequence[Escalation]:
    """Every escalation of ours alive at some moment of the period: opened before its end, not closed before
    its start."""
    start, end = period.bounds()
    query = (
        select(Escalation)
        .where(
            Escalation.opened_at < end,
            or_(Escalation.closed_at.is_(None), Escalation.closed_at >= start),
            our_own(),  # a transferred-in file's cases are the old school's figures, not ours
        )
        .options(
            selectinload(Escalation.stages),
            selectinload(Escalation.resolution),
            selectinload(Escalation.other_agency),
        )
        .order_by(Escalation.opened_at, Escalation.id)
    )
    return session.scalars(query).all()


def within(instant: datetime | None, period: ReportPeriod) -> bool:
    if instant is None:
        return False
    start, end = period.bounds()
    return start <= instant < end


def category_label(ctx: AppContext, escalation: Escalation) -> str:
    return category_words(ctx.packs.get(escalation.policy_id), escalation.category)


@dataclass(frozen=True, order=True)
class StageName:
    """A stage as reports name it. Sorts by policy, then the policy's own stage order."""

    policy: str  # short name, "" unless the report mixes several policies
    position: int
    label: str  # "Stage Two"
    title: str  # "Discussion between the professionals"

    @property
    def display(self) -> str:
        return stage_name(self.policy, self.label, self.title)


def stage_names(ctx: AppContext, policy_id: str, stage_key: str, *, name_policy: bool = False) -> StageName:
    pack = ctx.packs.get(policy_id)
    if pack is None or not pack.has_stage(stage_key):
        return StageName(policy_id if name_policy else "", 99, stage_key, "")
    stage = pack.stage(stage_key)
    return StageName(
        pack.short_name if name_policy else "", pack.stage_index(stage_key), stage.label, stage.title
    )


def stage_display(ctx: AppContext, policy_id: str, stage_key: str) -> str:
    return stage_names(ctx, policy_id, stage_key).display


def mixes_policies(escalations: Sequence[Escalation]) -> bool:
    """Stage One of one partnership is not Stage One of another: name the policy when they mix."""
    return len({e.policy_id for e in escalations}) > 1


def name_matcher_in(session: Session) -> NameMatcher:
    """Every child's given and family names in the database, for warnings and redaction."""
    rows = session.execute(select(Child.given_names, Child.family_name)).all()
    return NameMatcher(name for row in rows for name in row)


def report_meta(session: Session, ctx: AppContext, period: ReportPeriod, what: str) -> RenderMeta:
    """The page furniture of a report PDF: the period stands where a form would print a case reference."""
    from dsl_desk.documents.render import RenderMeta

    org = organisation(session)
    pack = ctx.packs.get(org.partnership_id)
    return RenderMeta(
        partnership_name=pack.name if pack else org.partnership_id,
        policy_pack_label=f"{what}, {period.label}",
        reference=f"{numeric_date(period.start)}–{numeric_date(period.end)}",
        organisation=org.name,
        exported_at=ctx.clock.now(),
        author=f"{ctx.actor.display_name}, {ctx.actor.role}",
        demo=org.is_demo,
    )


def audit_export(
    session: Session, ctx: AppContext, what: str, period: ReportPeriod, target: Path, include_references: bool
) -> None:
    """Every report that leaves the database is in the audit trail: what, which period, which file."""
    audit.record(
        session,
        at=ctx.clock.now(),
        user_id=ctx.actor.user_id,
        action="report_exported",
        entity="report",
        detail={
            "report": what,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "file": target.name,
            "references": include_references,
        },
    )
