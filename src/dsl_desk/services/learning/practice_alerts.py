"""Partnership Practice Alerts: concerns about practice across the partnership that are not about one child.
A record of its own, its own form and PDF, and no child's data in it. The form is the one a partnership ships
with `purpose = "practice_alert"` (today Medway's Appendix Three): the desk's own partnership's when it has one,
otherwise the only one there is.

The app cannot know every way a child might be identified, but it does know every child's name: any of
them typed into an alert is found (whole words, any case) and the alert is refused until the DSL removes
it or confirms it is not a child (a colleague called Amir, say).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dsl_desk.core.child_names import NameMatcher
from dsl_desk.core.clock import london
from dsl_desk.core.i18n import _
from dsl_desk.documents.forms import FormDefinition
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.calendar import organisation
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.learning.common import name_matcher_in
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import NotFound
from dsl_desk.store.models import DocumentRecord, PracticeAlert

PURPOSE = "practice_alert"
TEXT_FIELDS = (
    "informer",
    "service",
    "contact_details",
    "summary",
    "measures_taken",
    "contributory_causes",
    "good_practice",
    "recommended_action",
)


@dataclass(frozen=True)
class AlertInput:
    informer: str
    summary: str
    alert_date: date
    service: str = ""
    contact_details: str = ""
    measures_taken: str = ""
    contributory_causes: str = ""
    good_practice: str = ""
    recommended_action: str = ""


@dataclass(frozen=True)
class AlertView:
    id: int
    reference: str
    alert: AlertInput
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True)
class NameWarning:
    field: str  # AlertInput field name
    names: tuple[str, ...]


class ChildNameFound(ValidationError):
    """An alert holds a known child's name. `warnings` says where; the form shows them beside the boxes."""

    def __init__(self, warnings: tuple[NameWarning, ...]) -> None:
        found = sorted({name for w in warnings for name in w.names}, key=str.casefold)
        super().__init__(
            _(
                "This alert mentions {join}, the name of a child in DSL Desk. A Partnership Practice "
                "Alert must not identify a child: remove the name, or confirm it is not a child's."
            ).format(join=", ".join(found)),
            field=warnings[0].field,
        )
        self.warnings = warnings


def child_name_matcher(ctx: AppContext) -> NameMatcher:
    """For the form to warn as the DSL types, without a database query per key press."""
    with ctx.store.session() as session:
        return name_matcher_in(session)


def name_warnings(matcher: NameMatcher, alert: AlertInput) -> tuple[NameWarning, ...]:
    found = ((name, matcher.find(getattr(alert, name))) for name in TEXT_FIELDS)
    return tuple(NameWarning(name, names) for name, names in found if names)


def new_alert_defaults(ctx: AppContext) -> AlertInput:
    """Who raises it and where from, prefilled (the policy: "should usually be the safeguarding lead")."""
    with ctx.store.session() as session:
        service = organisation(session).name
    return AlertInput(
        informer=f"{ctx.actor.display_name}, {ctx.actor.role}",
        summary="",
        alert_date=london(ctx.clock.now()).date(),
        service=service,
    )


def create_alert(ctx: AppContext, alert: AlertInput, *, names_confirmed: bool = False) -> AlertView:
    alert = _clean(alert)
    _validate(alert)
    with ctx.store.session() as session:
        _refuse_child_names(session, alert, names_confirmed)
        row = PracticeAlert(
            reference=_next_reference(session, alert.alert_date),
            created_at=ctx.clock.now(),
            created_by_id=ctx.actor.user_id,
            **asdict(alert),
        )
        session.add(row)
        session.flush()
        _audit(session, ctx, "practice_alert_created", row, names_confirmed)
        return _view(row)


def update_alert(
    ctx: AppContext, alert_id: int, alert: AlertInput, *, names_confirmed: bool = False
) -> AlertView:
    alert = _clean(alert)
    _validate(alert)
    with ctx.store.session() as session:
        row = _alert(session, alert_id)
        _refuse_child_names(session, alert, names_confirmed)
        for name, value in asdict(alert).items():
            setattr(row, name, value)
        row.updated_at = ctx.clock.now()
        _audit(session, ctx, "practice_alert_updated", row, names_confirmed)
        return _view(row)


def list_alerts(ctx: AppContext) -> list[AlertView]:
    with ctx.store.session() as session:
        rows = session.scalars(
            select(PracticeAlert).order_by(PracticeAlert.alert_date.desc(), PracticeAlert.id.desc())
        )
        return [_view(row) for row in rows]


