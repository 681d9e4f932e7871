"""Translators for the running app: Qt's for the UI (`.qm` from `make translations`), gettext's for what core,
services and documents say (core/i18n.py). Both follow the system locale; with no catalogue for it the app
speaks English, the source language.

`translate(context, text)` is for UI text written outside a QObject (table column headings, module-level
helpers): pyside6-lupdate extracts it like `self.tr()`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from dsl_desk.core import i18n, resources

QM_PREFIX = "dsl_desk_"


def translate(context: str, text: str) -> str:
    """`text` in the installed UI language (the same as QCoreApplication.translate)."""
    return QCoreApplication.translate(context, text)


def install_translators(
    app: QCoreApplication, locale: QLocale | None = None, *, folder: Path | None = None
) -> QTranslator | None:
    """Install the UI's translator for `locale` (the system's by default) when a `.qm` exists for it, and the
    gettext catalogue for the same language. Returns the Qt translator, or None when the UI stays in English."""
    locale = locale or QLocale.system()
    folder = folder or resources.locale_dir()
    language = locale.name()  # 'cy_GB'
    i18n.install(language, locale_dir=folder)
    if language.split("_")[0] == "en" or not folder.is_dir():
        return None
    translator = QTranslator(app)
    if not translator.load(locale, "dsl_desk", "_", str(folder)):
        return None
    app.installTranslator(translator)
    return translator
