"""Small building blocks every page uses."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from dsl_desk.ui.table_model import SORT_ROLE, RowTableModel


def page_title(text: str) -> QLabel:
    return QLabel(text, objectName="pageTitle")


def section_title(text: str) -> QLabel:
    return QLabel(text, objectName="sectionTitle")


def hint(text: str) -> QLabel:
    label = QLabel(text, objectName="hint", wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def card(*widgets: QWidget) -> QFrame:
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    for widget in widgets:
        layout.addWidget(widget)
    return frame


RESIZE_SAMPLE_ROWS = 60


def make_table(
    model: RowTableModel, *, accessible_name: str, stretch_column: int = -1
) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    view = QTableView()
    view.setModel(proxy)
    view.setAccessibleName(accessible_name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    # Keep the service's order until the user clicks a header: enabling sorting otherwise re-sorts at once
    # by column 0, descending (Qt's default indicator), hiding e.g. the dashboard's urgency order.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Size columns from a sample of rows: measuring all of them asked the model for ~290,000 values to show
    # 2,500 open escalations, seconds on ten years of data. Long values stay readable in their tooltips.
    header.setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
    if stretch_column >= 0:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return view, proxy
