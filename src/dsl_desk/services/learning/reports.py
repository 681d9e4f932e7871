"""The period's figures for governors and the partnership (Wigan's quarterly analysis), and their exports.

Counts only by default: no child's name ever, and case references only when the user asks for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.learning import CaseLine, Count, PeriodFigures, StageTimescales, median_or_none
from dsl_desk.core.periods import ReportPeriod
from dsl_desk.documents.learning_csv import figures_csv
from dsl_desk.services import bounds
from dsl_desk.services.calendar import calendar_in, organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.learning.common import (
    StageName,
    audit_export,
    category_label,
    escalations_touching,
    mixes_policies,
    report_meta,
    stage_display,
    stage_names,
    within,
)
from dsl_desk.services.learning.lessons import lessons_in
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.models import Escalation

GOVERNORS_REPORT = "governors_report"


def period_figures(
    ctx: AppContext, period: ReportPeriod, *, include_references: bool = False
) -> PeriodFigures:
    """The figures for one period. `include_references` adds one line per case (references, never names)."""
    with ctx.store.session() as session:
        return _figures(session, ctx, period, include_references=include_references)


def _figures(
    session: Session, ctx: AppContext, period: ReportPeriod, *, include_references: bool
) -> PeriodFigures:
    bounds.check_period(period)
    calendar = calendar_in(session)
    touching = escalations_touching(session, period)
    opened = [e for e in touching if within(e.opened_at, period)]
    resolved = [e for e in touching if e.resolution is not None and within(e.resolution.resolved_at, period)]
    _start, end = period.bounds()
    name_policy = mixes_policies(touching)
    days = tuple(sorted(_days_taken(e, calendar) for e in resolved))
    return PeriodFigures(
        start=period.start,
        end=period.end,
        label=period.label,
        organisation=organisation(session).name,
        opened=len(opened),
        resolved=len(resolved),
        withdrawn=sum(1 for e in touching if e.status == "withdrawn" and within(e.closed_at, period)),
        open_at_end=sum(1 for e in touching if e.closed_at is None or e.closed_at >= end),
        by_category=_counted(category_label(ctx, e) for e in opened),
        by_agency=_counted(e.other_agency.name for e in opened),
        resolved_at_stage=_stages_reached(ctx, resolved, name_policy),
        timescales=_timescales(ctx, touching, period, name_policy),
        days_to_resolution=days,
        median_days=median_or_none(days),
        longest_days=max(days) if days else None,
        referred_to_board=sum(
            1 for e in resolved if e.resolution and e.resolution.learning_referred_to_board
        ),
        cases=tuple(_case_line(ctx, e, calendar, period) for e in touching) if include_references else (),
    )


def _counted(labels: Iterable[str]) -> tuple[Count, ...]:
    """Most first; ties in alphabetical order so the same data always prints the same way."""
    counts = Counter(labels)
    return tuple(Count(label, n) for label, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _stages_reached(ctx: AppContext, resolved: Sequence[Escalation], name_policy: bool) -> tuple[Count, ...]:
    counts: Counter[StageName] = Counter()
    for escalation in resolved:
        assert escalation.resolution is not None
        counts[
            stage_names(
                ctx, escalation.policy_id, escalation.resolution.resolved_stage, name_policy=name_policy
            )
        ] += 1
    # In the policy's own order (Stage One first), which is how a governor reads a ladder.
    return tuple(Count(stage.display, counts[stage]) for stage in sorted(counts))


def _timescales(
    ctx: AppContext, touching: Sequence[Escalation], period: ReportPeriod, name_policy: bool
) -> tuple[StageTimescales, ...]:
    """Stages left during the period. A stage without a deadline counts apart: it can neither meet nor miss.
    Withdrawn cases leave their stage with no verdict (timescale_met is None) and are not counted."""
    tally: dict[StageName, list[int]] = {}
    for escalation in touching:
        for record in escalation.stages:
            if record.timescale_met is None or not within(record.left_at, period):
                continue
            stage = stage_names(ctx, escalation.policy_id, record.stage_key, name_policy=name_policy)
            slot = tally.setdefault(stage, [0, 0, 0])
            if record.deadline is None:
                slot[2] += 1
            elif record.timescale_met:
                slot[0] += 1
            else:
                slot[1] += 1
    return tuple(
        StageTimescales(stage.label, stage.title, met, missed, none, policy=stage.policy)
        for stage, (met, missed, none) in sorted(tally.items())
    )


def _days_taken(escalation: Escalation, calendar: WorkingCalendar) -> int:
    assert escalation.resolution is not None
    return calendar.working_days_elapsed(escalation.opened_at, escalation.resolution.resolved_at)


def _case_line(
    ctx: AppContext, escalation: Escalation, calendar: WorkingCalendar, period: ReportPeriod
) -> CaseLine:
    resolution = escalation.resolution
    resolved_here = resolution is not None and within(resolution.resolved_at, period)
    return CaseLine(
        reference=escalation.reference,
        category=category_label(ctx, escalation),
        other_agency=escalation.other_agency.name,
        status=escalation.status,
        resolved_stage=stage_display(ctx, escalation.policy_id, resolution.resolved_stage)
        if resolution and resolved_here
        else "",
        working_days=_days_taken(escalation, calendar) if resolved_here else None,
    )


# --------------------------------------------------------------------------------------------------------------
# Exports: each one audited in the same unit of work that writes the file
# --------------------------------------------------------------------------------------------------------------


def export_figures_csv(
    ctx: AppContext, period: ReportPeriod, target: Path, *, include_references: bool = False
) -> Path:
    with ctx.store.session() as session:
        figures = _figures(session, ctx, period, include_references=include_references)
        write_atomically(target, figures_csv(figures).encode("utf-8-sig"))  # BOM: Excel then reads UTF-8
        audit_export(session, ctx, "figures_csv", period, target, include_references)
    return target


def export_governors_report(
    ctx: AppContext,
    period: ReportPeriod,
    target: Path,
    *,
    include_references: bool = False,
    chair_name: str = "",
) -> Path:
    from dsl_desk.documents.governors_report import GovernorsReport, render_governors_report

    with ctx.store.session() as session:
        figures = _figures(session, ctx, period, include_references=include_references)
        lessons = lessons_in(session, ctx, period, include_references=include_references)
        report = GovernorsReport(
            figures=figures, lessons=lessons, chair_name=chair_name.strip(), school_role=ctx.actor.role
        )
        pdf = render_governors_report(report, report_meta(session, ctx, period, "Governors' report"))
        write_atomically(target, pdf)
        audit_export(session, ctx, GOVERNORS_REPORT, period, target, include_references)
    return target
