"""Children: a searchable list, and a page per child with flags, escalations and (soon) the log."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year, numeric_date
from dsl_desk.services.context import AppContext
from dsl_desk.services.escalations.reading import list_escalations
from dsl_desk.services.escalations.views import CaseRow
from dsl_desk.services.people.children import ChildRow, ChildView, flags_of, get_child, list_children
from dsl_desk.ui.log.chronology import ChronologyView
from dsl_desk.ui.people.child_dialog import ChildDialog
from dsl_desk.ui.signals import AppSignals, Changed
from dsl_desk.ui.table_model import ROW_ROLE, Column, RowTableModel
from dsl_desk.ui.widgets.common import hint, make_table, page_title, section_title


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class ChildrenPage(QWidget):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.current: ChildView | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        top = QHBoxLayout()
        top.addWidget(page_title(self.tr("Children")))
        top.addStretch(1)
        self.add_button = QPushButton(self.tr("&Add child…"))
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.add_child)
        top.addWidget(self.add_button)
        self.import_button = QPushButton(self.tr("&Bring in from the MIS…"))
        self.import_button.setToolTip(
            self.tr(
                "Add children from a CSV export of your MIS or a Common Transfer File, with a preview first"
            )
        )
        self.import_button.clicked.connect(self.import_children)
        top.addWidget(self.import_button)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="children_splitter")  # sizes kept on close
        splitter.addWidget(self._build_list())
        self.detail = ChildDetailPanel(self.ctx, self.signals)
        self.detail.edit_button.clicked.connect(self.edit_current)
        splitter.addWidget(self.detail)
        splitter.setSizes([540, 600])
        layout.addWidget(splitter, 1)

    def _build_list(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(
            placeholderText=self.tr("Search by name…"), accessibleName=self.tr("Search children")
        )
        self.search.setClearButtonEnabled(True)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        layout.addWidget(self.search)
        self.model: RowTableModel[ChildRow] = RowTableModel(
            [
                Column(self.tr("Name"), lambda r: r.name),
                Column(
                    self.tr("Born"),
                    lambda r: numeric_date(r.date_of_birth),
                    sort_key=lambda r: r.date_of_birth.isoformat(),
                ),
                Column(
                    self.tr("Open"),
                    lambda r: str(r.open_escalations) if r.open_escalations else "–",
                    sort_key=lambda r: r.open_escalations,
                ),
                Column(self.tr("Status"), lambda r: ", ".join(r.flags)),
            ],
            self,
        )
        self.view, self.proxy = make_table(self.model, accessible_name=self.tr("Children"), stretch_column=0)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.view.selectionModel().currentRowChanged.connect(lambda current, _previous: self._select(current))
        layout.addWidget(self.view, 1)
        return box

    def refresh(self) -> None:
        self.model.set_rows(list_children(self.ctx))
        if self.current is not None:
            self.show_child(self.current.id)

    def on_changed(self, changed: Changed) -> None:
        if changed.children or changed.escalations:
            self.refresh()

    def _select(self, index: object) -> None:
        row = self.proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None and (self.current is None or self.current.id != row.id):
            self.show_child(row.id)

    def show_child(self, child_id: int) -> None:
        self.current = get_child(self.ctx, child_id)
        self.detail.show_child(self.current)

    def add_child(self) -> None:
        dialog = ChildDialog(self.ctx, self)
        if dialog.exec() and dialog.saved:
            self.signals.changed.emit(Changed(children=True))
            self.show_child(dialog.saved.id)

    def import_children(self) -> None:
        from dsl_desk.ui.people.child_import import ChildImportDialog

        ChildImportDialog(self.ctx, self.signals, self).exec()

    def edit_current(self) -> None:
        if self.current is None:
            return
        dialog = ChildDialog(self.ctx, self, existing=self.current)
        if dialog.exec() and dialog.saved:
            self.signals.changed.emit(Changed(children=True))


class ChildDetailPanel(QFrame):
    def __init__(self, ctx: AppContext, signals: AppSignals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.signals = signals
        self.child: ChildView | None = None
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        self.name = QLabel(objectName="pageTitle")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.name)
        self.placeholder = hint(self.tr("Choose a child on the left to see their record."))
        layout.addWidget(self.placeholder)
        self.facts_box = QWidget()
        self.facts = QGridLayout(self.facts_box)
        self.facts.setContentsMargins(0, 0, 0, 0)
        self.fact_labels: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(
            (
                ("born", "Date of birth"),
                ("address", "Address"),
                ("parents", "Parents / carers"),
                ("status", "Status"),
                ("continuum", "Continuum of need"),
            )
        ):
            self.facts.addWidget(QLabel(f"<b>{title}</b>"), row, 0, Qt.AlignmentFlag.AlignTop)
            value = QLabel(wordWrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = value
            self.facts.addWidget(value, row, 1)
        layout.addWidget(self.facts_box)
        buttons = QHBoxLayout()
        self.edit_button = QPushButton(self.tr("Ed&it details…"))
        self.escalate_button = QPushButton(self.tr("&New escalation for this child…"))
        self.escalate_button.clicked.connect(self._new_escalation)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.escalate_button)
        self.access_button = QPushButton(self.tr("Subject access request…"))
        self.access_button.clicked.connect(self._subject_access_request)
        buttons.addWidget(self.access_button)
        self.transfer_button = QPushButton(self.tr("Transfer file to a new school…"))
        self.transfer_button.clicked.connect(self._transfer_out)
        buttons.addWidget(self.transfer_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(section_title(self.tr("Escalations")))
        self.cases: RowTableModel[CaseRow] = RowTableModel(
            [
                Column(
                    self.tr("Ref"), lambda r: r.reference, tooltip=lambda r: f"Other agency: {r.other_agency}"
                ),
                Column(self.tr("Status"), lambda r: r.status_words),
                Column(
                    self.tr("Stage"),
                    lambda r: r.stage_label,
                    tooltip=lambda r: f"{r.stage_label} — {r.other_agency}",
                ),
                Column(self.tr("Deadline"), lambda r: r.deadline_words),
            ],
            self,
        )
        self.case_view, self.case_proxy = make_table(
            self.cases, accessible_name=self.tr("This child's escalations"), stretch_column=2
        )
        self.case_view.activated.connect(self._open_case)
        self.case_view.doubleClicked.connect(self._open_case)
        layout.addWidget(self.case_view, 1)
        layout.addWidget(section_title(self.tr("Discussion log")))
        self.chronology = ChronologyView(self.ctx, self.signals)
        layout.addWidget(self.chronology, 2)
        self._set_visible(False)

    def _set_visible(self, shown: bool) -> None:
        # Nothing is chosen automatically: opening a child's record is audited, so only the user opens one.
        self.placeholder.setVisible(not shown)
        self.facts_box.setVisible(shown)
        for widget in (
            self.edit_button,
            self.escalate_button,
            self.access_button,
            self.transfer_button,
            self.case_view,
        ):
            widget.setEnabled(shown)
        self.chronology.setVisible(shown)

    def show_child(self, child: ChildView) -> None:
        self.child = child
        details = child.details
        today = london(self.ctx.clock.now()).date()
        self.name.setText(child.name)
        self.fact_labels["born"].setText(
            self.tr("%s (age %s)")
            % (day_month_year(details.date_of_birth), _age(details.date_of_birth, today))
        )
        self.fact_labels["address"].setText(details.address or "–")
        self.fact_labels["parents"].setText(details.parents_carers or "–")
        self.fact_labels["status"].setText(", ".join(flags_of(details)) or self.tr("No plan recorded"))
        self.fact_labels["continuum"].setText(details.continuum_of_need or "–")
        self.cases.set_rows(list_escalations(self.ctx, child_id=child.id))
        self.chronology.show_child(child.id)
        self._set_visible(True)

    def _open_case(self, index: object) -> None:
        row = self.case_proxy.data(index, ROW_ROLE)  # type: ignore[arg-type]
        if row is not None:
            self.signals.open_escalation.emit(row.escalation_id)

    def _subject_access_request(self) -> None:
        if self.child is None:
            return
        from dsl_desk.ui.records.subject_access_new import NewRequestDialog

        dialog = NewRequestDialog(self.ctx, self, child_id=self.child.id)
        if dialog.exec() and dialog.saved is not None:
            self.signals.changed.emit(Changed(records=True))
            self.signals.open_records.emit("access", dialog.saved.id)

    def _transfer_out(self) -> None:
        if self.child is None:
            return
        from dsl_desk.ui.records.transfer_out_dialog import TransferOutDialog

        dialog = TransferOutDialog(self.ctx, self.signals, self.child.id, self.child.name, self)
        dialog.exec()
        if dialog.exported is not None:
            self.signals.open_records.emit("transfers", dialog.exported.transfer_id)

    def _new_escalation(self) -> None:
        if self.child is None:
            return
        from dsl_desk.ui.escalations.new_escalation import NewEscalationWizard

        wizard = NewEscalationWizard(self.ctx, self, child_id=self.child.id)
        if wizard.exec() and wizard.result_detail is not None:
            self.signals.changed.emit(Changed(escalations=True))
            self.signals.open_escalation.emit(wizard.result_detail.id)
