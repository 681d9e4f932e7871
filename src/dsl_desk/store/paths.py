"""Where DSL Desk keeps its files. Only the data dir is ever written to, unless the user asks otherwise."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from dsl_desk.core.i18n import _
from dsl_desk.store.errors import DataDirNotWritable

DATA_DIR_ENV = "DSL_DESK_DATA_DIR"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "dsl-desk.db"

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
    def drafts(self) -> Path:
        return self.root / "drafts"

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
    def setup_staging(self) -> Path:
        """Set-up builds the database and key file here, then moves them into place. While this folder exists
        the set-up has not finished, and whatever dsl-desk.db or keyring.json is beside it was made by it."""
        return self.root / ".setup-in-progress"

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


def resolve_data_dir(cli_value: str | None = None) -> DataPaths:
    """`--data-dir` wins, then $DSL_DESK_DATA_DIR, then the platform's user data dir."""
    chosen = cli_value or os.environ.get(DATA_DIR_ENV) or user_data_dir("DSL Desk", "DSL Desk", roaming=False)
    return DataPaths(Path(chosen).expanduser().resolve())


def ensure_writable(paths: DataPaths) -> None:
    """Create the data dir if needed and prove we can write in it (os.access lies for root and on shares)."""
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=paths.root, prefix=".write-test-"):
            pass
    except OSError as error:
        raise DataDirNotWritable(
            _(
                "DSL Desk cannot write to its data folder {root} ({value}). "
                "Choose a folder you can write to with --data-dir, or ask your IT support to fix its permissions."
            ).format(root=paths.root, value=error.strerror or error),
            path=paths.root,
        ) from error
