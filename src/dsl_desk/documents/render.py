"""Print a form definition and its values as an A4 PDF with ReportLab.

The page looks like the partnership's paper form: its labels in the template's own words, one bordered
box per answer, sections in order. Every page carries the OFFICIAL-SENSITIVE marking, the policy pack,
the case reference and "Page x of y" (the page itself, shared with every other PDF, is page.py). The output
is deterministic for the same input, so a rendering can be compared with a reference.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import with_time
from dsl_desk.core.i18n import _
from dsl_desk.documents.fonts import BOLD, markup, needs_shaping, register_fonts
from dsl_desk.documents.forms import FieldKind, FormDefinition, FormField, FormSection
from dsl_desk.documents.page import (
    _VALUE_LEADING,
    CONTENT_WIDTH,
    FRAME_HEIGHT,
    LABEL_FILL,
    MUTED,
    NAVY,
    PAGE_HEIGHT,
    RULE,
    PagedCanvas,
    RenderMeta,
    _demo_banner,
    _draw_furniture,
    _long_date,
    _Styles,
    _styles,
    _text_paragraph,
    _widths,
    a4_document,
)

# Ballot boxes, printed from an embedded font (not ZapfDingbats, which some viewers cannot draw), so
# copied or extracted text reads "☒ Yes ☐ No" just as the page does.
CHOSEN_MARK, NOT_CHOSEN_MARK = "\u2612", "\u2610"
_YES, _NO = "Yes", "No"
_YES_WORDS = frozenset({"yes", "y", "true", "1"})
_NO_WORDS = frozenset({"no", "n", "false", "0"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Label column widths as shares of the content width.
_FULL_LABEL = 0.32
_HALF_LABEL = 0.2
_STACK_LABEL_CHARS = 70  # a question longer than this reads better above its answer than beside it
_PAD = 4
_INLINE_OPTION_CHARS = 25
# A box shorter than this moves whole to the next page rather than splitting; taller ones split.
_SPLIT_ABOVE = FRAME_HEIGHT / 3
_KEEP_SECTION_BELOW = 40 * mm  # a sign-off block or a short section is never split


@dataclass(frozen=True)
class SignatureBlock:
    """An electronic signature printed into the form's signature boxes."""

    name: str
    role: str
    signed_on: date
    image_png: bytes | None = field(default=None, repr=False)


def render_form(
    form: FormDefinition,
    values: Mapping[str, str],
    meta: RenderMeta,
    *,
    signature: SignatureBlock | None = None,
    wet_signature: bool = False,
) -> bytes:
    """The form as PDF bytes. `values` are keyed by field key; a missing value prints an empty box."""
    _check_keys(form, values)
    register_fonts()
    styles = _styles()
    context = _Context(values=values, styles=styles, signature=signature, wet_signature=wet_signature)
    story = [*_title_block(form, meta, styles), *_body(form, context)]
    buffer = io.BytesIO()
    furniture = partial(_draw_furniture, meta=meta)
    _document(buffer, form, meta).build(
        story, canvasmaker=partial(PagedCanvas, furniture=furniture, made_at=meta.exported_at)
    )
    return buffer.getvalue()


def safe_file_name(reference: str, initials: str, form_id: str) -> str:
    """A PDF file name that identifies the case without personal data: reference, initials, form."""
    parts = [_slug(reference).upper(), _initials(initials), _slug(form_id, keep="_-").lower()]
    return "_".join(p for p in parts if p) + ".pdf"


# --- document and page furniture -----------------------------------------------------------------------


def _document(buffer: io.BytesIO, form: FormDefinition, meta: RenderMeta) -> BaseDocTemplate:
    return a4_document(
        buffer,
        title=f"{form.title} — {meta.reference}",
        author=meta.author,
        subject=f"{meta.partnership_name}: {form.title}",
        template_id="form",
    )


# --- title block ---------------------------------------------------------------------------------------


