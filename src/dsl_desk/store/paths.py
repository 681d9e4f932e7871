"""Where DSL Desk keeps its files. Only the data dir is ever written to, unless the user asks otherwise.

`DataPaths` names every file and folder DSL Desk writes in the data folder, and `DataPaths.settings` reads and
writes the settings kept there (store/settings.py). Code that writes in the data folder takes its path from
here, never from `root / "..."`: `name_of` says which name a path has, and a test checks that a desk that was
set up, used and closed holds nothing else.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from dsl_desk.core.i18n import _
from dsl_desk.store.errors import DataDirNotWritable
from dsl_desk.store.readonly import WRITE_PROBE_PREFIX
from dsl_desk.store.settings import DeskSettings

DATA_DIR_ENV = "DSL_DESK_DATA_DIR"
# SQLite's files beside the database: the write-ahead log, its index, and the rollback journal (made only while
# a new database is switched to WAL).
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")
# Files that exist for a moment only: the free-space probe (store/readonly.py), the can-we-write test
# (ensure_writable) and the half-written copy store/atomic.py replaces a file with (".<name>.<random>.tmp").
WRITE_TEST_PREFIX = ".write-test-"
TRANSIENT_PREFIXES = (WRITE_PROBE_PREFIX, WRITE_TEST_PREFIX)


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "dsl-desk.db"

    @property
    def database_companions(self) -> tuple[Path, ...]:
        return tuple(Path(f"{self.database}{suffix}") for suffix in DATABASE_COMPANIONS)

    @property
    def keyring(self) -> Path:
        return self.root / "keyring.json"

    @property
    def unlock_state(self) -> Path:
        return self.root / "unlock-state.json"

    @property
    def unlock_state_copy(self) -> Path:
        """A second record of failed unlocks: deleting either file alone resets no wait (store/throttle.py)."""
        return self.root / "unlock-attempts.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "dsl-desk.lock"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def policies(self) -> Path:
        """Extra policy packs a user adds for their own partnership."""
        return self.root / "policies"

    @property
    def private_temp(self) -> Path:
        """The one folder for files handed to other programs (an attachment opened in a viewer, an email draft
        for the mail program, a print spool): owner-only, emptied at every lock, on quit and at the next start
        after a crash (store/private_temp.py)."""
        return self.root / "private-temp"

    @property
    def known_certificates(self) -> Path:
        """Fingerprints of the signing certificates this desk knows: readable without the passphrase."""
        return self.root / "known-certificates.json"

    @property
    def backup_settings(self) -> Path:
        """The second backup folder and how many days to keep: readable before the database is unlocked."""
        return self.root / "backup-settings.json"

    @property
    def window_state(self) -> Path:
        """Where the window was, the splitters' sizes and the folders last chosen."""
        return self.root / "window-state.json"

    @property
    def settings(self) -> DeskSettings:
        """The settings files of this data folder, read and written as typed values (store/settings.py)."""
        return DeskSettings(self.backup_settings, self.window_state)

    @property
    def crash_reports(self) -> Path:
        """Crash reports for whoever supports the school: no children's data in them (crash.py)."""
        return self.root / "crash-reports"

    def setup_aside(self, stamp: str, suffix: str = "") -> Path:
        """Where an older version's keyless database (`suffix` "-wal": its log) is renamed aside, never deleted,
        before the set-up runs again (store/database.py)."""
        return self.root / f"unfinished-setup-{stamp}.db{suffix}"

    @property
    def setup_staging(self) -> Path:
        """Set-up builds the database and key file here, then moves them into place. While this folder exists
        the set-up has not finished, and whatever dsl-desk.db or keyring.json is beside it was made by it."""
        return self.root / ".setup-in-progress"

    def name_of(self, path: Path) -> str | None:
        """Which name of this data folder `path` has (a file, or anything in a named folder), or None.

        Anything transient (see TRANSIENT_PREFIXES) is "transient": it is removed by the code that made it.
        """
        try:
            relative = Path(path).relative_to(self.root)
        except ValueError:
            return None
        if not relative.parts:
            return "root"
        top = self.root / relative.parts[0]
        folder = self._named(FOLDERS).get(top)
        if folder or len(relative.parts) > 1:
            return folder
        return self._named(FILES).get(top) or _other_name(top.name, self)

    def _named(self, names: tuple[str, ...]) -> dict[Path, str]:
        return {getattr(self, name): name for name in names}

    def exists(self) -> bool:
        return self.database.exists() or self.keyring.exists()

    def setup_unfinished(self) -> bool:
        """A set-up that was killed or failed part-way: offer it again instead of a dead end.

        Either our staging folder is still there, or (from an older version) a database has no key file and
        was never backed up — a database that was ever used has a backup with its key file beside it, and
        then the key file is to be restored, not the set-up run again.
        """
        if self.setup_staging.exists():
            return True
        if not self.database.exists() or self.keyring.exists():
            return False
        try:
            return not any(self.backups.glob("*.keyring.json"))
        except OSError:
            return False


# The names `name_of` knows, as DataPaths' own property names.
FILES = (
    "database",
    "keyring",
    "unlock_state",
    "unlock_state_copy",
    "lock_file",
    "known_certificates",
    "backup_settings",
    "window_state",
)
FOLDERS = ("backups", "policies", "private_temp", "crash_reports", "setup_staging")


def _other_name(leaf: str, paths: DataPaths) -> str | None:
    if leaf in {companion.name for companion in paths.database_companions}:
        return "database_companions"
    if leaf.startswith("unfinished-setup-") and leaf.endswith((".db", ".db-wal")):
        return "setup_aside"
    if leaf.startswith(TRANSIENT_PREFIXES):
        return "transient"
    if leaf.startswith(".") and leaf.endswith(".tmp"):
        written = leaf[1:].rsplit(".", 2)[0]  # ".keyring.json.ab12cd.tmp" -> "keyring.json"
        if written in {getattr(paths, name).name for name in FILES}:
            return "transient"
    return None


def resolve_data_dir(cli_value: str | None = None) -> DataPaths:
    """`--data-dir` wins, then $DSL_DESK_DATA_DIR, then the platform's user data dir."""
    chosen = cli_value or os.environ.get(DATA_DIR_ENV) or user_data_dir("DSL Desk", "DSL Desk", roaming=False)
    return DataPaths(Path(chosen).expanduser().resolve())


def ensure_writable(paths: DataPaths) -> None:
    """Create the data dir if needed and prove we can write in it (os.access lies for root and on shares)."""
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=paths.root, prefix=WRITE_TEST_PREFIX):
            pass
    except OSError as error:
        raise DataDirNotWritable(
            _(
                "DSL Desk cannot write to its data folder {root} ({value}). "
                "Choose a folder you can write to with --data-dir, or ask your IT support to fix its permissions."
            ).format(root=paths.root, value=error.strerror or error),
            path=paths.root,
        ) from error
