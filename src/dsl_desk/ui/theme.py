"""Fusion with a calm palette: readable, nothing shouting except real warnings.

Every text colour here, on the background it is drawn on, meets WCAG 2.1 AA (4.5:1), and tests/ui/test_contrast.py
parses these style sheets to keep it so. A lighter overlay on the rail's blue (white at 22 %) left white text at
4.1:1, so the selected and hovered rows are darkened instead."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

INK = "#1f2933"
MUTED = "#52606d"
DISABLED = "#9aa5b1"
PAPER = "#f7f8fa"
PANEL = "#ffffff"
ACCENT = "#2f5d8a"
ACCENT_SOFT = "#dce7f3"
OVERDUE = "#b42318"
OVERDUE_SOFT = "#fde8e6"
DUE_TODAY = "#b54708"
DUE_TODAY_SOFT = "#fef0c7"
SOON = "#7a5c00"
SOON_SOFT = "#fff8db"
OK = "#2e7d32"
OK_SOFT = "#e7f4e8"
DEMO = "#6941c6"
DEMO_SOFT = "#f0eafc"

STYLE_SHEET = f"""
QMainWindow, QDialog, QWizard {{ background: {PAPER}; }}
QListWidget#navigationRail {{
    background: {ACCENT}; color: white; border: none; font-size: 11pt; padding-top: 8px;
}}
QListWidget#navigationRail::item {{ padding: 10px 12px; border-radius: 6px; margin: 2px 6px; }}
QListWidget#navigationRail::item:selected {{
    background: rgba(0,0,0,0.30); color: white; border-left: 4px solid white; padding-left: 8px;
}}
QListWidget#navigationRail::item:hover {{ background: rgba(0,0,0,0.14); }}
QLabel#pageTitle {{ font-size: 16pt; font-weight: 600; color: {INK}; }}
QLabel#sectionTitle {{ font-size: 12pt; font-weight: 600; color: {INK}; margin-top: 6px; }}
QLabel#hint {{ color: {MUTED}; }}
QLabel#error {{ color: {OVERDUE}; font-weight: 600; }}
QFrame#card {{ background: {PANEL}; border: 1px solid #d9dee5; border-radius: 8px; }}
QFrame#demoBanner {{ background: {DEMO_SOFT}; border: 1px solid {DEMO}; border-radius: 6px; }}
QFrame#demoBanner QLabel {{ color: {DEMO}; font-weight: 600; }}
QFrame#alertBanner {{ background: {DUE_TODAY_SOFT}; border: 1px solid {DUE_TODAY}; border-radius: 6px; }}
QFrame#riskBanner {{ background: {OVERDUE_SOFT}; border: 1px solid {OVERDUE}; border-radius: 6px; }}
QPushButton {{ padding: 6px 14px; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; border-radius: 4px; }}
QPushButton[primary="true"]:disabled {{ background: #9fb3c8; border-color: #9fb3c8; }}
QTableView {{ background: {PANEL}; alternate-background-color: #f2f5f8; gridline-color: #e4e7eb; }}
QHeaderView::section {{ background: #e9edf2; padding: 6px; border: none; font-weight: 600; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(PAPER))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Base, QColor(PANEL))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f2f5f8"))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    palette.setColor(QPalette.ColorRole.Button, QColor("#eef1f5"))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor(PANEL))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor(INK))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(MUTED))
    # Set without a group, the colours above apply to disabled widgets too, so a disabled toolbar (on the
    # lock screen) looked as if it would work. Disabled controls are exempt from WCAG's contrast minimum.
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
