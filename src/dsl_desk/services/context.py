"""What every service call needs: the open store, the clock, the policy packs and who is acting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dsl_desk.core.clock import Clock
from dsl_desk.core.policy import PolicyPack
from dsl_desk.store.database import Store


class ServiceError(Exception):
    """A request the rules refuse. `str(error)` is a plain-English message for the user."""


class ValidationError(ServiceError):
    """Input a user must correct. `field` names the form field when there is one."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


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
                f"The escalation policy “{pack_id}” is not installed, so this escalation cannot be worked on. "
                "Check the policies folder (Settings › Policies) or reinstall DSL Desk."
            ) from None

    def close(self) -> None:
        if self.store.is_open:
            from dsl_desk.services.audit.verify import save_checkpoint  # it needs this module

            save_checkpoint(self.store, self.clock.now())  # the trail's head, kept outside (never raises)
        self.store.close()
