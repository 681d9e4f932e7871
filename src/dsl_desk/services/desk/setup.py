"""First-run set-up and signing in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select

from dsl_desk.core.clock import Clock
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.audit import trail as audit
from dsl_desk.services.context import Actor, AppContext
from dsl_desk.services.errors import ValidationError
from dsl_desk.services.scratch import Emptied, empty_scratch
from dsl_desk.store import database
from dsl_desk.store.checkpoint_file import save_checkpoint
from dsl_desk.store.errors import StoreError
from dsl_desk.store.keyring import KdfParams
from dsl_desk.store.models import Organisation, User
from dsl_desk.store.paths import DataPaths
from dsl_desk.store.throttle import FailureRecord, UnlockThrottle, all_failed_attempts

MIN_PASSPHRASE_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
NATIONS = ("england", "wales", "scotland", "northern_ireland")


@dataclass(frozen=True)
class OrganisationProfile:
    name: str
    agency_type: str
    partnership_id: str
    nation: str
    cutoff: time = time(17, 0)
    working_day_start: time = time(8, 0)
    working_day_end: time = time(17, 0)
    idle_lock_minutes: int = 10
    is_demo: bool = False


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: str
    passphrase: str = field(repr=False)
    signature_png: bytes | None = None


MAX_NAME_LENGTH = 200  # the organisation's and the user's name columns
MAX_AGENCY_TYPE_LENGTH = 60
MAX_ROLE_LENGTH = 120
MAX_PASSPHRASE_LENGTH = 1024


def text_problem(value: str, what: str, limit: int, *, multiline: bool = False) -> str:
    """'' when `value` is text that can be stored and printed; else what is wrong, in plain words.

    Catches what a command line or a paste can bring: bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which the database refuses), control characters, and text longer than its column.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _(
            "The {what} contains characters that are not valid text (perhaps typed in another encoding). "
            "Type it again."
        ).format(what=what)
    allowed = "\n\t" if multiline else ""
    if any((ord(ch) < 32 or 127 <= ord(ch) < 160) and ch not in allowed for ch in value):
        return _(
            "The {what} contains a control character (such as a tab or a line break). Remove it."
        ).format(what=what)
    if len(value) > limit:
        return _("The {what} is {length} characters long; it can be at most {limit}.").format(
            what=what, length=len(value), limit=limit
        )
    return ""


def _check_text(value: str, what: str, limit: int, field: str) -> None:
    problem = text_problem(value, what, limit)
    if problem:
        raise ValidationError(problem, field=field)


def validate_profile(profile: OrganisationProfile, known_partnerships: set[str]) -> None:
    _check_text(profile.name, "organisation's name", MAX_NAME_LENGTH, "name")
    _check_text(profile.agency_type, _("kind of agency"), MAX_AGENCY_TYPE_LENGTH, "agency_type")
    if not profile.name.strip():
        raise ValidationError(_("Enter the name of your organisation."), field="name")
    if not profile.agency_type.strip():
        raise ValidationError(
            _("Choose what kind of agency you are (for example, a school)."), field="agency_type"
        )
    if profile.partnership_id not in known_partnerships:
        raise ValidationError(
            _("Choose your local safeguarding partnership from the list."), field="partnership_id"
        )
    if profile.nation not in NATIONS:
        raise ValidationError(_("Choose the UK nation whose bank holidays you follow."), field="nation")
    if not (profile.working_day_start < profile.cutoff <= profile.working_day_end):
        raise ValidationError(
            _("The daily cut-off must fall within the working day (after it starts, no later than it ends)."),
            field="cutoff",
        )


def validate_new_user(user: NewUser) -> None:
    _check_text(user.username, "user name", 60, "username")
    _check_text(user.display_name, "full name", MAX_NAME_LENGTH, "display_name")
    _check_text(user.role, "role", MAX_ROLE_LENGTH, "role")
    try:
        user.passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _(
                "The passphrase contains characters that are not valid text (perhaps typed in another encoding). "
                "Choose it again."
            ),
            field="passphrase",
        ) from None
    if len(user.passphrase) > MAX_PASSPHRASE_LENGTH:
        raise ValidationError(
            _("A passphrase can be at most {MAX_PASSPHRASE_LENGTH} characters.").format(
                MAX_PASSPHRASE_LENGTH=MAX_PASSPHRASE_LENGTH
            ),
            field="passphrase",
        )
    if not USERNAME_PATTERN.match(user.username):
        raise ValidationError(
            _(
                "A user name is 2–60 lower-case letters, digits, dots, dashes or underscores (for example j.smith)."
            ),
            field="username",
        )
    if not user.display_name.strip():
        raise ValidationError(
            _("Enter your full name as it should appear on signed forms."), field="display_name"
        )
    if not user.role.strip():
        raise ValidationError(_("Enter your role (for example, Designated Safeguarding Lead)."), field="role")
    problem = passphrase_problem(user.passphrase)
    if problem:
        raise ValidationError(problem, field="passphrase")


