"""The pages of the navigation rail, in order (Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from dsl_desk.services.context import AppContext
from dsl_desk.ui.signals import AppSignals


def _dashboard(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.desk.dashboard_page import DashboardPage

    return DashboardPage(ctx, signals)


def _children(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.people.children_page import ChildrenPage

    return ChildrenPage(ctx, signals)


def _escalations(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.escalations.escalations_page import EscalationsPage

    return EscalationsPage(ctx, signals)


def _log(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.log.log_page import LogPage

    return LogPage(ctx, signals)


def _forms(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.paperwork.forms_page import FormsPage

    return FormsPage(ctx, signals)


def _reports(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.learning.reports_page import ReportsPage

    return ReportsPage(ctx, signals)


def _contacts(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.people.contacts_page import ContactsPage

    return ContactsPage(ctx, signals)


def _records(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.records.records_page import RecordsPage

    return RecordsPage(ctx, signals)


def _audit(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.audit.audit_page import AuditPage

    return AuditPage(ctx, signals)


def _settings(ctx: AppContext, signals: AppSignals) -> QWidget:
    from dsl_desk.ui.desk.settings_page import SettingsPage

    return SettingsPage(ctx, signals)


NAVIGATION: list[tuple[str, str, Callable[[AppContext, AppSignals], QWidget]]] = [
    ("dashboard", "Dashboard", _dashboard),
    ("children", "Children", _children),
    ("escalations", "Escalations", _escalations),
    ("log", "Discussion log", _log),
    ("forms", "Forms", _forms),
    ("reports", "Reports", _reports),
    ("contacts", "Contacts", _contacts),
    ("records", "Transfers & requests", _records),
    ("audit", "Audit trail", _audit),
    ("settings", "Settings", _settings),
]
