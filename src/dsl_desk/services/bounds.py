"""The limits every value crossing into a service is held to, with a plain message when it is outside them.

Whatever the screens or the command line let through, a service refuses what the store cannot hold or the
calendar cannot compute: ids outside SQLite's 64-bit integers, dates whose arithmetic would overflow near
9999-12-31 (or that no safeguarding record can have), text too long for any box, text with characters that
cannot be stored (a NUL, or a lone surrogate from a file name in a broken encoding), and paths the operating
system would refuse.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.core.i18n import _
from dsl_desk.services.errors import ValidationError
from dsl_desk.store.errors import NotFound

MAX_ID = 2**63 - 1  # SQLite's largest INTEGER: a bigger number cannot be any row's id
NAME_MAX = 200  # a person's, school's or agency's name
LINE_MAX = 1_000  # a one-line answer: a method, a reason, who was there
TEXT_MAX = 100_000  # a free-text box (about thirty pages); longer documents are attachments
EARLIEST_DATE = date(1900, 1, 1)  # no record on this desk is about anything earlier
LATEST_DATE = date(2100, 12, 31)  # far enough for any review date; calendar arithmetic never overflows
PATH_MAX = 4_000  # characters; Windows' long paths and Linux's PATH_MAX are both about 4,096
PATH_PART_MAX = 255  # bytes in one file or folder name, the limit of every common file system

Model = TypeVar("Model")


def valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def check_id(value: object, what: str) -> int:
    """An id a user named: refused as missing (`There is no child number 0.`) when no row could have it."""
    if not valid_id(value):
        if isinstance(value, int) and abs(value) >= 10**40:
            raise NotFound(_("There is no {what} with a number that long.").format(what=what))
        raise NotFound(_("There is no {what} number {value}.").format(what=what, value=shown(value)))
    return value  # type: ignore[return-value]


def fetch(session: Any, model: type[Model], ident: object) -> Model | None:
    """`session.get`, but None for an id no row can have (a bigger one makes SQLite raise OverflowError)."""
    return session.get(model, ident) if valid_id(ident) else None


def check_text(value: object, label: str, *, limit: int | None = TEXT_MAX, field: str = "") -> str:
    """Text that can be stored: a string, at most `limit` characters, with no NUL and no broken characters."""
    if not isinstance(value, str):
        raise ValidationError(_("{label} must be text.").format(label=_capital(label)), field=field)
    if limit is not None and len(value) > limit:
        raise ValidationError(
            _("{label} is {length:,} characters long; the most it can be is {limit:,}.").format(
                label=_capital(label), length=len(value), limit=limit
            ),
            field=field,
        )
    if "\x00" in value:
        raise ValidationError(
            _("{label} contains a NUL character, which cannot be stored. Type it again.").format(
                label=_capital(label)
            ),
            field=field,
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _(
                "{label} contains characters that are not valid text (perhaps bytes in another "
                "encoding, or pasted from a damaged file). Type it again."
            ).format(label=_capital(label)),
            field=field,
        ) from None
    return value


def storable(value: str, limit: int) -> bool:
    """Whether `value` is text a row could hold (for a search: anything else matches nothing)."""
    if len(value) > limit or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_texts(
    values: object, limits: Mapping[str, int | None] | None = None, *, default: int | None = TEXT_MAX
) -> None:
    """`check_text` on every string field of a dataclass (and every string in a tuple field).

    `default=None` checks only that the text can be stored, for a caller that words its own length limits.
    """
    limits = limits or {}
    for f in dataclasses.fields(values):  # type: ignore[arg-type]
        value = getattr(values, f.name)
        label = f.name.replace("_", " ")
        if isinstance(value, str):
            check_text(value, f"the {label}", limit=limits.get(f.name, default), field=f.name)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, str):
                    check_text(item, f"the {label}", limit=limits.get(f.name, default), field=f.name)
                elif dataclasses.is_dataclass(item) and not isinstance(item, type):
                    check_texts(item, limits, default=limits.get(f.name, default))


def check_date(
    value: object,
    label: str,
    *,
    field: str = "",
    earliest: date = EARLIEST_DATE,
    latest: date = LATEST_DATE,
) -> date:
    """A date in the range a record can sensibly have (1900 to 2100 unless told otherwise)."""
    day = value.date() if isinstance(value, datetime) else value
    if not isinstance(day, date):
        raise ValidationError(_("{label} must be a date.").format(label=_capital(label)), field=field)
    if day < earliest or day > latest:
        raise ValidationError(
            _("{label} cannot be {day}: it must be between {earliest} and {latest}. Check the date.").format(
                label=_capital(label),
                day=day_month_year(day),
                earliest=day_month_year(earliest),
                latest=day_month_year(latest),
            ),
            field=field,
        )
    return value  # type: ignore[return-value]


def check_past_date(value: object, label: str, today: date, *, field: str = "") -> date:
    """A date something already happened: not before 1900 and not after today (by the desk's clock)."""
    checked = check_date(value, label, field=field)
    day = checked.date() if isinstance(checked, datetime) else checked
    if day > today:
        raise ValidationError(
            _("{label} cannot be {day}: that is in the future. Check the date.").format(
                label=_capital(label), day=day_month_year(day)
            ),
            field=field,
        )
    return checked


def check_period(period: Any) -> None:
    """A report's period: both ends in range (9999-12-31 would overflow the day after), the end not first."""
    check_date(period.start, _("the first day of the period"), field="start")
    check_date(period.end, _("the last day of the period"), field="end")
    if period.end < period.start:
        raise ValidationError(_("The period ends before it starts. Check the dates."), field="end")


def check_path(value: object, label: str) -> Path:
    """A path the operating system can be asked about: no NUL, no broken characters, not over-long."""
    text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(text, str):
        raise ValidationError(_("{label} must be a file or folder name.").format(label=_capital(label)))
    if "\x00" in text:
        raise ValidationError(
            _("{label} contains a NUL character, which no file name can hold.").format(label=_capital(label))
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _(
                "{label} is not valid text (its name has bytes in another encoding). "
                "Rename the file or folder, or choose another."
            ).format(label=_capital(label))
        ) from None
    if len(text) > PATH_MAX:
        raise ValidationError(
            _("{label} is {length:,} characters long; the most a path can be here is {PATH_MAX:,}.").format(
                label=_capital(label), length=len(text), PATH_MAX=PATH_MAX
            )
        )
    for part in Path(text).parts:
        if len(part.encode("utf-8")) > PATH_PART_MAX:
            raise ValidationError(
                _(
                    "{label} has a name longer than {PATH_PART_MAX} bytes "
                    "(“{part}…”), which file systems refuse. Choose a shorter name."
                ).format(label=_capital(label), PATH_PART_MAX=PATH_PART_MAX, part=part[:30])
            )
    return Path(text)


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


def shown(value: object) -> str:
    """The value as given, cut short (str() of an int of over 4,300 digits would itself raise)."""
    if isinstance(value, int) and abs(value) >= 10**40:
        return _("(a number of over 40 digits)")
    text = str(value) if isinstance(value, int) else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"
