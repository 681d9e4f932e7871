"""What Help › About shows: the version, the data folder, and the licences of the fonts and libraries shipped.

Read from what is installed (each distribution's metadata, the font files beside their licence), not from a
list kept by hand, so a new dependency appears without anyone remembering to add it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from dsl_desk import __version__

DISTRIBUTION = "dsl-desk"
# Distributions whose metadata names no licence: what their own licence files say.
KNOWN_LICENCES = {
    "sqlcipher3": "zlib (pysqlite); SQLCipher itself: BSD-3-Clause",
    "reportlab": "BSD-3-Clause",
}


@dataclass(frozen=True)
class Shipped:
    name: str
    version: str
    licence: str


@dataclass(frozen=True)
class About:
    version: str
    data_folder: Path
    database: Path
    fonts: tuple[Shipped, ...]
    font_licence_text: str
    libraries: tuple[Shipped, ...]


def _licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    name = meta.get("Name", "")
    if name.lower() in KNOWN_LICENCES:
        return KNOWN_LICENCES[name.lower()]
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or () if c.startswith("License")
    ]
    if classifiers:  # clearer than a free-text field such as "Dual License"
        return ", ".join(classifiers)
    text = (meta.get("License") or "").strip()
    if text and len(text) <= 60 and "\n" not in text:
        return text
    return "see the licence file in the package"


def _requirement_name(requirement: str) -> str | None:
    """`pyHanko>=0.25` -> "pyHanko"; None for an extra's requirement (`pytest; extra == "test"`)."""
    if "extra ==" in requirement:
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    return match.group(0) if match else None


def shipped_libraries(root: str = DISTRIBUTION) -> tuple[Shipped, ...]:
    """Every distribution the app needs at run time (its dependencies and theirs), sorted by name."""
    seen: dict[str, Shipped] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency not installed here
        canonical = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if canonical in seen:
            continue
        seen[canonical] = Shipped(dist.metadata["Name"], dist.version, _licence_of(dist))
        pending.extend(n for r in dist.requires or () if (n := _requirement_name(r)))
    seen.pop(DISTRIBUTION, None)
    return tuple(sorted(seen.values(), key=lambda s: s.name.lower()))


def shipped_fonts(fonts_dir: Path | None = None) -> tuple[tuple[Shipped, ...], str]:
    """The fonts embedded in PDFs, and the text of their licence (resources/fonts/OFL.txt)."""
    from dsl_desk.documents.fonts import builtin_fonts_dir

    folder = fonts_dir or builtin_fonts_dir()
    try:
        licence = (folder / "OFL.txt").read_text(encoding="utf-8")
    except OSError:
        licence = ""
    title = "SIL Open Font License 1.1" if "Open Font License" in licence else "see resources/fonts"
    fonts = tuple(
        Shipped(path.stem, "Noto, © Google", title) for path in sorted(folder.glob("*.ttf")) if path.is_file()
    )
    return fonts, licence


def about(data_folder: Path, database: Path) -> About:
    fonts, licence = shipped_fonts()
    return About(__version__, data_folder, database, fonts, licence, shipped_libraries())
