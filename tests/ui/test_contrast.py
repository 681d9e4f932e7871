"""WCAG 2.1 AA: every text colour in the style sheets, on the background it is drawn on, is at least 4.5:1.

The style sheets are parsed, not read by eye: each rule that sets `color` (or a background, under which the
palette's ink is drawn) gives a pair, and a rule that matches the same widget more specifically and changes
its background (as `QFrame#flowStagePartnership QLabel { background: transparent }` did to the "Final step"
badge, leaving white text on pale blue) gives another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from dsl_desk.ui import theme
from dsl_desk.ui.widgets import policy_flow, stepper

AA_NORMAL = 4.5
NAMED = {"white": "#ffffff", "black": "#000000"}


def _rgb(colour: str, under: tuple[float, float, float] | None = None) -> tuple[float, float, float]:
    colour = NAMED.get(colour.strip().lower(), colour.strip())
    match = re.fullmatch(r"rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)", colour)
    if match:
        r, g, b, alpha = (float(x) for x in match.groups())
        assert under is not None, f"{colour} needs the colour it is drawn over"
        return tuple(a * alpha + u * (1 - alpha) for a, u in zip((r, g, b), under, strict=True))  # type: ignore[return-value]
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
    return tuple(float(int(colour[i : i + 2], 16)) for i in (1, 3, 5))  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(ink: tuple[float, float, float], paper: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(ink), _luminance(paper)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_against_known_values():
    assert contrast(_rgb("#000000"), _rgb("#ffffff")) == pytest.approx(21.0)
    assert contrast(_rgb("#777777"), _rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast(_rgb("white"), _rgb(theme.ACCENT_SOFT)) < 1.5  # the unreadable "Final step" badge


@dataclass
class Rule:
    selector: str
    props: dict[str, str]
    order: int

    @property
    def compounds(self) -> list[str]:
        return self.selector.split()

    @property
    def specificity(self) -> tuple[int, int, int]:
        ids = self.selector.count("#")
        classes = len(re.findall(r"\[|:(?!:)", self.selector))
        types = len(re.findall(r"(?:^|\s)Q\w+", self.selector))
        return ids, classes, types


def parse(sheet: str) -> list[Rule]:
    rules: list[Rule] = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        props = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                key, value = declaration.split(":", 1)
                props[key.strip()] = value.strip()
        for selector in selectors.split(","):
            rules.append(Rule(" ".join(selector.split()), props, len(rules)))
    return rules


def _background(props: dict[str, str]) -> str | None:
    value = props.get("background") or props.get("background-color")
    return value.split()[0] if value else None


def _base(compound: str) -> tuple[str, str | None]:
    """`QLabel#flowBadge::item:selected` -> ("QLabel", "flowBadge")."""
    match = re.match(r"(Q\w+)?(?:#(\w+))?", compound)
    assert match
    return match.group(1) or "*", match.group(2)


def _matches(general: str, specific: str) -> bool:
    """Whether a rule's last compound selector `general` also selects what `specific` selects."""
    g_type, g_id = _base(general)
    s_type, s_id = _base(specific)
    return g_type in ("*", s_type) and g_id in (None, s_id) and "::" not in general.replace(specific, "")


def text_pairs(sheet: str, page: str) -> list[tuple[str, str, tuple[float, float, float]]]:
    """(what, ink, background) for every text a style sheet colours; `page` is the background behind it all."""
    rules = parse(sheet)

    def behind(compounds: list[str]) -> tuple[float, float, float]:
        """The background an ancestor chain paints, innermost first; the page when none does."""
        for depth in range(len(compounds) - 1, 0, -1):
            ancestor = " ".join(compounds[:depth])
            for rule in reversed(rules):
                if rule.selector == ancestor and _background(rule.props) not in (None, "transparent"):
                    return _rgb(_background(rule.props), behind(compounds[:depth]))  # type: ignore[arg-type]
        return _rgb(page)

    pairs = []
    for rule in rules:
        if ":disabled" in rule.selector:
            continue  # WCAG 1.4.3 exempts inactive controls
        # Only a background set: the widget's own colour (a ::item takes its list's), else the palette's ink.
        plain_selector = " ".join([*rule.compounds[:-1], re.split(r"::|:", rule.compounds[-1])[0]])
        inherited = [r.props["color"] for r in rules if r.selector == plain_selector and "color" in r.props]
        ink = rule.props.get("color") or (inherited[-1] if inherited else theme.INK)
        if "color" not in rule.props and _background(rule.props) is None:
            continue
        own = _background(rule.props)
        if own and own != "transparent":
            # A pseudo-state (::item:selected) is drawn over the widget's own background.
            plain = [*rule.compounds[:-1], re.split(r"::|:", rule.compounds[-1])[0]]
            under = behind(rule.compounds)
            for other in rules:
                if other.selector == " ".join(plain) and other is not rule and _background(other.props):
                    under = _rgb(_background(other.props), under)  # type: ignore[arg-type]
            pairs.append((rule.selector, ink, _rgb(own, under)))
        else:
            pairs.append((rule.selector, ink, behind(rule.compounds)))
        # A more specific rule for the same widget that changes its background wins over this one's.
        for other in rules:
            if other is rule or other.specificity <= rule.specificity or "color" in other.props:
                continue
            if ":disabled" in other.selector:
                continue
            bg = _background(other.props)
            if bg is None or not _matches(other.compounds[-1], rule.compounds[-1]):
                continue
            where = behind(other.compounds) if bg == "transparent" else _rgb(bg, behind(other.compounds))
            pairs.append((f"{rule.selector} under {other.selector}", ink, where))
    return pairs


