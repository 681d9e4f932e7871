"""Migrations: an empty database reaches head, and the models and the migrations describe one schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from dsl_desk.store import keyring as kr
from dsl_desk.store.engine import make_engine
from dsl_desk.store.migrate import head_revision, upgrade_to_head
from dsl_desk.store.models import Base
from dsl_desk.store.search import include_object


def test_empty_encrypted_database_upgrades_to_head(tmp_path, clock):
    engine = make_engine(tmp_path / "empty.db", bytes(kr.new_database_key()))
    report = upgrade_to_head(engine, tmp_path / "empty.db", tmp_path / "copies", clock.now())
    assert report.from_revision is None
    assert report.to_revision == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_models_and_migrations_agree(tmp_path, clock):
    engine = make_engine(tmp_path / "check.db", bytes(kr.new_database_key()))
    upgrade_to_head(engine, tmp_path / "check.db", tmp_path / "copies", clock.now())
    with engine.connect() as connection:
        # The FTS5 index is made by raw SQL in 0002 and is not a model: leave it out of the comparison.
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_the_revisions_read_without_alembic_are_alembics_own(tmp_path, clock):
    """Start-up reads the revision chain from the version files and the database's revision with one SELECT
    (Alembic is imported only to migrate): both must say what Alembic itself says."""
    from alembic.script import ScriptDirectory

    from dsl_desk.store.migrate import alembic_config, current_revision, known_revisions

    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}
    engine = make_engine(tmp_path / "rev.db", bytes(kr.new_database_key()))
    assert current_revision(engine) is None  # an empty database: no alembic_version table yet
    upgrade_to_head(engine, tmp_path / "rev.db", tmp_path / "copies", clock.now())
    with engine.connect() as connection:
        assert current_revision(engine) == MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
