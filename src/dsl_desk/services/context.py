"""What every service call needs: the open store, the clock, the policy packs and who is acting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dsl_desk.core.clock import Clock
from dsl_desk.core.i18n import _
from dsl_desk.services.errors import ServiceError

if TYPE_CHECKING:  # names only: importing the store (SQLAlchemy) here put it on the way to the unlock screen
    from dsl_desk.core.policy import PolicyPack
    from dsl_desk.store.database import Store
    from dsl_desk.store.paths import DataPaths


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    role: str


@dataclass
class AppContext:
    store: Store
    clock: Clock
    actor: Actor
    packs: Mapping[str, PolicyPack] = field(default_factory=dict)

    @property
    def paths(self) -> DataPaths:
        """The data folder's layout, for callers above the services (which never touch the store itself)."""
        return self.store.paths

    @property
    def read_only(self) -> str:
        """Why the desk was opened read-only (no room, a read-only folder) — nothing can be saved — or ""."""
        return self.store.read_only

    def pack(self, pack_id: str) -> PolicyPack:
        try:
            return self.packs[pack_id]
        except KeyError:
            raise ServiceError(
                _(
                    "The escalation policy “{pack_id}” is not installed, so this escalation cannot be worked on. "
                    "Check the policies folder (Settings › Policies) or reinstall DSL Desk."
                ).format(pack_id=pack_id)
            ) from None

    def close(self) -> None:
        if self.store.is_open:
            from dsl_desk.store.checkpoint_file import save_checkpoint

            save_checkpoint(self.store, self.clock.now())  # the trail's head, kept outside (never raises)
        self.store.close()