SHEETS = {
    "theme.STYLE_SHEET": theme.STYLE_SHEET,
    "policy_flow.FLOW_STYLE": policy_flow.FLOW_STYLE,
}


@pytest.mark.parametrize("name", SHEETS)
@pytest.mark.parametrize("page", [theme.PAPER, theme.PANEL])
def test_every_pair_in_the_style_sheets_meets_aa(name, page):
    pairs = text_pairs(SHEETS[name], page)
    assert len(pairs) >= 5
    failing = [
        f"{what}: {ink} on {bg} is {contrast(_rgb(ink), bg):.2f}:1"
        for what, ink, bg in pairs
        if contrast(_rgb(ink), bg) < AA_NORMAL
    ]
    assert not failing, failing


def test_the_parser_finds_an_overridden_background():
    """What the "Final step" badge looked like before the fix: the test must see it."""
    sheet = """
    QFrame#box { background: #dce7f3; }
    QFrame#box QLabel { background: transparent; }
    QLabel#badge { background: #2f5d8a; color: white; }
    """
    pairs = text_pairs(sheet, theme.PAPER)
    assert any(
        what.startswith("QLabel#badge under") and contrast(_rgb(ink), bg) < 1.5 for what, ink, bg in pairs
    )


def test_the_coloured_states_meet_aa():
    """Status badges, stepper boxes and dashboard counts: each strong colour on its soft one, white on it,
    and on the page."""
    pairs = [*stepper.DUE_COLOURS.values(), stepper.DONE_COLOURS, stepper.TO_COME_COLOURS]
    pairs.append((theme.DEMO, theme.DEMO_SOFT))
    failing = []
    for strong, soft in pairs:
        for ink, paper in ((strong, soft), ("white", strong), (strong, theme.PAPER), (strong, theme.PANEL)):
            ratio = contrast(_rgb(ink), _rgb(paper))
            if ratio < AA_NORMAL:
                failing.append(f"{ink} on {paper}: {ratio:.2f}:1")
    for ink, paper in ((theme.MUTED, "#eef1f5"), (theme.INK, "#eef1f5"), (theme.MUTED, theme.ACCENT_SOFT)):
        ratio = contrast(_rgb(ink), _rgb(paper))
        if ratio < AA_NORMAL:
            failing.append(f"{ink} on {paper}: {ratio:.2f}:1")
    assert not failing, failing


def test_the_final_step_badge_is_drawn_white_on_the_accent(qtbot, packs):
    """Read back from the screen: the badge's background is the accent blue, not the box's pale blue."""
    from PySide6.QtWidgets import QLabel

    flow = policy_flow.PolicyFlow()
    qtbot.addWidget(flow)
    flow.set_pack(packs["st_helens"])
    flow.resize(600, 1400)
    flow.show()
    badge = flow.findChild(QLabel, "flowBadge")
    assert badge.text() == "Final step — partnership level"
    shot = badge.parentWidget().grab().toImage()
    corner = badge.geometry().topLeft()
    drawn = shot.pixelColor(corner.x() + 2, corner.y() + badge.height() // 2).name()
    assert drawn == theme.ACCENT.lower()
    assert contrast(_rgb("white"), _rgb(drawn)) >= AA_NORMAL
