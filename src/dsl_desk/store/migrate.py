"""Schema migrations, applied at start-up after a copy of the database file is taken."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from dsl_desk.core.i18n import _
from dsl_desk.core.resources import migrations_dir
from dsl_desk.store.errors import DatabaseTooNew

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a migration is due (or a test asks): every start reads the database's
# revision with one SELECT and the chain of revisions from the version files' own `revision = "…"` lines, so
# the ~200 ms of importing Alembic is not paid on an up-to-date desk. tests/store/test_migrations.py checks that
# these agree with Alembic's own reading of the scripts.
_REVISION_LINE = re.compile(
    r'^(down_)?revision\s*(?::[^=]*)?=\s*(?:"([^"]*)"|\'([^\']*)\'|None)', re.MULTILINE
)

MIGRATIONS_DIR = migrations_dir()  # package data: see core/resources.py


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    copy_taken: Path | None


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def _revision_chain() -> tuple[str, ...]:
    """The revisions of migrations/versions, oldest first (the chain is linear: each has one down_revision)."""
    down_of: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found: dict[str, str | None] = {}
        for match in _REVISION_LINE.finditer(script.read_text(encoding="utf-8")):
            found["down" if match[1] else "rev"] = match[2] or match[3] or None
        if found.get("rev"):
            down_of[found["rev"]] = found.get("down")  # type: ignore[assignment]
    children = {parent: revision for revision, parent in down_of.items()}
    chain: list[str] = []
    revision = children.get(None)  # type: ignore[call-overload]
    while revision is not None:
        chain.append(revision)
        revision = children.get(revision)
    if len(chain) != len(down_of):
        raise RuntimeError(f"The migrations in {MIGRATIONS_DIR} do not form one chain: {down_of}")
    return tuple(chain)


def head_revision() -> str:
    return _revision_chain()[-1]


def known_revisions() -> set[str]:
    return set(_revision_chain())


def current_revision(engine: Engine) -> str | None:
    """The revision in alembic_version (what Alembic's MigrationContext reads), None for an empty database."""
    with engine.connect() as connection:
        try:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        except OperationalError as error:
            if "no such table" in str(error.orig).lower():
                return None
            raise
    if len(rows) > 1:
        raise RuntimeError("The database names more than one schema revision; it cannot be opened safely.")
    return rows[0][0] if rows else None


def upgrade_to_head(engine: Engine, database: Path, copies_dir: Path, now: datetime) -> MigrationReport:
    """Bring the schema to head. Refuses, touching nothing, a database made by a newer DSL Desk."""
    current = current_revision(engine)
    head = head_revision()
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(
            _(
                "The database {database} was made by a newer version of DSL Desk (schema {current}). "
                "It has not been changed. Install the newest DSL Desk to open it."
            ).format(database=database, current=current),
            path=database,
        )
    if current == head:
        return MigrationReport(current, head, None)
    copy = _copy_before_migrating(engine, database, copies_dir, current, now) if current is not None else None
    with engine.begin() as connection:
        # The sqlite3 driver opens a transaction only before INSERT/UPDATE/DELETE, so each ALTER or CREATE ran
        # on its own and a process killed mid-upgrade left columns added without the revision that adds them:
        # the next start then failed ("duplicate column name"). An explicit BEGIN puts the whole upgrade, every
        # revision and alembic's version row, into one transaction: a kill leaves the schema as it was.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        config = alembic_config()
        config.attributes["connection"] = connection
        _alembic_upgrade(config, "head")
    return MigrationReport(current, head, copy)


def _alembic_upgrade(config: Config, target: str) -> None:
    from alembic import command

    command.upgrade(config, target)


def _copy_before_migrating(
    engine: Engine, database: Path, copies_dir: Path, current: str, now: datetime
) -> Path:
    # Fold the WAL into the main file so one file copy is the whole database; the copy stays encrypted.
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    copies_dir.mkdir(parents=True, exist_ok=True)
    target = copies_dir / f"before-upgrade-{current}-{now.strftime('%Y%m%dT%H%M%SZ')}.db"
    shutil.copy2(database, target)
    return target