def get_alert(ctx: AppContext, alert_id: int) -> AlertView:
    with ctx.store.session() as session:
        return _view(_alert(session, alert_id))


def export_alert_pdf(ctx: AppContext, alert_id: int, target: Path) -> Path:
    """The alert on its partnership's template, audited and recorded as a document sent out."""
    from dsl_desk.documents.render import RenderMeta, render_form

    with ctx.store.session() as session:
        row = _alert(session, alert_id)
        org = organisation(session)
        form = alert_form(org.partnership_id)
        pack = ctx.packs.get(form.partnership)
        meta = RenderMeta(
            partnership_name=pack.name if pack else form.partnership,
            policy_pack_label=f"{pack.short_name if pack else form.partnership}: {form.short_title or form.title}",
            reference=row.reference,
            organisation=org.name,
            exported_at=ctx.clock.now(),
            author=f"{ctx.actor.display_name}, {ctx.actor.role}",
            demo=org.is_demo,
        )
        write_atomically(target, render_form(form, _form_values(row), meta))
        session.add(
            DocumentRecord(
                form_id=form.id,
                action="export",
                file_name=target.name,
                at=ctx.clock.now(),
                by_id=ctx.actor.user_id,
            )
        )
        _audit(session, ctx, "practice_alert_exported", row, False, file=target.name)
    return target


def alert_form(partnership_id: str) -> FormDefinition:
    """The practice alert form for a desk in `partnership_id` (see the module docstring)."""
    from dsl_desk.documents.forms import shipped_forms

    forms = [f for f in shipped_forms().values() if f.purpose == PURPOSE]
    own = [f for f in forms if f.applies_to(partnership_id)]
    if not (own or forms):
        raise ValidationError(_("None of the installed partnership forms is a practice alert form."))
    return (own or forms)[0]


def _form_values(row: PracticeAlert) -> dict[str, str]:
    # The form's keys and the table's columns match, but for the date: the form calls it date_of_alert.
    values = {name: getattr(row, name) for name in TEXT_FIELDS}
    values["date_of_alert"] = row.alert_date.isoformat()
    return values


def _refuse_child_names(session: Session, alert: AlertInput, names_confirmed: bool) -> None:
    if names_confirmed:
        return
    warnings = name_warnings(name_matcher_in(session), alert)
    if warnings:
        raise ChildNameFound(warnings)


def _clean(alert: AlertInput) -> AlertInput:
    values = {f.name: getattr(alert, f.name) for f in fields(alert)}
    return AlertInput(**{k: v.strip() if isinstance(v, str) else v for k, v in values.items()})


def _validate(alert: AlertInput) -> None:
    if not alert.informer:
        raise ValidationError(
            _("Say who is raising the alert (usually the safeguarding lead)."), field="informer"
        )
    if not alert.summary:
        raise ValidationError(
            _("Summarise what happened, with specific dates and examples (but no child's details)."),
            field="summary",
        )


def _next_reference(session: Session, day: date) -> str:
    prefix = f"PPA-{day.year}-"
    count = (
        session.scalar(select(func.count(PracticeAlert.id)).where(PracticeAlert.reference.like(f"{prefix}%")))
        or 0
    )
    return f"{prefix}{count + 1:04d}"


def _alert(session: Session, alert_id: int) -> PracticeAlert:
    row = session.get(PracticeAlert, alert_id)
    if row is None:
        raise NotFound(
            _("There is no Partnership Practice Alert number {alert_id}.").format(alert_id=alert_id)
        )
    return row


def _view(row: PracticeAlert) -> AlertView:
    alert = AlertInput(**{f.name: getattr(row, f.name) for f in fields(AlertInput)})
    return AlertView(row.id, row.reference, alert, row.created_at, row.updated_at)


def _audit(
    session: Session,
    ctx: AppContext,
    action: str,
    row: PracticeAlert,
    names_confirmed: bool,
    *,
    file: str = "",
) -> None:
    detail: dict[str, object] = {"reference": row.reference}
    if names_confirmed:
        detail["child_name_warning_overridden"] = True  # the DSL said a matching name was not a child's
    if file:
        detail["file"] = file
    audit.record(
        session,
        at=ctx.clock.now(),
        user_id=ctx.actor.user_id,
        action=action,
        entity="practice_alert",
        entity_id=row.id,
        detail=detail,
    )
