"""Help › Getting started (what to do first, and the escalation policy in use on one page) and Help › About
(version, data folder, the licences of the fonts and libraries shipped)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dsl_desk import APP_NAME
from dsl_desk.core.policy import PolicyPack
from dsl_desk.ui.widgets.common import fit_to_screen

FIRST_STEPS = (
    (
        "Add the child",
        "Children (Ctrl+2) › Add child…. Only what the escalation needs: names and date of birth.",
    ),
    (
        "Record the conversation",
        "Log a discussion (Ctrl+L, from anywhere): who you spoke to, what was said and agreed. The log is "
        "append-only; a correction is a new entry.",
    ),
    (
        "Start the escalation",
        "New escalation (Ctrl+N), or New escalation for this child… on the child's page: the other agency, "
        "what the disagreement is about, the problem and the outcome you want. Say first if the child may be "
        "at immediate risk.",
    ),
    (
        "Work through the stages",
        "The escalation's page (Escalations, Ctrl+3) shows the deadline, the checklist and whom to contact. "
        "Escalate… (Ctrl+E) when a stage ends without agreement; Resolve… (Ctrl+R) once the outcome is agreed "
        "in writing.",
    ),
    (
        "Send the forms",
        "Forms (Ctrl+5): the partnership's forms filled from the record, saved as a signed PDF, printed or "
        "drafted as an email. Doing so ticks the step off.",
    ),
    (
        "Leave the desk safe",
        "Lock (Ctrl+Shift+L) whenever you step away; it also locks itself after the minutes set in Settings "
        "(Ctrl+0), where you can add a second backup folder (a USB drive or network share).",
    ),
)


def policy_summary_html(pack: PolicyPack) -> str:
    e = html.escape
    doc = pack.document
    parts = [f"<h2>{e(pack.name)}</h2>"]
    source = ", ".join(x for x in (doc.title, doc.adopted_by, doc.dates) if x)
    if source:
        parts.append(f"<p>{e(source)}</p>")
    if pack.immediate_risk is not None:
        parts.append(
            f"<p><b>If a child may be at immediate risk:</b> {e(pack.immediate_risk.instruction)}</p>"
        )
    if pack.pre_steps:
        parts.append("<h3>Before the first stage</h3><ul>")
        parts.extend(
            f"<li><b>{e(step.title)}</b>"
            + (f" — {e(step.timescale.text)}" if step.timescale.text else "")
            + "</li>"
            for step in pack.pre_steps
        )
        parts.append("</ul>")
    parts.append("<h3>The stages</h3><ol>")
    for stage in pack.stages:
        line = f"<li><b>{e(stage.label)}: {e(stage.title)}</b>"
        if stage.partnership_level:
            line += " (partnership level)"
        line += f"<br>Our side: {e(stage.our_side)}. Their side: {e(stage.their_side)}."
        if stage.timescale.text:
            line += f"<br>Timescale: {e(stage.timescale.text)}"
        forms = sorted({r.form for r in stage.requirements if r.form})
        if forms:
            line += f"<br>Forms: {e(', '.join(forms))}"
        parts.append(line + "</li>")
    parts.append("</ol>")
    if pack.overall_timescale is not None and pack.overall_timescale.text:
        parts.append(f"<p><b>Overall:</b> {e(pack.overall_timescale.text)}</p>")
    if pack.closing.closing_forms:
        titles = ", ".join(form.title for form in pack.closing.closing_forms)
        parts.append(f"<p><b>On closing:</b> {e(titles)}</p>")
    return "".join(parts)


def getting_started_html(pack: PolicyPack | None) -> str:
    e = html.escape
    parts = ["<h2>What to do first</h2><ol>"]
    parts.extend(f"<li><b>{e(title)}.</b> {e(text)}</li>" for title, text in FIRST_STEPS)
    parts.append(
        "</ol><p>Every menu item shows its shortcut; the menus and toolbar wait while the desk is locked.</p>"
    )
    if pack is None:
        parts.append("<p>No escalation policy is chosen yet: Settings › Partnership.</p>")
    else:
        parts.append("<hr>" + policy_summary_html(pack))
    return "".join(parts)


class GettingStartedDialog(QDialog):
    def __init__(self, pack: PolicyPack | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gettingStartedDialog")
        self.setWindowTitle(self.tr("Getting started with %s") % APP_NAME)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(self.tr("Getting started"))
        self.browser.setOpenLinks(False)
        self.browser.setHtml(getting_started_html(pack))
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, 760, 680)


def _table(rows: list[tuple[str, str, str]], headings: tuple[str, str, str]) -> str:
    e = html.escape
    head = "".join(f"<th align='left'>{e(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}&nbsp;&nbsp;</td>" for c in row) + "</tr>" for row in rows)
    return f"<table cellspacing='0' cellpadding='2'><tr>{head}</tr>{body}</table>"


class AboutDialog(QDialog):
    def __init__(self, data_folder: Path, database: Path, parent: QWidget | None = None) -> None:
        from dsl_desk.services.desk.about import about

        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About %s") % APP_NAME)
        self.info = about(data_folder, database)
        layout = QVBoxLayout(self)
        heading = QLabel(
            f"<h2>{html.escape(APP_NAME)} {html.escape(self.info.version)}</h2>"
            + self.tr("<p>Data folder: %s<br>Database: %s</p>")
            % (html.escape(str(self.info.data_folder)), html.escape(str(self.info.database)))
        )
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.tabs = QTabWidget()
        self.libraries = QTextBrowser()
        self.libraries.setHtml(
            self.tr(
                "<p>The libraries shipped with %s, and their licences. PySide6 includes the Qt libraries, "
                "under the same licence.</p>"
            )
            % html.escape(APP_NAME)
            + _table(
                [(s.name, s.version, s.licence) for s in self.info.libraries],
                ("Library", "Version", "Licence"),
            )
        )
        self.fonts = QTextBrowser()
        self.fonts.setHtml(
            self.tr("<p>Fonts embedded in the PDFs %s makes:</p>") % html.escape(APP_NAME)
            + _table([(s.name, s.version, s.licence) for s in self.info.fonts], ("Font", "Source", "Licence"))
            + "<pre>"
            + html.escape(self.info.font_licence_text)
            + "</pre>"
        )
        self.tabs.addTab(self.libraries, self.tr("Libraries"))
        self.tabs.addTab(self.fonts, self.tr("Fonts"))
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, 720, 620)
