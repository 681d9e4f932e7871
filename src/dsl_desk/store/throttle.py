"""A growing wait after repeated failed unlocks, remembered across restarts of the app.

The record of failed attempts is kept in two files in the data folder (unlock-state.json and
unlock-attempts.json) and read as the larger count and the later time of the two, so deleting or damaging
either one resets no wait and loses no attempt: the next successful unlock writes them to the audit trail.
Someone who deletes or edits both files can still reset the count — nothing written before the database is
unlocked can be protected by its key — and the audit trail then shows no failed attempts.

Passphrases and the recovery key are separate doors with separate counts: mistyping a passphrase never keeps
the recovery key out. Whatever the files hold (a huge count, a time in the future, garbage), the wait is at
most five minutes and never grows without bound.
"""

from __future__ import annotations

import contextlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dsl_desk.core.i18n import _
from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import StoreError, UnlockThrottled
from dsl_desk.store.paths import DataPaths

FREE_ATTEMPTS = 3
MAX_WAIT = timedelta(minutes=5)
MAX_COUNT = 10**12  # a count beyond this is damage, not typing: it is read as this
KEPT_ATTEMPTS = 50  # the times of the most recent failed attempts kept for the audit trail
STATE_FORMAT = 2

PASSPHRASE_DOOR = "passphrase"  # noqa: S105 (a name for the door, not a secret)
RECOVERY_KEY_DOOR = "recovery key"
DOORS = (PASSPHRASE_DOOR, RECOVERY_KEY_DOOR)

# 2**9 seconds is already more than five minutes: beyond that the wait is simply the cap (no huge powers).
_DOUBLINGS_TO_CAP = math.ceil(math.log2(MAX_WAIT.total_seconds()))


def wait_after(failures: int) -> timedelta:
    """No wait for the first two mistakes, then 2, 4, 8 … seconds, at most five minutes, for any count."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    doublings = failures - FREE_ATTEMPTS + 1
    if doublings >= _DOUBLINGS_TO_CAP:
        return MAX_WAIT
    return min(timedelta(seconds=2**doublings), MAX_WAIT)


def seconds_words(seconds: int) -> str:
    return f"{seconds} second" if seconds == 1 else f"{seconds} seconds"


@dataclass(frozen=True)
class FailedAttempt:
    at: datetime
    account: str = ""


@dataclass(frozen=True)
class FailureRecord:
    failures: int = 0
    last_failure_at: datetime | None = None
    attempts: tuple[FailedAttempt, ...] = ()  # the most recent, oldest first

    def merged(self, other: FailureRecord) -> FailureRecord:
        """The larger count and the later time: losing one copy loses nothing."""
        lasts = [t for t in (self.last_failure_at, other.last_failure_at) if t is not None]
        attempts = sorted(set(self.attempts) | set(other.attempts), key=lambda a: (a.at, a.account))
        return FailureRecord(
            max(self.failures, other.failures, len(attempts)),
            max(lasts) if lasts else None,
            tuple(attempts[-KEPT_ATTEMPTS:]),
        )


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # a time at the very edge of the calendar, which only damage writes
        return None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return 0
    if value >= MAX_COUNT:
        return MAX_COUNT
    return max(0, int(value))


def _parse_record(raw: Any) -> FailureRecord:
    if not isinstance(raw, dict):
        return FailureRecord()
    attempts: list[FailedAttempt] = []
    listed = raw.get("attempts")
    for item in listed[-KEPT_ATTEMPTS:] if isinstance(listed, list) else ():
        at = _aware(item.get("at")) if isinstance(item, dict) else None
        if at is not None:
            account = item.get("account")
            attempts.append(FailedAttempt(at, account if isinstance(account, str) else ""))
    last = _aware(raw.get("last_failure_at"))
    if last is None and attempts:
        last = max(attempt.at for attempt in attempts)
    return FailureRecord(_count(raw.get("failures")), last, tuple(attempts))


def _parse_file(path: Path) -> dict[str, FailureRecord]:
    """Every door's record in one file; a missing, unreadable or nonsensical file holds none."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeError, RecursionError):
        return {}
    if not isinstance(raw, dict):
        return {}
    if "doors" not in raw:  # the first format: one count, for passphrases
        return {PASSPHRASE_DOOR: _parse_record(raw)}
    doors = raw["doors"] if isinstance(raw["doors"], dict) else {}
    return {door: _parse_record(doors.get(door)) for door in DOORS}


