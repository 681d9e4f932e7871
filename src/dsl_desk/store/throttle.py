"""A growing wait after repeated failed unlocks, remembered across restarts of the app."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dsl_desk.store.atomic import write_atomically
from dsl_desk.store.errors import UnlockThrottled

FREE_ATTEMPTS = 3
MAX_WAIT = timedelta(minutes=5)


def wait_after(failures: int) -> timedelta:
    """No wait for the first three mistakes, then 2, 4, 8 … seconds, at most five minutes."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_ATTEMPTS + 1)), MAX_WAIT)


@dataclass(frozen=True)
class UnlockThrottle:
    path: Path

    def _read(self) -> tuple[int, datetime | None]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            last = datetime.fromisoformat(raw["last_failure_at"]) if raw.get("last_failure_at") else None
            return int(raw.get("failures", 0)), last
        except (OSError, ValueError, KeyError, TypeError):
            return 0, None  # a missing or unreadable state file only means no wait

    def check(self, now: datetime) -> None:
        failures, last = self._read()
        if last is None:
            return
        remaining = last + wait_after(failures) - now
        if remaining > timedelta(0):
            seconds = math.ceil(remaining.total_seconds())
            raise UnlockThrottled(
                f"Too many wrong attempts. Please wait {seconds} seconds before trying again.",
                wait_seconds=seconds,
            )

    def failures(self) -> int:
        return self._read()[0]

    def record_failure(self, now: datetime) -> timedelta:
        failures = self._read()[0] + 1
        payload = {"failures": failures, "last_failure_at": now.isoformat()}
        write_atomically(self.path, json.dumps(payload).encode())
        return wait_after(failures)

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)