def _title_block(form: FormDefinition, meta: RenderMeta, styles: _Styles) -> list[Flowable]:
    flowables: list[Flowable] = [
        _text_paragraph(meta.partnership_name, styles.partnership),
        Paragraph(markup(form.title), styles.title),
    ]
    if form.intro:
        flowables.append(Paragraph(markup(form.intro), styles.intro))
    if meta.demo:
        flowables.append(_demo_banner(styles))
    flowables += [_meta_table(meta, styles), Spacer(0, 4 * mm)]
    return flowables


def _meta_table(meta: RenderMeta, styles: _Styles) -> Table:
    exported = london(meta.exported_at)
    exported_text = with_time(exported)

    def cell(text: str, style: ParagraphStyle) -> Paragraph:
        return _text_paragraph(text, style)

    rows = [
        [cell("Reference", styles.hint), cell(meta.reference, styles.small),
         cell("Organisation", styles.hint), cell(meta.organisation, styles.small)],
        [cell("Exported", styles.hint), cell(exported_text, styles.small),
         cell(_("Prepared by"), styles.hint), cell(meta.author, styles.small)],
        [cell("Policy", styles.hint), cell(meta.policy_pack_label, styles.small), "", ""],
    ]  # fmt: skip
    widths = _widths(0.14, 0.36, 0.14, 0.36)
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (1, 2), (3, 2)),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


# --- body ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    values: Mapping[str, str]
    styles: _Styles
    signature: SignatureBlock | None
    wet_signature: bool

    def value(self, key: str) -> str:
        # Callers pass plain strings, but a None from an unset column must print as an empty box.
        raw = self.values.get(key)
        return "" if raw is None else str(raw).strip()


def _body(form: FormDefinition, context: _Context) -> list[Flowable]:
    # Where a form pairs fields side by side anywhere, every row uses the narrow label column so the
    # ruled lines run straight down the whole form.
    paired = any(len(g) == 2 for s in form.sections for g in _group_rows(s.fields))
    label_share = _HALF_LABEL if paired else _FULL_LABEL
    flowables: list[Flowable] = []
    for section in form.sections:
        flowables += _section(section, label_share, context)
    if form.closing:
        flowables += [Spacer(0, 4 * mm), Paragraph(markup(form.closing), context.styles.note)]
    return flowables


def _section(section: FormSection, label_share: float, context: _Context) -> list[Flowable]:
    rows = [_row_table(group, label_share, context) for group in _group_rows(section.fields)]
    heading: list[Flowable] = [Spacer(0, 3 * mm)]
    if section.title:
        heading.append(_section_heading(section, context.styles))
    elif section.note:
        heading.append(Paragraph(markup(section.note), context.styles.note))
    # Keep a heading with its first row, so a heading never sits alone at the foot of a page.
    # A short section (a sign-off block) stays whole; a long one keeps at least its heading with its
    # first row. (KeepTogether cannot be nested: an inner one reports an endless height and forces a
    # page break.)
    if sum(row.wrap(CONTENT_WIDTH, FRAME_HEIGHT)[1] for row in rows) < _KEEP_SECTION_BELOW:
        return [KeepTogether([*heading, *rows])]
    return [KeepTogether([*heading, rows[0]]), *(_keep_if_short(row) for row in rows[1:])]


def _section_heading(section: FormSection, styles: _Styles) -> Table:
    cells: list[Flowable] = [Paragraph(markup(section.title, BOLD), styles.section)]
    if section.note:
        cells.append(Paragraph(markup(section.note), styles.note))
    table = Table([[cells]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LABEL_FILL),
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 2, NAVY),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _group_rows(fields: Sequence[FormField]) -> Iterator[tuple[FormField, ...]]:
    """Pair consecutive half-width fields side by side; everything else takes a row of its own."""
    index = 0
    while index < len(fields):
        current = fields[index]
        following = fields[index + 1] if index + 1 < len(fields) else None
        if current.half and following is not None and following.half:
            yield (current, following)
            index += 2
        else:
            yield (current,)
            index += 1


