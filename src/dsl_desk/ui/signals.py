"""The one signal hub, created by the main window and wired there in one place."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class Changed:
    """What a service call changed, so each view decides whether to refresh."""

    escalations: bool = False
    children: bool = False
    contacts: bool = False
    log: bool = False
    settings: bool = False
    records: bool = False  # transfers, subject access requests, retention


class AppSignals(QObject):
    changed = Signal(object)  # Changed
    open_escalation = Signal(int)  # escalation id
    open_child = Signal(int)  # child id
    open_forms = Signal(int)  # escalation id: its forms on the Forms page
    open_records = Signal(
        str, int
    )  # a tab of Transfers & requests ("transfers", "access", "retention"), an id
    lock_requested = Signal()
