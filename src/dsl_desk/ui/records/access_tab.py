"""Subject access requests: the list with due dates, and one request opened to decide what goes out.

Opening a request shows everything held about the child that can be withheld (escalations, log entries,
attachments), the names being redacted, what the response will hold, and the steps: identity confirmed,
extend, export (PDF + JSON and the redaction log) and mark answered. Every change goes through the
services, which audit it; the tab only asks them and shows what they say.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import describe_date, numeric_date, numeric_date_time
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import DeskError
from dsl_desk.services.records.subject_access import (
    REDACT_TERM,
    Decision,
    RequestDetail,
    RequestRow,
    get_request,
    list_requests,
    mark_withdrawn,
)
from dsl_desk.services.records.subject_access_items import DisclosableItem, list_items, take_back
from dsl_desk.ui import theme
from dsl_desk.ui.messages import confirm, show_error
from dsl_desk.ui.operations import run_operation
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.translation import translate
from dsl_desk.ui.widgets.common import hint, make_table, section_title
from dsl_desk.ui.widgets.folders import in_documents

if TYPE_CHECKING:
    from dsl_desk.services.records.subject_access_export import ExportResult


def request_columns(today_of: object) -> list[Column[RequestRow]]:
    def due(row: RequestRow) -> str:
        if row.status != "open":
            return "–"
        return f"{describe_date(row.due_on, today_of())} ({row.due_words})"  # type: ignore[operator]

    def overdue_fg(row: RequestRow) -> str | None:
        return theme.OVERDUE if row.overdue else None

    def overdue_bg(row: RequestRow) -> str | None:
        return theme.OVERDUE_SOFT if row.overdue else None

    return [
        Column(translate("access_tab", "Ref"), lambda r: r.reference, sort_key=lambda r: r.id),
        Column(translate("access_tab", "Child"), lambda r: r.child),
        Column(translate("access_tab", "Requester is"), lambda r: r.relationship, tooltip=lambda r: r.requester),
        Column(translate("access_tab", "Received"), lambda r: numeric_date(r.received_on), sort_key=lambda r: r.received_on.isoformat()),
        Column(translate("access_tab", "Respond by"), due, sort_key=lambda r: r.due_on.isoformat(), foreground=overdue_fg, background=overdue_bg),
        Column(translate("access_tab", "Status"), lambda r: r.status_words, foreground=overdue_fg, background=overdue_bg),
    ]  # fmt: skip


def item_columns() -> list[Column[DisclosableItem]]:
    def state(item: DisclosableItem) -> str:
        if item.withheld is None:
            return "Disclosed"
        quiet = ", not mentioned" if item.withheld.silent else ""
        return f"Withheld: {item.withheld.exemption_label}{quiet}"

    return [
        Column(translate("access_tab", "Item"), lambda i: i.label, tooltip=lambda i: i.snippet),
        Column(translate("access_tab", "What it says"), lambda i: i.snippet, tooltip=lambda i: i.snippet),
        Column(translate("access_tab", "In the response"), state, foreground=lambda i: theme.OVERDUE if i.withheld else None,
               tooltip=lambda i: i.withheld.reason if i.withheld else ""),
    ]  # fmt: skip


def term_columns() -> list[Column[Decision]]:
    return [
        Column(translate("access_tab", "Name redacted"), lambda d: d.term),
        Column(
            translate("access_tab", "Decided"),
            lambda d: f"{numeric_date_time(d.decided_at)} by {d.decided_by}",
        ),
    ]


class SubjectAccessTab(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.detail: RequestDetail | None = None
        self.last_export: ExportResult | None = None
        self._build()
        self.refresh()

    # --- layout ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(hint(self.tr("Requests for everything held about a child. The response is due one calendar month after receipt.")), 1)  # fmt: skip
        self.new_button = QPushButton(self.tr("&New request…"))
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self._new_clicked)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="access_splitter")  # sizes kept on close
        self.model: RowTableModel[RequestRow] = RowTableModel(request_columns(self._today), self)
        self.view, self.proxy = make_table(
            self.model, accessible_name=self.tr("Subject access requests"), stretch_column=1
        )
        self.view.selectionModel().currentRowChanged.connect(lambda current, _previous: self._picked(current))
        splitter.addWidget(self.view)
        splitter.addWidget(self._build_detail())
        # Requests are few; what goes in the response is where the work is, so it gets the room.
        splitter.setSizes([110, 640])
        layout.addWidget(splitter, 1)

    def _build_detail(self) -> QWidget:
        # Scrolls rather than squeezes: on a small laptop screen the tables never overlap their buttons.
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        box = QWidget(objectName="card")
        scroll.setWidget(box)
        layout = QVBoxLayout(box)
        self.placeholder = hint(self.tr("Choose a request above to decide what goes in the response."))
        layout.addWidget(self.placeholder)
        self.detail_box = QWidget()
        inner = QVBoxLayout(self.detail_box)
        inner.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(objectName="sectionTitle")
        self.facts = QLabel(wordWrap=True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.heading)
        inner.addWidget(self.facts)
        self._build_steps(inner)
        self._build_items(inner)
        self._build_terms(inner)
        layout.addWidget(self.detail_box, 1)
        self.detail_box.hide()
        return scroll

    def _build_steps(self, inner: QVBoxLayout) -> None:
        self.identity_button = QPushButton(self.tr("Identity confirmed…"))
        self.extend_button = QPushButton(self.tr("Extend…"))
        self.export_button = QPushButton(self.tr("E&xport PDF + JSON…"))
        self.export_button.setProperty("primary", True)
        self.responded_button = QPushButton(self.tr("Mark answered…"))
        self.withdrawn_button = QPushButton(self.tr("Withdrawn"))
        self.identity_button.clicked.connect(lambda: self._step("identity"))
        self.extend_button.clicked.connect(lambda: self._step("extend"))
        self.responded_button.clicked.connect(lambda: self._step("responded"))
        self.export_button.clicked.connect(self.export)
        self.withdrawn_button.clicked.connect(self.withdraw)
        inner.addLayout(
            _row_of(
                self.identity_button,
                self.extend_button,
                self.export_button,
                self.responded_button,
                self.withdrawn_button,
            )
        )
        self.preview_label = QLabel(wordWrap=True)
        self.preview_label.setAccessibleName(self.tr("What the response will hold"))
        inner.addWidget(self.preview_label)

    def _build_items(self, inner: QVBoxLayout) -> None:
        inner.addWidget(section_title(self.tr("What is held about the child")))
        self.items: RowTableModel[DisclosableItem] = RowTableModel(item_columns(), self)
        self.item_view, self.item_proxy = make_table(
            self.items, accessible_name=self.tr("Items held"), stretch_column=1
        )
        self.item_view.doubleClicked.connect(self.toggle_withheld)
        self.item_view.selectionModel().currentRowChanged.connect(self._enable)
        self.item_view.setMinimumHeight(150)
        inner.addWidget(self.item_view, 3)
        self.withhold_button = QPushButton(self.tr("&Withhold…"))
        self.disclose_button = QPushButton(self.tr("&Disclose again"))
        self.withhold_button.clicked.connect(self.toggle_withheld)
        self.disclose_button.clicked.connect(self.toggle_withheld)
        inner.addLayout(_row_of(self.withhold_button, self.disclose_button))

    def _build_terms(self, inner: QVBoxLayout) -> None:
        inner.addWidget(section_title(self.tr("Third parties' names redacted")))
        self.terms: RowTableModel[Decision] = RowTableModel(term_columns(), self)
        self.term_view, self.term_proxy = make_table(
            self.terms, accessible_name=self.tr("Names redacted"), stretch_column=0
        )
        self.term_view.setMaximumHeight(110)
        inner.addWidget(self.term_view, 1)
        self.add_terms_button = QPushButton(self.tr("Add &names to redact…"))
        self.remove_term_button = QPushButton(self.tr("&Stop redacting this name"))
        self.add_terms_button.clicked.connect(self.add_terms)
        self.remove_term_button.clicked.connect(self.remove_term)
        inner.addLayout(_row_of(self.add_terms_button, self.remove_term_button))

    # --- reading -----------------------------------------------------------------------------------------

    def _today(self) -> object:
        return london(self.ctx.clock.now()).date()

    def refresh(self) -> None:
        self.model.set_rows(list_requests(self.ctx))
        if self.detail is not None:
            self.open_request(self.detail.request.id)

    def on_changed(self, changed: Changed) -> None:
        if changed.records or changed.children or changed.log or changed.escalations:
            self.refresh()

    def select(self, request_id: int) -> None:
        """Open a request (the dashboard's row, or one just recorded) and pick out its row in the list."""
        for row in range(self.proxy.rowCount()):
            found = self.proxy.data(self.proxy.index(row, 0), ROW_ROLE)
            if found is not None and found.id == request_id:
                self.view.selectRow(row)
                break
        self.open_request(request_id)

    def _picked(self, index: object) -> None:
        row = self.proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None and (self.detail is None or self.detail.request.id != row.id):
            self.open_request(row.id)

    def open_request(self, request_id: int) -> None:
        self.detail = get_request(self.ctx, request_id)
        request = self.detail.request
        self.heading.setText(f"{request.reference} · {request.child}")
        self.facts.setText(self._facts(request))
        self.items.set_rows(list_items(self.ctx, request_id))
        self.terms.set_rows(list(self.detail.terms))
        self.preview_label.setText(self._preview_words())
        self.placeholder.hide()
        self.detail_box.show()
        self._enable()

    def _facts(self, r: RequestRow) -> str:
        today = london(self.ctx.clock.now()).date()
        lines = [
            f"From {r.requester} ({r.relationship}), received {describe_date(r.received_on, today)}.",
            "Identity confirmed." if r.identity_confirmed else "Identity not yet confirmed.",
        ]
        if r.status == "open":
            extended = f" (extended: {r.extension_reason})" if r.extended else ""
            lines.append(f"Respond by {describe_date(r.due_on, today)}, {r.due_words}{extended}.")
            if r.overdue:
                lines.append("This response is overdue.")
        elif r.status == "responded":
            lines.append(f"Answered {numeric_date(london(r.responded_at).date())} ({r.response_method}).")  # type: ignore[arg-type]
        else:
            lines.append("Withdrawn.")
        return " ".join(lines)

    def _preview_words(self) -> str:
        from dsl_desk.services.records.subject_access_export import preview

        shown = preview(self.ctx, self.detail.request.id)  # type: ignore[union-attr]
        silent = f" ({shown.withheld_silently} without saying so)" if shown.withheld_silently else ""
        return (
            f"The response will hold {shown.items} item(s); {shown.withheld_noted + shown.withheld_silently} "
            f"withheld{silent}; names redacted {shown.replacements} time(s)."
        )

    def _enable(self, *_ignored: object) -> None:
        is_open = self.detail is not None and self.detail.request.status == "open"
        for button in (
            self.identity_button,
            self.extend_button,
            self.responded_button,
            self.withdrawn_button,
            self.add_terms_button,
            self.remove_term_button,
        ):
            button.setEnabled(is_open)
        item = self._current_item()
        self.withhold_button.setEnabled(is_open and item is not None and item.withheld is None)
        self.disclose_button.setEnabled(is_open and item is not None and item.withheld is not None)
        self.export_button.setEnabled(self.detail is not None)  # fmt: skip

    def _current_item(self) -> DisclosableItem | None:
        index = self.item_view.currentIndex()
        return self.item_proxy.data(index, ROW_ROLE) if index.isValid() else None

    # --- changing ----------------------------------------------------------------------------------------

    def _new_clicked(self) -> None:
        self.new_request()

    def new_request(self, child_id: int | None = None) -> RequestRow | None:
        from dsl_desk.ui.records.subject_access_new import NewRequestDialog

        dialog = NewRequestDialog(self.ctx, self, child_id=child_id)
        if dialog.exec() and dialog.saved is not None:
            self._changed()
            self.select(dialog.saved.id)
            return dialog.saved
        return None

    def toggle_withheld(self, *_ignored: object) -> None:
        item = self._current_item()
        if self.detail is None or item is None or self.detail.request.status != "open":
            return
        if item.withheld is not None:
            self._call(lambda: take_back(self.ctx, item.withheld.id))  # type: ignore[union-attr]
            return
        from dsl_desk.ui.records.subject_access_withhold import WithholdDialog

        dialog = WithholdDialog(self.ctx, self.detail.request.id, item, self)
        if dialog.exec() and dialog.saved is not None:
            self._changed()

    def add_terms(self) -> None:
        if self.detail is None:
            return
        from dsl_desk.ui.records.subject_access_terms import RedactNamesDialog

        dialog = RedactNamesDialog(self.ctx, self.detail.request.id, self)
        dialog.exec()
        if dialog.saved:
            self._changed()

    def remove_term(self) -> None:
        index = self.term_view.currentIndex()
        decision = self.term_proxy.data(index, ROW_ROLE) if index.isValid() else None
        if decision is not None and decision.kind == REDACT_TERM:
            self._call(lambda: take_back(self.ctx, decision.id))

    def _step(self, which: str) -> None:
        if self.detail is None:
            return
        from dsl_desk.ui.records import subject_access_steps as steps

        kinds = {
            "identity": steps.IdentityDialog,
            "extend": steps.ExtendDialog,
            "responded": steps.RespondedDialog,
        }
        dialog = kinds[which](self.ctx, self.detail.request.id, self)
        if dialog.exec() and dialog.saved is not None:
            self._changed()

    def withdraw(self) -> None:
        if self.detail is None:
            return
        if confirm(self, self.tr("Request withdrawn"), self.tr("Mark this request as withdrawn by the requester? It can no longer be changed afterwards."), yes=self.tr("Mark withdrawn")):  # fmt: skip
            request_id = self.detail.request.id
            self._call(lambda: mark_withdrawn(self.ctx, request_id))

    def export(self) -> None:
        if self.detail is None:
            return
        folder = choose_folder(self, self.tr("Choose the folder for the response"))
        if not folder:
            return
        from dsl_desk.services.records.subject_access_export import export_response

        ctx, request_id = self.ctx, self.detail.request.id

        def exported(result: ExportResult) -> None:
            self.last_export = result
            self.preview_label.setText(
                translate(
                    "access_tab",
                    "Saved %s and %s for the requester, and %s for your own file (do not send it), in %s.",
                )
                % (result.response_pdf.name, result.response_json.name, result.redaction_log_pdf.name, folder)
            )

        run_operation(
            self,
            lambda: export_response(ctx, request_id, Path(folder)),
            label=self.tr("Exporting the subject access response…"),
            title=self.tr("Not exported"),
            on_done=exported,
            trigger=self.export_button,
        )

    def _call(self, change: object) -> None:
        try:
            change()  # type: ignore[operator]
        except DeskError as error:
            show_error(self, self.tr("Not changed"), str(error))
            return
        self._changed()

    def _changed(self) -> None:
        # The main window passes this back to every page's on_changed, this tab's included.
        self.signals.changed.emit(Changed(records=True))


def _row_of(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def choose_folder(parent: QWidget, title: str) -> str:
    """The folder picker (a function of its own so tests can stand in for the native dialog)."""
    return QFileDialog.getExistingDirectory(parent, title, in_documents())
