"""Partnership Practice Alerts: stored on their own, refused while they hold a known child's name, printed
on Medway's Appendix Three template."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dsl_desk.core.child_names import NameMatcher
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.learning.practice_alerts import (
    AlertInput,
    ChildNameFound,
    child_name_matcher,
    create_alert,
    export_alert_pdf,
    list_alerts,
    name_warnings,
    new_alert_defaults,
    update_alert,
)
from dsl_desk.services.people.children import add_child
from dsl_desk.store.models import AuditEvent, DocumentRecord
from tests.conftest import fictional_child


def _alert(**changes) -> AlertInput:
    values = dict(
        informer="Jane Smith, DSL",
        summary="Strategy meetings were arranged without school three times this term (5, 12 and 19 January).",
        alert_date=date(2026, 1, 5),
        recommended_action="Invite the DSL to every strategy meeting about a pupil.",
    )
    values.update(changes)
    return AlertInput(**values)


def test_names_are_matched_whole_word_any_case_and_only_from_three_letters():
    matcher = NameMatcher(["Leo", "Rees-Amberley", "Al", "Zoë"])
    assert matcher.find("We met LEO and zoë about Rees-Amberley.") == ("LEO", "zoë", "Rees-Amberley")
    assert (
        matcher.find("Leon and Leonie went to the gallery; Al came too.") == ()
    )  # not whole words; Al too short
    assert matcher.find("the rees family") == ("rees",)  # part of a double-barrelled name
    assert matcher.redact("Leo's plan") == "[name removed]'s plan"


def test_an_alert_with_a_childs_name_is_refused_until_confirmed(ctx, child_id):
    add_child(ctx, fictional_child("Amir", "Haddad"))
    alert = _alert(summary="Zephyrine and amir were not invited.", measures_taken="Spoke to the Haddad team.")
    warnings = name_warnings(child_name_matcher(ctx), alert)
    assert [(w.field, w.names) for w in warnings] == [
        ("summary", ("Zephyrine", "amir")),
        ("measures_taken", ("Haddad",)),
    ]
    with pytest.raises(ChildNameFound, match="Zephyrine") as refused:
        create_alert(ctx, alert)
    assert refused.value.field == "summary"
    assert list_alerts(ctx) == []
    view = create_alert(ctx, alert, names_confirmed=True)
    with ctx.store.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "practice_alert_created")).one()
    assert json.loads(event.detail)["child_name_warning_overridden"] is True
    assert view.reference == "PPA-2026-0001"


def test_create_update_and_export_an_alert(ctx, child_id, tmp_path):
    defaults = new_alert_defaults(ctx)
    assert defaults.informer == "Jane Smith, Designated Safeguarding Lead"
    assert defaults.service == "Penkford School"
    assert defaults.alert_date == date(2026, 1, 5)
    view = create_alert(ctx, _alert(service="Penkford School"))
    updated = update_alert(
        ctx, view.id, _alert(service="Penkford School", good_practice="Health shared promptly.")
    )
    assert updated.alert.good_practice == "Health shared promptly."
    target = export_alert_pdf(ctx, view.id, tmp_path / "ppa.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert "Partnership Practice Alert for the MSCP Learning Lessons Subgroup" in text
    assert "PPA-2026-0001" in text
    assert "5 January 2026" in text
    assert "Health shared promptly." in text
    assert "Zephyrine" not in text
    with ctx.store.session() as session:
        record = session.scalars(select(DocumentRecord)).one()
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "practice_alert")
        ).all()
    assert (record.form_id, record.escalation_id, record.file_name) == (
        "medway_partnership_practice_alert",
        None,
        "ppa.pdf",
    )
    assert actions == ["practice_alert_created", "practice_alert_updated", "practice_alert_exported"]


def test_an_alert_needs_a_summary(ctx):
    with pytest.raises(ValidationError, match="Summarise what happened"):
        create_alert(ctx, _alert(summary="  "))
