"""The TrueType fonts the forms are printed in, and per-script font fallback.

ReportLab's built-in Helvetica only covers Latin-1, so "Łukasiewicz-Nguyễn" would print as black boxes.
We embed Noto Sans (Latin, Greek, Cyrillic, Vietnamese) and fall back, character run by character run,
to Noto Sans Arabic and Noto Sans Bengali: ReportLab has no automatic font fallback of its own.
Arabic joining and Bengali conjuncts also need shaping, which ReportLab does only when the optional
`uharfbuzz` package is installed (see `shaping_available`).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from dsl_desk.core.resources import fonts_dir

REGULAR = "DSLSans"
BOLD = "DSLSans-Bold"


@dataclass(frozen=True)
class _FontFile:
    name: str
    file: str
    shaped: bool = False  # the script needs shaping to be legible


_PRIMARY = (_FontFile(REGULAR, "NotoSans-Regular.ttf"), _FontFile(BOLD, "NotoSans-Bold.ttf"))
# Order matters: the first font that has a character prints it.
_FALLBACKS = (
    _FontFile("DSLSansArabic", "NotoSansArabic-Regular.ttf", shaped=True),
    _FontFile("DSLSansBengali", "NotoSansBengali-Regular.ttf", shaped=True),
    # Only the ballot boxes (U+2610-2612), cut from Noto Sans Symbols 2: see dsl_desk/resources/fonts/README.md.
    _FontFile("DSLSymbols", "NotoSansSymbols2-Ballot.ttf"),
)


def builtin_fonts_dir() -> Path:
    """The fonts shipped with the app (package data: see core/resources.py)."""
    return fonts_dir()


def shaping_available() -> bool:
    """True when ReportLab can shape complex scripts (joined Arabic, Bengali conjuncts)."""
    return importlib.util.find_spec("uharfbuzz") is not None


@functools.cache
def register_fonts() -> None:
    """Register the shipped fonts with ReportLab once per process."""
    directory = builtin_fonts_dir()
    for font in (*_PRIMARY, *_FALLBACKS):
        pdfmetrics.registerFont(TTFont(font.name, str(directory / font.file)))
    # So that <b> inside a paragraph picks the bold face rather than faking it.
    for bold, italic, face in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, REGULAR), (1, 1, BOLD)):
        addMapping(REGULAR, bold, italic, face)


@functools.cache
def _coverage(font_name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)


def font_for(char: str, primary: str = REGULAR) -> str:
    """The font that prints `char`: the primary one if it can, else the first fallback that can."""
    code = ord(char)
    if code in _coverage(primary):
        return primary
    for fallback in _FALLBACKS:
        if code in _coverage(fallback.name):
            return fallback.name
    return primary


def needs_shaping(text: str) -> bool:
    """True when `text` has Arabic or Bengali letters: only those runs want HarfBuzz.

    Shaping a whole Latin paragraph would also turn "ffi" into a ligature glyph, and copied or
    extracted text would then read "Oﬃcer"; so paragraphs are shaped only when they need it.
    """
    complex_fonts = {f.name for f in _FALLBACKS if f.shaped}
    return any(font_for(char) in complex_fonts for char in text)


def markup(text: str, primary: str = REGULAR) -> str:
    """Paragraph markup for plain user text: escaped, line breaks kept, foreign scripts in their font."""
    runs = _runs(text, primary)
    parts = [_run_markup(chunk, font, primary) for font, chunk in runs]
    return "".join(parts)


def _runs(text: str, primary: str) -> list[tuple[str, str]]:
    # Spaces and line breaks stay in the current run so a two-word Arabic name is shaped as one run
    # (HarfBuzz then lays the words out right to left).
    runs: list[tuple[str, str]] = []
    for char in text:
        font = runs[-1][0] if runs and char.isspace() else font_for(char, primary)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _run_markup(chunk: str, font: str, primary: str) -> str:
    body = escape(chunk).replace("\r\n", "\n").replace("\n", "<br/>")
    if font == primary:
        return body
    return f'<font name="{font}">{body}</font>'
