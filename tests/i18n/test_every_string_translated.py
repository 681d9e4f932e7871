"""Every user-visible string goes through a translation: gettext's _()/ngettext() below the UI (core/i18n.py),
self.tr()/translate() in the UI; and an installed catalogue really changes what a person reads."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dsl_desk.core import i18n
from tests.i18n.strings_scan import SRC, error_classes, scan

# What is deliberately not translated: names and references, not words (none yet: add a line with its reason).
ALLOWED: set[tuple[str, str]] = set()


def test_every_user_visible_string_goes_through_a_translation():
    found = [f for f in scan() if (f.path, f.text) not in ALLOWED]
    assert not found, (
        "wrap these in _() (core, services, documents, store) or self.tr()/translate() (ui):\n"
        + ("\n".join(map(str, found)))
    )


def test_the_scan_sees_every_kind_of_user_facing_error():
    assert {"ServiceError", "ValidationError", "StoreError", "NotFound", "DateEntryError"} <= error_classes()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "errors.py").write_text(
        "class DeskError(Exception): ...\nclass ServiceError(DeskError): ...\nclass ValidationError(ServiceError): ...\n"
    )
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_scan_fails_on_an_unwrapped_string(tmp_path):
    root = _tree(
        tmp_path,
        {
            "services/thing.py": (
                "def f(n):\n"
                "    raise ValidationError('The name is missing.', field='name')\n"
                "def g(n):\n"
                "    raise ServiceError(f'There is no child number {n}.')\n"
            ),
            "ui/page.py": (
                "class Page:\n"
                "    def build(self):\n"
                "        QLabel('Children on the desk')\n"
                "        self.title.setText('Open escalations' if x else self.tr('None'))\n"
                "        QMessageBox.warning(self, self.tr('Oops'), 'Something went wrong')\n"
                "def columns():\n"
                "    return [Column('Date of birth', len)]\n"
            ),
            "documents/pdf.py": "def story():\n    return [Paragraph('No discussions yet.', style)]\n",
        },
    )
    found = {(f.path, f.line, f.sink) for f in scan(root)}
    assert found == {
        ("services/thing.py", 2, "ValidationError"),
        ("services/thing.py", 4, "ServiceError"),
        ("ui/page.py", 3, "QLabel"),
        ("ui/page.py", 4, "setText"),
        ("ui/page.py", 5, "warning"),
        ("ui/page.py", 7, "Column"),
        ("documents/pdf.py", 2, "Paragraph"),
    }


def test_the_scan_passes_wrapped_strings_and_values(tmp_path):
    root = _tree(
        tmp_path,
        {
            "services/thing.py": (
                "def f(n, message):\n"
                "    raise ValidationError(_('The name is missing.'), field='name')\n"
                "    raise ServiceError(_('There is no child number {n}.').format(n=n))\n"
                "    raise ServiceError(ngettext('{n} row', '{n} rows', n).format(n=n))\n"
                "    raise ServiceError(message)\n"
            ),
            "ui/page.py": (
                "class Page:\n"
                "    def build(self):\n"
                "        QLabel(self.tr('Children on the desk'))\n"
                "        self.title.setText(self.tr('%d open') % 3)\n"
                "        self.title.setText(f'• {self.name}')\n"
                "        self.title.setText('–')\n"
                "def columns():\n"
                "    return [Column(translate('page', 'Date of birth'), len)]\n"
            ),
        },
    )
    assert scan(root) == []


# --- the catalogues change what a person reads ---------------------------------------------------------------


def _write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo file (what msgfmt writes), so the test needs no gettext tools."""
    entries = {
        "": "Content-Type: text/plain; charset=UTF-8\nLanguage: fr\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
    }
    entries |= messages
    keys = sorted(entries)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(entries[k].encode() + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    offsets, pos = [], 0
    for k in keys:
        offsets += [len(k.encode()), start + pos]
        pos += len(k.encode()) + 1
    soffsets, pos = [], 0
    for k in keys:
        soffsets += [len(entries[k].encode()), start + len(ids) + pos]
        pos += len(entries[k].encode()) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    path.parent.mkdir(parents=True)
    path.write_bytes(
        header
        + struct.pack(f"{len(offsets)}i", *offsets)
        + struct.pack(f"{len(soffsets)}i", *soffsets)
        + ids
        + strs
    )


@pytest.fixture
def french(tmp_path):
    _write_mo(
        tmp_path / "fr" / "LC_MESSAGES" / "dsl_desk.mo",
        {
            "The date of birth {date_of_birth} is in the future. Check the date.": "La date {date_of_birth} est dans le futur.",
            "March": "mars",
        },
    )
    assert i18n.install("fr", locale_dir=tmp_path)
    yield tmp_path
    i18n.install(None)


def test_english_is_the_identity_when_no_catalogue_is_installed(tmp_path):
    assert not i18n.install("fr", locale_dir=tmp_path)  # no catalogue for it: English
    assert i18n._("Check the date.") == "Check the date."
    assert i18n.ngettext("{n} row", "{n} rows", 2) == "{n} rows"
    assert i18n.installed_language() is None


def test_a_service_message_and_a_month_come_out_in_the_installed_language(french):
    from dsl_desk.core.dates_in_words import month_name
    from dsl_desk.services.errors import ValidationError
    from dsl_desk.services.people.children import ChildDetails, validate

    with pytest.raises(ValidationError) as refused:
        validate(ChildDetails("Zephyrine", "Quillborough", date(2099, 3, 14)), date(2026, 1, 5))
    assert str(refused.value) == "La date 14 mars 2099 est dans le futur."
    assert month_name(date(2026, 3, 1)) == "mars"


@pytest.mark.skipif(
    not (shutil.which("pyside6-lrelease") or Path(sys.executable).with_name("pyside6-lrelease").exists()),
    reason="no lrelease",
)
def test_the_qt_translator_is_installed_for_a_locale_with_a_qm(tmp_path, qapp):
    from PySide6.QtCore import QLocale

    from dsl_desk.ui.translation import install_translators, translate

    ts = tmp_path / "dsl_desk_fr.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="fr_FR"><context>'
        "<name>dashboard_page</name><message><source>Deadline</source><translation>Échéance</translation>"
        "</message></context></TS>",
        encoding="utf-8",
    )
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(tmp_path / "dsl_desk_fr.qm")], check=True)
    translator = install_translators(qapp, QLocale("fr_FR"), folder=tmp_path)
    try:
        assert translator is not None
        assert translate("dashboard_page", "Deadline") == "Échéance"
    finally:
        qapp.removeTranslator(translator)
        i18n.install(None)
    assert translate("dashboard_page", "Deadline") == "Deadline"
    assert install_translators(qapp, QLocale("en_GB"), folder=tmp_path) is None  # English: nothing to install


def test_make_translations_extracts_both_catalogues():
    if not (shutil.which("xgettext") and Path(sys.executable).with_name("pyside6-lupdate").exists()):
        pytest.skip("xgettext or pyside6-lupdate missing")
    tools = SRC.parents[1] / "tools" / "translations.py"
    out = subprocess.run([sys.executable, str(tools), "--check"], capture_output=True, text=True, check=True)
    gettext_count, qt_count = (int(word) for word in out.stdout.split() if word.isdigit())
    assert gettext_count > 400 and qt_count > 1000, out.stdout