def _record_json(record: FailureRecord) -> dict[str, Any]:
    return {
        "failures": record.failures,
        "last_failure_at": record.last_failure_at.isoformat() if record.last_failure_at else None,
        "attempts": [{"at": a.at.isoformat(), "account": a.account} for a in record.attempts],
    }


@dataclass(frozen=True)
class UnlockThrottle:
    """One door's failed attempts, read from and written to both copies."""

    files: tuple[Path, ...]
    door: str = PASSPHRASE_DOOR

    @classmethod
    def for_data(cls, paths: DataPaths, door: str = PASSPHRASE_DOOR) -> UnlockThrottle:
        return cls((paths.unlock_state, paths.unlock_state_copy), door)

    def _all_doors(self) -> dict[str, FailureRecord]:
        result: dict[str, FailureRecord] = {}
        for path in self.files:
            for door, record in _parse_file(path).items():
                result[door] = result.get(door, FailureRecord()).merged(record)
        return result

    def record(self) -> FailureRecord:
        return self._all_doors().get(self.door, FailureRecord())

    def failures(self) -> int:
        return self.record().failures

    def remaining(self, now: datetime) -> timedelta:
        """How long until the next attempt is allowed: never more than the wait the count calls for."""
        record = self.record()
        if record.last_failure_at is None:
            return timedelta(0)
        wait = wait_after(record.failures)
        if record.last_failure_at > now:
            # A time in the future (a clock put back, or a damaged file): count the wait from now, and write
            # now down, so the wait ends instead of being counted from a moment that never comes.
            self._write({**self._all_doors(), self.door: _with_last(record, now)})
            return wait
        return max(wait - (now - record.last_failure_at), timedelta(0))

    def check(self, now: datetime) -> None:
        remaining = self.remaining(now)
        if remaining > timedelta(0):
            seconds = max(1, math.ceil(remaining.total_seconds()))
            raise UnlockThrottled(
                _("Too many wrong attempts. Please wait {seconds_words} before trying again.").format(
                    seconds_words=seconds_words(seconds)
                ),
                wait_seconds=seconds,
            )

    def record_failure(self, now: datetime, account: str = "") -> timedelta:
        doors = self._all_doors()
        before = doors.get(self.door, FailureRecord())
        attempts = (*before.attempts, FailedAttempt(now, account))[-KEPT_ATTEMPTS:]
        after = FailureRecord(min(before.failures + 1, MAX_COUNT), now, attempts)
        self._write({**doors, self.door: after})
        return wait_after(after.failures)

    def reset_all(self) -> None:
        """After a successful unlock (once its audit record is written): every door starts again."""
        for path in self.files:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def _write(self, doors: dict[str, FailureRecord]) -> None:
        payload = {
            "format": STATE_FORMAT,
            "doors": {door: _record_json(record) for door, record in doors.items() if record.failures},
        }
        data = json.dumps(payload, indent=1).encode("utf-8")
        for path in self.files:
            # Best effort for each copy: a read-only or full disk must not turn a wrong passphrase into a crash.
            with contextlib.suppress(OSError, StoreError):
                write_atomically(path, data)


def _with_last(record: FailureRecord, now: datetime) -> FailureRecord:
    return FailureRecord(record.failures, now, record.attempts)


def all_failed_attempts(paths: DataPaths) -> dict[str, FailureRecord]:
    """Every door with failed attempts, for the audit record written at the next successful unlock."""
    doors = UnlockThrottle.for_data(paths)._all_doors()
    return {door: record for door, record in doors.items() if record.failures}
