"""Date and date-time fields a UK user types into, and that read back what they understood.

`DateEntry` is a text box ("e.g. 14/03/2015"), a calendar button (also Alt+Down or F4 in the box) and a line
beneath that says the typed date in words as you type ("Saturday 14 March 2015"), or what is wrong with it in
the error style ("31/02/2015 is not a date: February 2015 has 28 days."). Numbers are read day first, always;
the accepted forms are listed in dsl_desk.core.date_entry. It starts empty unless given a value: an empty box
is the honest start for a date nobody has told us yet.

`DateTimeEntry` is the same for a moment ("14/03/2015 15:30", "14/3/15 3.30pm"), in UK wall-clock time.

API (both):  text() / set_text(str)   is_empty()   is_valid()   problem() -> str ("" when valid)
             changed(object) signal: emitted on every edit with the value now (None when empty or invalid)
             setAccessibleName() names the text box; setFocus() focuses it.
DateEntry:       date() -> date | None   set_date(date | None)   checked_date(field) -> date | None
DateTimeEntry:   instant() -> aware UTC datetime | None   set_instant(datetime | None)
                 date_time() -> naive UK datetime | None  checked_instant(field) -> datetime | None
`checked_*` raise services' ValidationError(problem, field=field) when the field is not valid, so a dialog's
usual handler shows the message and focuses the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Generic, TypeVar

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dsl_desk.core.clock import london
from dsl_desk.core.date_entry import (
    DATE_EXAMPLE,
    DATETIME_EXAMPLE,
    DateEntryError,
    datetime_words,
    london_instant,
    long_date,
    parse_uk_date,
    parse_uk_datetime,
)
from dsl_desk.core.dates_in_words import numeric_date
from dsl_desk.services.errors import ValidationError

V = TypeVar("V", date, datetime)


class _CalendarPopup(QFrame):
    """A month calendar under the field: arrows move, Enter picks, Escape closes."""

    def __init__(self, owner: _Entry[V]) -> None:
        super().__init__(owner, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setAccessibleName(owner.tr("Calendar: arrow keys move, Enter picks the day"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)


class _Entry(QWidget, Generic[V]):
    changed = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        accessible_name: str,
        placeholder: str,
        required: bool,
        calendar: bool,
    ) -> None:
        super().__init__(parent)
        self.required = required
        self.edit = QLineEdit(self, placeholderText=placeholder)
        self.edit.setAccessibleName(accessible_name)
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance(f" {placeholder} ") + 12)
        self.setFocusProxy(self.edit)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setToolTip(self.tr("Choose from a calendar (Alt+Down)"))
        self.calendar_button.setAccessibleName(self.tr("Choose from a calendar"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.calendar_button.setVisible(calendar)
        self.words = QLabel(self, objectName="hint", wordWrap=True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setMinimumHeight(self.words.fontMetrics().height())
        self.popup: _CalendarPopup | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.calendar_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.words)
        # Never taller than it needs: a dialog's spare height is not for the words under a date.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)  # as tall as the wrapped words need, and no taller
        self.setSizePolicy(policy)
        self.edit.installEventFilter(self)  # Alt+Down or F4 opens the calendar, as in a combo box
        self._value: V | None = None
        self._problem = ""
        self.edit.textChanged.connect(self._text_changed)

    # -- what subclasses say ------------------------------------------------------------------------------------

    def _parse(self, text: str) -> V:
        raise NotImplementedError

    def _format(self, value: V) -> str:
        raise NotImplementedError

    def _say(self, value: V) -> str:
        raise NotImplementedError

    def _empty_problem(self) -> str:
        raise NotImplementedError

    def _calendar_day(self) -> date | None:
        raise NotImplementedError

    def _calendar_limits(self) -> tuple[date | None, date | None]:
        raise NotImplementedError

    def _pick(self, day: date) -> None:
        raise NotImplementedError

    # -- the API ------------------------------------------------------------------------------------------------

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def is_valid(self) -> bool:
        return not self.problem()

    def problem(self) -> str:
        """What is wrong with the field now, in plain English; "" when it can be used as it is."""
        if self.is_empty():
            return self._empty_problem() if self.required else ""
        return self._problem

    def setAccessibleName(self, name: str) -> None:
        self.edit.setAccessibleName(name)

    def accessibleName(self) -> str:
        return self.edit.accessibleName()

    def recheck(self) -> None:
        """Read the text again (after the bounds changed, e.g. a new day)."""
        self._text_changed(self.edit.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and (
                (event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier)
                or (event.key() == Qt.Key.Key_F4 and not event.modifiers())
            )
            and self.calendar_button.isVisibleTo(self)
        ):
            self.open_calendar()
            return True
        return super().eventFilter(watched, event)

    # -- inside -------------------------------------------------------------------------------------------------

    def _raise_if_invalid(self, field: str) -> None:
        problem = self.problem()
        if problem:
            raise ValidationError(problem, field=field)

    def _text_changed(self, text: str) -> None:
        self._value, self._problem = None, ""
        if text.strip():
            try:
                self._value = self._parse(text)
            except DateEntryError as error:
                self._problem = str(error)
        if self._problem:
            self._show(self._problem, "error")
        elif self._value is not None:
            self._show(self._say(self._value), "hint")
        else:
            self._show("", "hint")
        self.changed.emit(self._value)

    def _show(self, text: str, style: str) -> None:
        # A date in words is short and stays on one line (the field widens to it, even inside a scroll area,
        # where Qt gives a wrapped label too little height); a message may be long, so it wraps.
        self.words.setWordWrap(style == "error")
        self.words.setText(text)
        self.edit.setAccessibleDescription(text)
        self._fit_words()
        if self.words.objectName() != style:
            self.words.setObjectName(style)
            self.words.style().unpolish(self.words)
            self.words.style().polish(self.words)

    def _fit_words(self) -> None:
        """Give wrapped words the height they need at this width (a scroll area would squeeze them)."""
        line = self.words.fontMetrics().height()
        width = max(self.words.width(), self.edit.width(), 1)
        needed = self.words.heightForWidth(width) if self.words.wordWrap() else line
        if needed != self.words.minimumHeight():
            self.words.setMinimumHeight(max(needed, line))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_words()

    def open_calendar(self) -> None:
        if not self.isEnabled() or not self.calendar_button.isVisibleTo(self):
            return
        self.popup = _CalendarPopup(self)
        calendar = self.popup.calendar
        low, high = self._calendar_limits()
        if low is not None:
            calendar.setMinimumDate(QDate(low.year, low.month, low.day))
        if high is not None:
            calendar.setMaximumDate(QDate(high.year, high.month, high.day))
        shown = self._calendar_day()
        if shown is not None:
            calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        calendar.activated.connect(self._picked)
        calendar.clicked.connect(self._picked)
        self.popup.adjustSize()
        self.popup.move(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        self.popup.show()
        calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, chosen: QDate) -> None:
        self._pick(date(chosen.year(), chosen.month(), chosen.day()))
        if self.popup is not None:
            self.popup.close()
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)


class DateEntry(_Entry[date]):
    """A typed date, read day first and said back in words. `date()` is None when empty or not a date.

    `today` (UK date, from the app's clock) gives "today" and two-digit years their meaning; `past_only`
    refuses a date after it. `earliest`/`latest` bound the date. `required` makes an empty box a problem."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        accessible_name: str = "",
        value: date | None = None,
        required: bool = False,
        today: date | None = None,
        past_only: bool = False,
        earliest: date | None = None,
        latest: date | None = None,
        calendar: bool = True,
        placeholder: str = "",
    ) -> None:
        self.today, self.past_only, self.earliest, self.latest = today, past_only, earliest, latest
        super().__init__(
            parent,
            accessible_name=accessible_name,
            placeholder=placeholder or f"e.g. {DATE_EXAMPLE}",
            required=required,
            calendar=calendar,
        )
        self.set_date(value)

    def date(self) -> date | None:
        return self._value if not self._problem else None

    def set_date(self, value: date | None) -> None:
        self.edit.setText("" if value is None else self._format(value))

    def checked_date(self, field: str = "") -> date | None:
        """The date, or None when empty and optional; ValidationError(problem, field=field) otherwise."""
        self._raise_if_invalid(field)
        return self.date()

    def _parse(self, text: str) -> date:
        return parse_uk_date(
            text, today=self.today, past_only=self.past_only, earliest=self.earliest, latest=self.latest
        )

    def _format(self, value: date) -> str:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"

    def _say(self, value: date) -> str:
        return long_date(value)

    def _empty_problem(self) -> str:
        return self.tr("Enter the date, e.g. %s.") % DATE_EXAMPLE

    def _calendar_day(self) -> date | None:
        return self.date() or self.today

    def _calendar_limits(self) -> tuple[date | None, date | None]:
        high = min(d for d in (self.latest, self.today if self.past_only else None, date(9999, 12, 31)) if d)
        return self.earliest or date(1900, 1, 1), high

    def _pick(self, day: date) -> None:
        self.set_date(day)


