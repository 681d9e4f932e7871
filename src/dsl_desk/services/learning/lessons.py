"""The lessons log: what each resolved disagreement taught, whether it went to the partnership, and what
followed (Wigan Appendix 4; Barnet's BSCB action log). Exported as PDF and CSV for the board.

Lessons are free text a DSL typed, so any known child's name in them is removed before they are shown
in the log or leave the database: the log is about practice, not about a child.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dsl_desk.core.child_names import NameMatcher
from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.core.learning import FollowUp, LessonLine
from dsl_desk.core.periods import ReportPeriod
from dsl_desk.documents.learning_csv import lessons_csv
from dsl_desk.services import bounds
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.learning.common import (
    audit_export,
    category_label,
    escalations_touching,
    name_matcher_in,
    stage_display,
    within,
)
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import Escalation, LessonFollowUp


def lessons_log(
    ctx: AppContext, period: ReportPeriod, *, include_references: bool = False
) -> list[LessonLine]:
    """Escalations resolved in the period, oldest first, with their lessons and the latest follow-up."""
    with ctx.store.session() as session:
        return lessons_in(session, ctx, period, include_references=include_references)


def lessons_in(
    session: Session, ctx: AppContext, period: ReportPeriod, *, include_references: bool
) -> list[LessonLine]:
    bounds.check_period(period)
    names = name_matcher_in(session)
    resolved = [
        e
        for e in escalations_touching(session, period)
        if e.resolution is not None and within(e.resolution.resolved_at, period)
    ]
    resolved.sort(key=lambda e: (e.resolution.resolved_at if e.resolution else e.opened_at, e.id))
    follow_ups = _latest_follow_ups(session, [e.id for e in resolved])
    return [
        _line(ctx, number, escalation, follow_ups.get(escalation.id), names, include_references)
        for number, escalation in enumerate(resolved, start=1)
    ]


def _line(
    ctx: AppContext,
    number: int,
    escalation: Escalation,
    follow_up: LessonFollowUp | None,
    names: NameMatcher,
    include_references: bool,
) -> LessonLine:
    resolution = escalation.resolution
    assert resolution is not None
    return LessonLine(
        number=number,
        escalation_id=escalation.id,
        reference=escalation.reference if include_references else "",
        resolved_on=london(resolution.resolved_at).date(),
        category=category_label(ctx, escalation),
        other_agency=escalation.other_agency.name,
        resolved_stage=stage_display(ctx, escalation.policy_id, resolution.resolved_stage),
        lessons=names.redact(resolution.lessons_learnt),
        referred_to_board=resolution.learning_referred_to_board,
        follow_up=_view(follow_up, names) if follow_up else None,
    )


def _latest_follow_ups(session: Session, escalation_ids: list[int]) -> dict[int, LessonFollowUp]:
    if not escalation_ids:
        return {}
    rows = session.scalars(
        select(LessonFollowUp)
        .where(LessonFollowUp.escalation_id.in_(escalation_ids))
        .order_by(LessonFollowUp.id)
    )
    return {row.escalation_id: row for row in rows}  # later rows overwrite earlier: the newest wins


def _view(row: LessonFollowUp, names: NameMatcher) -> FollowUp:
    return FollowUp(
        staff_training=row.staff_training,
        new_protocol=row.new_protocol,
        inform_commissioner=row.inform_commissioner,
        commissioner_service=row.commissioner_service,
        sub_group=row.sub_group,
        sub_group_name=row.sub_group_name,
        board_discussion=row.board_discussion,
        board_forum=row.board_forum,
        notes=names.redact(row.notes),
    )


def record_follow_up(ctx: AppContext, escalation_id: int, follow_up: FollowUp) -> FollowUp:
    """Save what a lesson led to. A new row each time, so an earlier answer is never lost."""
    _check_follow_up(follow_up)
    with ctx.store.session() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            raise NotFound(
                _("There is no escalation number {escalation_id}.").format(escalation_id=escalation_id)
            )
        if escalation.resolution is None:
            raise ValidationError(
                _("Escalation {reference} is not resolved yet: record its follow-up once it is.").format(
                    reference=escalation.reference
                )
            )
        values = {
            key: (value.strip() if isinstance(value, str) else value)
            for key, value in asdict(follow_up).items()
        }
        row = LessonFollowUp(
            escalation_id=escalation_id,
            recorded_at=ctx.clock.now(),
            recorded_by_id=ctx.actor.user_id,
            **values,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="lesson_follow_up_recorded",
            entity="escalation",
            entity_id=escalation_id,
            detail={k: v for k, v in values.items() if isinstance(v, bool)},
        )
        return _view(row, name_matcher_in(session))


def _check_follow_up(follow_up: FollowUp) -> None:
    if follow_up.inform_commissioner and not follow_up.commissioner_service.strip():
        raise ValidationError(
            _("Say which service the commissioner should be told about."), field="commissioner_service"
        )
    if follow_up.sub_group and not follow_up.sub_group_name.strip():
        raise ValidationError(_("Say which sub group should discuss it."), field="sub_group_name")


def export_lessons_csv(
    ctx: AppContext, period: ReportPeriod, target: Path, *, include_references: bool = False
) -> Path:
    with ctx.store.session() as session:
        lines = lessons_in(session, ctx, period, include_references=include_references)
        write_atomically(target, lessons_csv(lines).encode("utf-8-sig"))
        audit_export(session, ctx, "lessons_csv", period, target, include_references)
    return target


def export_lessons_pdf(
    ctx: AppContext, period: ReportPeriod, target: Path, *, include_references: bool = False
) -> Path:
    from dsl_desk.documents.lessons_pdf import render_lessons_log
    from dsl_desk.services.learning.common import report_meta

    with ctx.store.session() as session:
        lines = lessons_in(session, ctx, period, include_references=include_references)
        meta = report_meta(session, ctx, period, _("Lessons log"))
        write_atomically(target, render_lessons_log(lines, period.label, meta))
        audit_export(session, ctx, "lessons_pdf", period, target, include_references)
    return target