def _stacked(f: FormField) -> bool:
    return f.kind is FieldKind.MULTILINE or len(f.label) > _STACK_LABEL_CHARS


def _keep_if_short(table: Table) -> Flowable:
    _width, height = table.wrap(CONTENT_WIDTH, FRAME_HEIGHT)
    if height < _SPLIT_ABOVE:
        # A short answer torn across two pages is hard to read; only long answers may split.
        return KeepTogether([table])
    return table


def _row_table(group: tuple[FormField, ...], label_share: float, context: _Context) -> Table:
    if len(group) == 1:
        if _stacked(group[0]):
            return _stacked_row(group, context)
        return _side_row(group, (label_share, 1 - label_share), context)
    if any(_stacked(f) for f in group):
        return _stacked_row(group, context)
    return _side_row(group, (_HALF_LABEL, 0.5 - _HALF_LABEL) * 2, context)


def _side_row(group: tuple[FormField, ...], shares: tuple[float, ...], context: _Context) -> Table:
    widths = _widths(*shares)
    cells: list[Any] = []
    for position, f in enumerate(group):
        value_width = widths[2 * position + 1] - 2 * _PAD
        cells += [_label_cell(f, context.styles), _value_cell(f, value_width, context)]
    table = Table([cells], colWidths=widths, splitInRow=1)
    label_columns = [("BACKGROUND", (2 * i, 0), (2 * i, 0), LABEL_FILL) for i in range(len(group))]
    table.setStyle(TableStyle([*_grid_style(), *label_columns]))
    return table


def _stacked_row(group: tuple[FormField, ...], context: _Context) -> Table:
    share = 1 / len(group)
    widths = _widths(*([share] * len(group)))
    labels = [_label_cell(f, context.styles) for f in group]
    values = [_value_cell(f, w - 2 * _PAD, context) for f, w in zip(group, widths, strict=True)]
    # The label row repeats when a long answer runs onto the next page, so the reader knows what it is.
    table = Table([labels, values], colWidths=widths, splitInRow=1, repeatRows=1)
    table.setStyle(TableStyle([*_grid_style(), ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL)]))
    return table


