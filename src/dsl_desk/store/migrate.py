"""Schema migrations, applied at start-up after a copy of the database file is taken."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from dsl_desk.core.i18n import _
from dsl_desk.store.errors import DatabaseTooNew

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    copy_taken: Path | None


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


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
        command.upgrade(config, "head")
    return MigrationReport(current, head, copy)


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
