"""Every date, time and relative day a person reads, in one place: "Saturday 14 March 2015", "5 Mar 2026 14:02",
"today 17:00", "in 3 days", "overdue since 17:00 yesterday".

Our own names rather than strftime's, which follow the machine's locale (Qt sets it at start-up): the names go
through the message catalogue instead (core/i18n.py), so a translation changes them and nothing else does.
Aware datetimes are shown in Europe/London; naive ones are taken as already local.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from dsl_desk.core.clock import london
from dsl_desk.core.i18n import N_, _, ngettext, pgettext

# English names, also what core/date_entry.py reads back when a person types "14 March 2015".
DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTH_NAMES = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- names ------------------------------------------------------------------------------------------------------


def day_name(d: date) -> str:
    """'Saturday'."""
    return _(DAY_NAMES[d.weekday()])


def month_name(d: date) -> str:
    """'March'."""
    return _(MONTH_NAMES[d.month - 1])


def _day_abbr(d: date) -> str:
    return pgettext("short day", _DAYS[d.weekday()])


def _month_abbr(d: date) -> str:
    return pgettext("short month", _MONTHS[d.month - 1])


def local(moment: datetime) -> datetime:
    """An aware instant in Europe/London; a naive one as it is."""
    return london(moment) if moment.tzinfo is not None else moment


# --- dates ------------------------------------------------------------------------------------------------------


def long_date(d: date) -> str:
    """'Saturday 14 March 2015': a date read back in full, whatever the machine's locale."""
    return f"{day_name(d)} {d.day} {month_name(d)} {d.year}"


def day_month_year(d: date) -> str:
    """'14 March 2015' (no leading zero: '5 March', as a person writes it)."""
    return f"{d.day} {month_name(d)} {d.year}"


def day_month(d: date) -> str:
    """'14 March'."""
    return f"{d.day} {month_name(d)}"


def month_year(d: date) -> str:
    """'March 2015'."""
    return f"{month_name(d)} {d.year}"


def medium_date(d: date) -> str:
    """'14 Mar 2015': tables and lists where the year matters."""
    return f"{d.day} {_month_abbr(d)} {d.year}"


def short_date(d: date, today: date | None = None) -> str:
    """'Sat 14 Mar', with the year ('Sat 14 Mar 2015') unless it is `today`'s year."""
    text = f"{_day_abbr(d)} {d.day} {_month_abbr(d)}"
    return text if today is not None and d.year == today.year else f"{text} {d.year}"


def short_day_month(d: date) -> str:
    """'Sat 14 Mar', never with the year (lists of the days just gone or just coming)."""
    return f"{_day_abbr(d)} {d.day} {_month_abbr(d)}"


def describe_date(d: date, today: date) -> str:
    """'Tue 5 Jan', or 'Tue 5 Jan 2027' outside the current year."""
    return short_date(d, today)


def numeric_date(d: date) -> str:
    """'05/03/2026': the compact UK form for table cells that sort and line up."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def iso_date(d: date) -> str:
    """'2026-03-05': for technical reports (the audit verifier) that are read beside file names."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


# --- times ------------------------------------------------------------------------------------------------------


def clock_time(t: datetime | time) -> str:
    """'14:02' (24-hour, as UK forms write it); an aware datetime in Europe/London."""
    if isinstance(t, datetime):
        t = local(t)
    return f"{t.hour:02d}:{t.minute:02d}"


def clock_time_seconds(t: datetime) -> str:
    """'14:02:09'."""
    t = local(t)
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def at_time(moment: datetime, words: Callable[[date], str] | None = None) -> str:
    """'14 March 2015 at 14:02' (`words` gives the date part: long_date for 'Saturday 14 March 2015 at 14:02')."""
    moment, words = local(moment), words or day_month_year
    return _("{day} at {time}").format(day=words(moment.date()), time=clock_time(moment))


def with_time(moment: datetime, words: Callable[[date], str] | None = None) -> str:
    """'14 March 2015 14:02': a date and its time side by side (numeric_date for '14/03/2015 14:02')."""
    moment, words = local(moment), words or day_month_year
    return f"{words(moment.date())} {clock_time(moment)}"


def numeric_date_time(moment: datetime) -> str:
    """'14/03/2015 14:02'."""
    return with_time(moment, numeric_date)


# --- relative days ----------------------------------------------------------------------------------------------


def relative_day(d: date, today: date) -> str:
    """The one vocabulary for how far a day is from today: 'today', 'tomorrow', 'yesterday', 'in 3 days',
    '2 days ago'."""
    days = (d - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("yesterday")
    if days > 0:
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    return ngettext("{n} day ago", "{n} days ago", -days).format(n=-days)


def working_days(count: int) -> str:
    """'1 working day', '3 working days'."""
    return ngettext("{n} working day", "{n} working days", count).format(n=count)


def in_working_days(count: int) -> str:
    """'today', 'in 1 working day', 'in 3 working days'."""
    if count == 0:
        return _("today")
    return ngettext("in {n} working day", "in {n} working days", count).format(n=count)


def due_on_words(due: date | None, today: date) -> str:
    """A day something is due by: 'due today', 'due Mon 12 Jan', 'overdue: was due Mon 12 Jan', or ''."""
    if due is None:
        return ""
    if due == today:
        return _("due today")
    if due > today:
        return _("due {day}").format(day=describe_date(due, today))
    return _("overdue: was due {day}").format(day=describe_date(due, today))


def describe_deadline(due_at: datetime | None, now: datetime) -> str:
    """A deadline at a time: 'today 17:00', 'Tue 5 Jan 17:00', 'overdue since 17:00 yesterday'. Europe/London;
    the year only when it is not the current one."""
    if due_at is None:
        return _("no deadline")
    due, today = london(due_at), london(now).date()
    clock = clock_time(due)
    relative = _near_day(due.date(), today)
    if due_at < now:
        if relative:
            return _("overdue since {time} {day}").format(time=clock, day=relative)
        return _("overdue since {day} {time}").format(day=describe_date(due.date(), today), time=clock)
    return _("{day} {time}").format(day=relative or describe_date(due.date(), today), time=clock)


def deadline_phrase(due_at: datetime | None, now: datetime) -> str:
    """A deadline after a dash or in a sentence: 'due today 17:00', 'due Tue 5 Jan 17:00', 'overdue since 17:00
    yesterday' (never 'due overdue since …'), or '' when there is none."""
    if due_at is None:
        return ""
    words = describe_deadline(due_at, now)
    return words if due_at < now else _("due {deadline}").format(deadline=words)


def _near_day(d: date, today: date) -> str:
    """Only the three near days have words beside a clock time ('today 17:00'); further ones get their date."""
    return relative_day(d, today) if abs((d - today).days) <= 1 else ""