def passphrase_problem(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return _(
            "Use a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters — three or four unrelated words "
            "are easy to remember and hard to guess."
        ).format(MIN_PASSPHRASE_LENGTH=MIN_PASSPHRASE_LENGTH)
    if len(set(passphrase)) < 5:
        return _("That passphrase repeats the same few characters. Choose something less predictable.")
    return ""


def initialise(
    paths: DataPaths,
    profile: OrganisationProfile,
    first_user: NewUser,
    *,
    clock: Clock,
    packs: Mapping[str, PolicyPack],
    kdf: KdfParams | None = None,
) -> tuple[AppContext, str]:
    """Create the encrypted database, the organisation and its first user. Returns the recovery key once."""
    validate_profile(profile, set(packs))
    validate_new_user(first_user)
    if paths.setup_unfinished():
        # Killed or failed part-way last time: what it made goes (an older keyless database is kept aside).
        database.clear_unfinished_setup(paths)
    now = clock.now()
    made: list[Actor] = []

    def populate(store: database.Store) -> None:
        # In the staging folder: if any of this fails, nothing is left behind and set-up can run again.
        with store.session() as session:
            session.add(
                Organisation(
                    name=profile.name.strip(),
                    agency_type=profile.agency_type.strip(),
                    partnership_id=profile.partnership_id,
                    nation=profile.nation,
                    cutoff=profile.cutoff,
                    working_day_start=profile.working_day_start,
                    working_day_end=profile.working_day_end,
                    idle_lock_minutes=profile.idle_lock_minutes,
                    is_demo=profile.is_demo,
                    created_at=now,
                )
            )
            user = User(
                username=first_user.username,
                display_name=first_user.display_name.strip(),
                role=first_user.role.strip(),
                signature_png=first_user.signature_png,
                created_at=now,
            )
            session.add(user)
            session.flush()
            audit.record(
                session,
                at=now,
                user_id=user.id,
                action="setup",
                entity="organisation",
                detail={"organisation": profile.name, "partnership": profile.partnership_id},
            )
            made.append(Actor(user.id, user.username, user.display_name, user.role))
        save_checkpoint(store, now)  # into the staged keyring.json, so it moves into place with it

    store, recovery_key = database.create_database(
        paths,
        first_user.username,
        first_user.display_name,
        first_user.passphrase,
        now=now,
        kdf=kdf or KdfParams(),
        populate=populate,
    )
    return AppContext(store, clock, made[0], packs), recovery_key


def sign_in(
    paths: DataPaths,
    username: str,
    passphrase: str,
    *,
    clock: Clock,
    packs: Mapping[str, PolicyPack] | None = None,
) -> AppContext:
    store = database.unlock(paths, username, passphrase, now=clock.now())
    return _after_unlock(store, username, clock, method="passphrase", packs=packs or {})


def sign_in_with_recovery_key(
    paths: DataPaths,
    username: str,
    recovery_key: str,
    *,
    clock: Clock,
    packs: Mapping[str, PolicyPack] | None = None,
) -> AppContext:
    store = database.unlock_with_recovery(paths, recovery_key, now=clock.now())
    return _after_unlock(store, username, clock, method="recovery key", packs=packs or {})


def _after_unlock(
    store: database.Store,
    username: str,
    clock: Clock,
    *,
    method: str,
    packs: Mapping[str, PolicyPack],
) -> AppContext:
    failed = all_failed_attempts(store.paths)
    try:
        with store.session() as session:
            user = session.scalars(
                select(User).where(User.username == username, User.is_active)
            ).one_or_none()
            if user is None:
                raise ValidationError(
                    _("There is no active account called “{username}” on this database.").format(
                        username=username
                    )
                )
            now = clock.now()
            for door, record in failed.items():
                # Failed attempts cannot be written while the database is locked; they are recorded here.
                audit.record(
                    session,
                    at=now,
                    user_id=None,
                    action="unlock_failed",
                    entity="user",
                    entity_id=user.id,
                    detail=_failed_detail(door, record),
                )
            audit.record(
                session,
                at=now,
                user_id=user.id,
                action="unlock",
                entity="user",
                entity_id=user.id,
                # Whether keyring.json held the trail's checkpoint: one that goes missing shows in the trail.
                detail={"method": method, "checkpoint": store.keyring.checkpoint is not None},
            )
            actor = Actor(user.id, user.username, user.display_name, user.role)
    except BaseException:
        store.close()
        raise
    if store.read_only:
        # Nothing was written to the audit trail (the banner says so): the failed attempts stay on record.
        return AppContext(store, clock, actor, packs)
    # Only now that the audit trail holds them may the records of failed attempts go (both copies).
    UnlockThrottle.for_data(store.paths).reset_all()
    # Moved on only if the trail still holds what the last checkpoint covered: a trail cut short or re-written
    # while the desk was shut leaves the old checkpoint in place, for `audit verify` to report.
    save_checkpoint(store, now)
    return AppContext(store, clock, actor, packs)


def _failed_detail(door: str, record: FailureRecord) -> dict[str, object]:
    detail: dict[str, object] = {
        "failed_attempts": record.failures,
        "with": door,
        "attempts": [
            {"at": attempt.at.isoformat(), **({"account": attempt.account} if attempt.account else {})}
            for attempt in record.attempts
        ],
    }
    if record.failures > len(record.attempts):
        detail["times_not_kept"] = record.failures - len(record.attempts)
    return detail


def lock(context: AppContext) -> Emptied:
    """Record the lock, drop the key and empty the private temporary folder (attachment copies opened in a
    viewer, email drafts). The key is dropped and the folder emptied even if the record cannot be written (a
    damaged or full database): locking must never fail. Says what could not be removed (a file a viewer holds
    open on Windows)."""
    try:
        with context.store.session() as session:
            audit.record(session, at=context.clock.now(), user_id=context.actor.user_id, action="lock")
    except StoreError:
        pass
    finally:
        try:
            context.close()
        finally:
            emptied = empty_scratch(context.store.paths)
    return emptied
