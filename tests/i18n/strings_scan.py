"""Find user-visible string literals that go through no translation: the scan behind test_every_string_translated.

A *sink* is a call whose text a person reads: the constructor of any error a user sees (a DeskError subclass:
ServiceError, ValidationError, StoreError ...), a Qt text setter or widget in ui/, and a ReportLab paragraph in
documents/. A *wrapped* text is a call to _(), ngettext(), pgettext() (core/i18n.py), self.tr() or
QCoreApplication.translate(), or one of those formatted (`.format(...)`, `% args`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "dsl_desk"
TRANSLATING = {"_", "ngettext", "pgettext", "tr", "translate", "N_"}
QT_SETTERS = {
    "setText": (0,), "setToolTip": (0,), "setWindowTitle": (0,), "setPlaceholderText": (0,), "setStatusTip": (0,),
    "setWhatsThis": (0,), "setTitle": (0,), "setSubTitle": (0,), "setButtonText": (1,), "showMessage": (0,),
    "setLabelText": (0,), "addItem": (0,), "insertItem": (1,), "setTabText": (1,), "addTab": (1,),
    "setAccessibleName": (0,), "setAccessibleDescription": (0,), "addRow": (0,), "setHtml": (0,),
    "setPlainText": (0,), "setSpecialValueText": (0,), "setPrefix": (0,), "setSuffix": (0,),
}  # fmt: skip
QT_WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QToolButton",
              "QCommandLinkButton", "wrapped", "heading", "section_title", "Column"}  # fmt: skip
QT_BOXES = {"information": (1, 2), "warning": (1, 2), "critical": (1, 2), "question": (1, 2), "about": (1, 2)}
PARAGRAPHS = re.compile(r"(^|_)(paragraph|Paragraph)$|^Paragraph$")
# The roots of the errors whose message a person reads: DeskError (store and services), and the core and documents
# refusals the services pass on as they are (a transition the policy refuses, a date typed wrong, a bundle refused).
USER_ERRORS = {"DeskError", "TransitionRefused", "DateEntryError", "BundleRefused"}
LETTERS = re.compile(r"[A-Za-z]{2,}")
MARKUP = re.compile(r"<[^>]*>|&\w+;")  # HTML tags and entities are not words


def _has_words(text: str) -> bool:
    return bool(LETTERS.search(MARKUP.sub("", text)))


@dataclass(frozen=True)
class Finding:
    path: str  # relative to src/dsl_desk
    line: int
    sink: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.sink}({self.text!r})"


def error_classes(root: Path = SRC) -> set[str]:
    """Every class that derives, through any chain of bases, from DeskError (the errors a user sees)."""
    bases: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    found = set(USER_ERRORS)
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def is_wrapped(node: ast.expr) -> bool:
    """Whether `node` goes through a translation (or has no words of its own to translate)."""
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in TRANSLATING:
            return True
        if name in ("format", "join", "strip", "rstrip", "capitalize", "upper", "lower") and isinstance(
            node.func, ast.Attribute
        ):
            return is_wrapped(node.func.value) and all(is_wrapped(a) for a in node.args)
        return True  # a function's result: its own strings are checked where they are written
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod):
            return is_wrapped(node.left)
        return is_wrapped(node.left) and is_wrapped(node.right)
    if isinstance(node, ast.IfExp):
        return is_wrapped(node.body) and is_wrapped(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(is_wrapped(v) for v in node.values)
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, str) and _has_words(node.value))
    if isinstance(node, ast.JoinedStr):
        words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return not _has_words(words) and all(
            is_wrapped(v.value) for v in node.values if isinstance(v, ast.FormattedValue)
        )
    return True  # a name or an attribute: a value, checked where it is made


def _sink_args(call: ast.Call, layer: str, errors: set[str]) -> tuple[str, list[ast.expr]]:
    name = _name(call.func)
    if name in errors:
        return name, [*call.args[:1], *(k.value for k in call.keywords if k.arg == "message")]
    if layer == "ui":
        if name in QT_SETTERS and isinstance(call.func, ast.Attribute):
            return name, [call.args[i] for i in QT_SETTERS[name] if i < len(call.args)]
        if name in QT_WIDGETS:
            return name, call.args[:1]
        if name in QT_BOXES and _name(getattr(call.func, "value", call.func)) == "QMessageBox":
            return name, [call.args[i] for i in QT_BOXES[name] if i < len(call.args)]
    if layer == "documents" and PARAGRAPHS.search(name):
        return name, call.args[:1]
    return name, []


def scan(
    root: Path = SRC, layers: tuple[str, ...] = ("core", "services", "documents", "ui", "store")
) -> list[Finding]:
    errors = error_classes(root)
    findings = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        layer = relative.parts[0] if len(relative.parts) > 1 else ""
        if layer not in layers or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            sink, texts = _sink_args(node, layer, errors)
            findings += [
                Finding(relative.as_posix(), text.lineno, sink, ast.unparse(text)[:90])
                for text in texts
                if not is_wrapped(text)
            ]
    return findings


if __name__ == "__main__":
    import collections
    import sys

    found = scan(layers=tuple(sys.argv[1:]) or ("core", "services", "documents", "ui", "store"))
    for f in found:
        print(f)
    print(collections.Counter(f.path.split("/")[0] for f in found), len(found))