def _grid_style() -> list[tuple[Any, ...]]:
    return [
        ("BOX", (0, 0), (-1, -1), 0.75, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]


def _label_cell(f: FormField, styles: _Styles) -> list[Flowable]:
    cell: list[Flowable] = [Paragraph(markup(f.label, BOLD), styles.label)]
    if f.hint:
        cell.append(Paragraph(markup(f.hint), styles.hint))
    return cell


def _value_cell(f: FormField, width: float, context: _Context) -> list[Flowable]:
    value = context.value(f.key)
    if f.kind is FieldKind.SIGNATURE:
        return _signature_cell(value, width, context)
    style = context.styles.value
    if f.kind is FieldKind.YESNO:
        content = [_markup_paragraph(_yes_no_markup(value), value, style)]
    elif f.kind is FieldKind.CHOICE:
        content = [_markup_paragraph(_choice_markup(f, value), value, style)]
    elif f.kind is FieldKind.DATE:
        content = [_text_paragraph(_display_date(value), style)] if value else []
    else:
        content = [_text_paragraph(value, style)] if value else []
    return _at_least(content, width, f.lines * _VALUE_LEADING + 2)


def _at_least(content: list[Flowable], width: float, height: float) -> list[Flowable]:
    """Pad a cell to the box height the form gives it, so a short (or empty) answer leaves room to write."""
    used = sum(flowable.wrap(width, PAGE_HEIGHT)[1] for flowable in content)
    if used < height:
        content.append(Spacer(0, height - used))
    return content


def _yes_no_markup(value: str) -> str:
    answer = value.lower()
    chosen = _YES if answer in _YES_WORDS else _NO if answer in _NO_WORDS else ""
    boxes = "&nbsp;&nbsp;&nbsp;&nbsp;".join(_option(option, option == chosen) for option in (_YES, _NO))
    if value and not chosen:
        # Not a yes or a no: print what was given rather than lose it.
        boxes += "<br/>" + markup(value)
    return boxes


def _choice_markup(f: FormField, value: str) -> str:
    picked = _split_choices(value) if f.multiple else ([value] if value else [])
    known = {o.casefold(): o for o in f.options}
    chosen = {known[p.casefold()] for p in picked if p.casefold() in known}
    others = [p for p in picked if p.casefold() not in known]
    # Long options read better one to a line than run together in a paragraph.
    separator = "<br/>" if max(len(o) for o in f.options) > _INLINE_OPTION_CHARS else "&nbsp;&nbsp;&nbsp; "
    text = separator.join(_option(o, o in chosen) for o in f.options)
    if others:
        text += "<br/>Other: " + markup("; ".join(others))
    return text


def _split_choices(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]


def _option(label: str, chosen: bool) -> str:
    mark = markup(CHOSEN_MARK if chosen else NOT_CHOSEN_MARK)
    text = f"<b>{markup(label)}</b>" if chosen else markup(label)
    # A no-break space keeps each box on the same line as its option.
    return f"{mark}&nbsp;{text}"


def _signature_cell(value: str, width: float, context: _Context) -> list[Flowable]:
    styles = context.styles
    signature = context.signature
    if context.wet_signature:
        caption = f"{signature.name}, {signature.role}" if signature else "Signature"
        return [_WetSignatureLine(width, 30), _text_paragraph(caption, styles.hint)]
    if signature is None:
        return _at_least([_text_paragraph(value, styles.value)] if value else [], width, 28)
    cell: list[Flowable] = []
    if signature.image_png:
        cell.append(_signature_image(signature.image_png, width))
    line = f"{signature.name}, {signature.role} — signed {_long_date(signature.signed_on)}"
    cell.append(_text_paragraph(line, styles.value))
    return cell


def _signature_image(png: bytes, width: float) -> Image:
    image = Image(io.BytesIO(png))
    # Keep the drawn signature's proportions inside a box no taller than a handwritten one.
    scale = min(min(width, 60 * mm) / image.imageWidth, 15 * mm / image.imageHeight)
    image.drawWidth = image.imageWidth * scale
    image.drawHeight = image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


class _WetSignatureLine(Flowable):
    """Blank space above a dotted line, for a signature in ink."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width = width
        self.height = height

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(MUTED)
        self.canv.setDash(1, 2)
        self.canv.line(0, 2, min(self.width, 80 * mm), 2)


def _markup_paragraph(text_markup: str, raw: str, style: ParagraphStyle) -> Paragraph:
    if needs_shaping(raw):
        style = ParagraphStyle(f"{style.name}-shaped", style, shaping=1)
    return Paragraph(text_markup, style)


# --- values --------------------------------------------------------------------------------------------


def _display_date(value: str) -> str:
    """ISO dates (what the store keeps) print the British way; anything else prints as typed."""
    if _ISO_DATE.match(value):
        try:
            return _long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _check_keys(form: FormDefinition, values: Mapping[str, str]) -> None:
    known = {f.key for f in form.fields}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError("form {id!r} has no field(s) {join}".format(id=form.id, join=", ".join(unknown)))


def _slug(text: str, keep: str = "-") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(rf"[^A-Za-z0-9{keep}]+", "-", ascii_text).strip("-")


def _initials(text: str) -> str:
    """Up to four capital letters; a whole name passed by mistake is cut to its initials."""
    words = [w for w in re.split(r"[^\w]+|_", text) if w]
    letters = words[0] if len(words) == 1 and len(words[0]) <= 4 else "".join(w[0] for w in words)
    return "".join(_latin_letter(c) for c in letters).upper()[:4]


def _latin_letter(char: str) -> str:
    # "Ł" has no decomposition to "L", but its Unicode name says which letter it is.
    name = unicodedata.name(char, "")
    match = re.match(r"LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])\b", name)
    return match.group(1) if match else ""