class DateTimeEntry(_Entry[datetime]):
    """A typed date and time of day in UK wall-clock time. `instant()` gives it as an aware UTC datetime.

    `now` (aware, from the app's clock) gives "today" its meaning; `past_only` refuses a moment after it.
    `earliest`/`latest` are aware instants. A time the clocks skip (01:30 on the last Sunday of March) is a
    problem, not a guess."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        accessible_name: str = "",
        value: datetime | None = None,
        required: bool = False,
        now: datetime | None = None,
        past_only: bool = False,
        earliest: datetime | None = None,
        latest: datetime | None = None,
        calendar: bool = True,
        placeholder: str = "",
    ) -> None:
        self.now, self.past_only, self.earliest, self.latest = now, past_only, earliest, latest
        super().__init__(
            parent,
            accessible_name=accessible_name,
            placeholder=placeholder or f"e.g. {DATETIME_EXAMPLE}",
            required=required,
            calendar=calendar,
        )
        self.set_instant(value)

    def date_time(self) -> datetime | None:
        """The naive UK wall-clock date and time typed, or None."""
        return self._value if not self._problem else None

    def instant(self) -> datetime | None:
        wall = self.date_time()
        return None if wall is None else london_instant(wall)

    def set_instant(self, value: datetime | None) -> None:
        self.set_date_time(None if value is None else _wall(value))

    def set_date_time(self, wall: datetime | None) -> None:
        self.edit.setText("" if wall is None else self._format(wall))

    def checked_instant(self, field: str = "") -> datetime | None:
        """The instant (UTC), or None when empty and optional; ValidationError(problem, field=field) otherwise."""
        self._raise_if_invalid(field)
        return self.instant()

    def _parse(self, text: str) -> datetime:
        wall = parse_uk_datetime(
            text,
            now=_wall(self.now) if self.now else None,
            past_only=self.past_only,
            earliest=_wall(self.earliest) if self.earliest else None,
            latest=_wall(self.latest) if self.latest else None,
        )
        london_instant(wall)  # the hour the clocks skip is refused here, with its reason
        return wall

    def _format(self, value: datetime) -> str:
        return f"{numeric_date(value)} {value.hour:02d}:{value.minute:02d}"

    def _say(self, value: datetime) -> str:
        return datetime_words(value)

    def _empty_problem(self) -> str:
        return self.tr("Enter the date and time, e.g. %s.") % DATETIME_EXAMPLE

    def _calendar_day(self) -> date | None:
        wall = self.date_time()
        return wall.date() if wall else (_wall(self.now).date() if self.now else None)

    def _calendar_limits(self) -> tuple[date | None, date | None]:
        ends = [_wall(x).date() for x in (self.latest, self.now if self.past_only else None) if x]
        return (_wall(self.earliest).date() if self.earliest else date(1900, 1, 1)), min(
            ends, default=date(9999, 12, 31)
        )

    def _pick(self, day: date) -> None:
        """A picked day keeps the time already typed; without one, the box waits for the time."""
        wall = self.date_time()
        if wall is not None:
            self.set_date_time(datetime.combine(day, wall.time()))
        else:
            self.edit.setText(f"{day.day:02d}/{day.month:02d}/{day.year} ")
            self.edit.setCursorPosition(len(self.edit.text()))


def _wall(instant: datetime) -> datetime:
    """An aware instant as naive UK wall-clock time."""
    return london(instant.astimezone(UTC)).replace(tzinfo=None)
