"""What every service call needs: the open store, the clock, the policy packs and who is acting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dsl_desk.core.clock import Clock
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.errors import ServiceError
from dsl_desk.store.database import Store


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
