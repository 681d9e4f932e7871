# ruff: noqa: S603 - every command run here is a fixed tool found beside this Python or on PATH
"""`make translations`: extract every user-facing string and compile what translators have filled in.

Below the UI (core, services, documents, cli): gettext. The strings wrapped in _(), ngettext(), pgettext() and N_()
(core/i18n.py) go to src/dsl_desk/resources/locale/dsl_desk.pot, by xgettext (Debian package `gettext`) or, where it
is missing, the stdlib's pygettext; each <lang>/LC_MESSAGES/dsl_desk.po beside it is merged with the template
(msgmerge) and compiled to dsl_desk.mo (msgfmt, or the pure-Python writer below).

The UI: Qt Linguist. pyside6-lupdate (shipped with PySide6) reads every self.tr()/QCoreApplication.translate() in
src/dsl_desk/ui into resources/locale/dsl_desk.ts (the template) and each dsl_desk_<lang>.ts; pyside6-lrelease
compiles those to dsl_desk_<lang>.qm, which app.py installs for the system locale.

    python tools/translations.py            # extract and compile
    python tools/translations.py --check    # extract to a temporary folder only (no tool missing, no error)
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "dsl_desk"
LOCALE = PACKAGE / "resources" / "locale"
DOMAIN = "dsl_desk"
GETTEXT_LAYERS = ("core", "services", "documents", "cli", "store", "app.py", "crash.py")
KEYWORDS = ("_", "ngettext:1,2", "pgettext:1c,2", "N_")


def python_sources(layers: tuple[str, ...] = GETTEXT_LAYERS) -> list[Path]:
    found: list[Path] = []
    for layer in layers:
        path = PACKAGE / layer
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else [])
    return [p for p in found if "migrations" not in p.parts]


def tool(name: str) -> str | None:
    """A tool beside this Python (the venv's pyside6-lupdate) or on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def extract_gettext(out: Path) -> Path:
    pot = out / f"{DOMAIN}.pot"
    sources = [str(p.relative_to(ROOT)) for p in python_sources()]
    xgettext = tool("xgettext")
    if xgettext:
        keywords = [f"--keyword={k}" for k in KEYWORDS]
        subprocess.run(
            [xgettext, "--language=Python", "--from-code=UTF-8", "--add-comments=TRANSLATORS", "--sort-by-file",
             f"--package-name={DOMAIN}", "--msgid-bugs-address=dsl-desk", "-o", str(pot), *keywords, *sources],
            cwd=ROOT, check=True,
        )  # fmt: skip
    else:
        pot.write_text(_pot_from_ast(python_sources()), encoding="utf-8")
    return pot


def _pot_from_ast(paths: list[Path]) -> str:
    """A minimal POT where xgettext is missing: the literal first arguments of _() and ngettext()."""
    entries: dict[tuple[str, str | None], list[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.func.id in ("_", "N_") and args:
                entries.setdefault((args[0], None), []).append(where)
            elif node.func.id == "ngettext" and len(args) >= 2:
                entries.setdefault((args[0], args[1]), []).append(where)
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for (singular, plural), places in entries.items():
        lines.append("#: " + " ".join(places))
        lines.append(f"msgid {_quote(singular)}")
        if plural is None:
            lines.append('msgstr ""')
        else:
            lines += [f"msgid_plural {_quote(plural)}", 'msgstr[0] ""', 'msgstr[1] ""']
        lines.append("")
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def compile_gettext(pot: Path) -> list[Path]:
    compiled = []
    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        if tool("msgmerge"):
            subprocess.run(
                [tool("msgmerge"), "--quiet", "--update", "--backup=none", str(po), str(pot)], check=True
            )
        mo = po.with_suffix(".mo")
        msgfmt = tool("msgfmt")
        if msgfmt:
            subprocess.run(
                [
                    msgfmt,
                    "--check",
                    "-o",
                    str(mo),
                    str(po),
                ],
                check=True,
            )
        else:
            raise SystemExit("msgfmt is missing: apt-get install gettext")
        compiled.append(mo)
    return compiled


def extract_qt(out: Path) -> list[Path]:
    lupdate = tool("pyside6-lupdate") or tool("lupdate")
    if lupdate is None:
        raise SystemExit("pyside6-lupdate is missing: it comes with PySide6 (pip install -e .)")
    ui = sorted(str(p) for p in (PACKAGE / "ui").rglob("*.py"))
    targets = (
        [out / f"{DOMAIN}.ts", *sorted(LOCALE.glob(f"{DOMAIN}_*.ts"))] if out == LOCALE else [out / "ui.ts"]
    )
    subprocess.run(
        [
            lupdate,
            "-silent",
            "-no-obsolete",
            *ui,
            "-ts",
            *map(str, targets),
        ],
        check=True,
    )
    return targets


def compile_qt() -> list[Path]:
    lrelease = tool("pyside6-lrelease") or tool("lrelease")
    compiled = []
    for ts in sorted(LOCALE.glob(f"{DOMAIN}_*.ts")):
        if lrelease is None:
            raise SystemExit("pyside6-lrelease is missing: it comes with PySide6")
        qm = ts.with_suffix(".qm")
        subprocess.run(
            [
                lrelease,
                "-silent",
                str(ts),
                "-qm",
                str(qm),
            ],
            check=True,
        )
        compiled.append(qm)
    return compiled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="extract into a temporary folder only")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as folder:
            pot, ts = extract_gettext(Path(folder)), extract_qt(Path(folder))
            print(f"{_count(pot)} gettext messages; {ts[0].read_text(encoding='utf-8').count('<message')} Qt")
        return 0
    LOCALE.mkdir(parents=True, exist_ok=True)
    pot = extract_gettext(LOCALE)
    ts = extract_qt(LOCALE)
    mo, qm = compile_gettext(pot), compile_qt()
    print(f"{pot.relative_to(ROOT)}: {_count(pot)} messages; {ts[0].relative_to(ROOT)}: "
          f"{ts[0].read_text(encoding='utf-8').count('<message')} messages; compiled {len(mo)} .mo, {len(qm)} .qm")  # fmt: skip
    return 0


def _count(pot: Path) -> int:
    return pot.read_text(encoding="utf-8").count("\nmsgid ") - 1  # the header is one


if __name__ == "__main__":
    raise SystemExit(main())
