"""Small building blocks every page uses."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.ui.table_model import SORT_ROLE, RowTableModel


def page_title(text: str) -> QLabel:
    return QLabel(text, objectName="pageTitle")


def section_title(text: str) -> QLabel:
    return QLabel(text, objectName="sectionTitle")


def hint(text: str) -> QLabel:
    label = QLabel(text, objectName="hint", wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def compact_combo(combo: QComboBox, characters: int = 18) -> QComboBox:
    """A drop-down as wide as `characters`, not as its longest item: a long child's name or audit action made
    filter rows wider than a 1366-pixel screen. The list that drops down still shows items in full."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
    combo.setStyleSheet("QComboBox QAbstractItemView { min-width: 24em; }")
    return combo


TITLE_BAR = 30  # what a window manager adds above a dialog, and so takes from the screen's height


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Open `window` at width x height, or smaller where the screen it opens on is smaller: 880x760 ran
    off a 1366x768 laptop ("Log a discussion"), hiding its buttons."""
    parent = window.parentWidget()
    screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, available.width() - 16)
        height = min(height, available.height() - TITLE_BAR - 8)
    window.resize(width, height)


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
