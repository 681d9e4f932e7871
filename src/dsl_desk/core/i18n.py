"""The message catalogue for everything below the UI (core, services, documents): stdlib gettext, no Qt.

English is the source language: with no catalogue installed, `_()` and `ngettext()` give back the English they
were passed. `install(language)` loads `dsl_desk.mo` for that language from the package's locale folder (made by
`make translations` from the `.po` a translator fills in); a language without one leaves English in place.

Wrap whole sentences with named placeholders, so a translator can reorder them:
    _("The date of birth {day} is in the future.").format(day=day_month_year(born))
    ngettext("{n} row is missing", "{n} rows are missing", n).format(n=n)
Not for log keys, audit action names, identifiers or SQL: only what a person reads.
"""

from __future__ import annotations

import gettext as _gettext
import locale
import os
from pathlib import Path

from dsl_desk.core import resources

DOMAIN = "dsl_desk"

_translations: _gettext.NullTranslations = _gettext.NullTranslations()


def _(message: str) -> str:
    """The message in the installed language (English when none is)."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n` in the installed language."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A short word whose meaning depends on where it stands ('Open' a file vs an 'Open' escalation)."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark a constant for extraction without translating it yet (translate it with _() where it is shown)."""
    return message


def system_language() -> str | None:
    """The user's language as gettext names it ('fr_FR', 'cy_GB'), from the environment or the OS locale."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return value.split(":")[0].split(".")[0] or None
    try:
        language = locale.getlocale()[0]
    except ValueError:
        return None
    return language or None


def install(language: str | None, *, locale_dir: Path | None = None) -> bool:
    """Use the catalogue for `language` ('fr', 'cy_GB'); English (the identity) when it is None or has none.
    Returns whether a catalogue was found."""
    global _translations  # noqa: PLW0603 - one catalogue for the process, as gettext itself keeps
    folder = locale_dir or resources.locale_dir()
    if not language or language.split("_")[0] in ("en", "C", "POSIX"):
        _translations = _gettext.NullTranslations()
        return False
    try:
        _translations = _gettext.translation(DOMAIN, localedir=folder, languages=[language])
    except OSError:
        _translations = _gettext.NullTranslations()
        return False
    return True


def installed_language() -> str | None:
    """The language of the catalogue in use, or None for English."""
    info = _translations.info()
    return info.get("language") or None if not isinstance(_translations, _gettext.NullTranslations) else None
