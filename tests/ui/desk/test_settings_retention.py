"""The retention period in the profile: shown and saved on the Settings page, checked by the profile service."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from dsl_desk.services.desk.profile import get_profile, update_retention_years
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.models import AuditEvent
from dsl_desk.ui.desk.settings_page import SettingsPage
from dsl_desk.ui.signals import AppSignals
from tests.conftest import FAST_KDF


@pytest.fixture
def signals() -> AppSignals:
    return AppSignals()


@pytest.fixture
def page(qtbot, ctx, signals) -> SettingsPage:
    widget = SettingsPage(ctx, signals, kdf=FAST_KDF)
    qtbot.addWidget(widget)
    widget.resize(1080, 740)
    widget.show()
    return widget


def test_the_default_is_the_25th_birthday(ctx, page):
    assert get_profile(ctx).retention_years_after_birth == 25
    assert page.retention_spin.value() == 25
    assert page.retention_spin.minimum() == 25


def test_a_longer_period_is_saved_and_audited(qtbot, ctx, page, signals):
    page.retention_spin.setFocus()
    page.retention_spin.selectAll()
    qtbot.keyClicks(page.retention_spin, "31")
    with qtbot.waitSignal(signals.changed, timeout=1000) as emitted:
        qtbot.mouseClick(page.retention_button, Qt.MouseButton.LeftButton)
    assert emitted.args[0].records
    assert emitted.args[0].settings
    assert get_profile(ctx).retention_years_after_birth == 31
    assert page.retention_message.text() == "Saved."
    with ctx.store.session() as session:
        detail = session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "profile_updated")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert json.loads(detail) == {"retention_years_after_birth": 31, "was": 25}


@pytest.mark.parametrize("years", [0, 18, 24, 76, 200])
def test_a_period_outside_the_allowed_range_is_refused(ctx, years):
    with pytest.raises(ValidationError, match="25th birthday at least") as refused:
        update_retention_years(ctx, years)
    assert refused.value.field == "retention_years_after_birth"
    assert get_profile(ctx).retention_years_after_birth == 25


def test_the_spin_box_cannot_go_below_25(qtbot, page):
    page.retention_spin.setFocus()
    page.retention_spin.selectAll()
    qtbot.keyClicks(page.retention_spin, "18")
    assert page.retention_spin.value() >= 25
