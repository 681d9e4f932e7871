"""The FTS5 index over the discussion log: in step with the entries, safe with any words, and migrated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from dsl_desk.store import keyring as kr
from dsl_desk.store.engine import make_engine
from dsl_desk.store.migrate import alembic_config, upgrade_to_head
from dsl_desk.store.search import SearchFilters, index_is_consistent, match_expression, search_entries

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("bruise", '"bruise"*'),
        ("Dawn  Brightwater", '"Dawn"* AND "Brightwater"*'),
        ('O\'Brien "AND" NEAR(', '"O"* AND "Brien"* AND "AND"* AND "NEAR"*'),
        ("  ?!* ", ""),
        ("Zoë خائفة", '"Zoë"* AND "خائفة"*'),
    ],
)
def test_the_users_words_become_quoted_prefix_terms_never_query_syntax(typed, expected):
    assert match_expression(typed) == expected


def _seed(session: Session) -> None:
    session.execute(
        text(
            "INSERT INTO users (id, username, display_name, role, is_active, created_at) "
            "VALUES (1, 'j', 'Jane Smith', 'DSL', 1, '2026-01-01 00:00:00')"
        )
    )
    session.execute(
        text(
            "INSERT INTO children (id, given_names, family_name, date_of_birth, address, parents_carers, "
            "child_protection_plan, looked_after, child_in_need, ehcp, continuum_of_need, created_at, "
            "created_by_id) VALUES (1, 'Zoë', 'Nguyễn', '2014-05-02', '', '', 0, 0, 0, 0, '', "
            "'2026-01-01 00:00:00', 1)"
        )
    )


def _insert_entry(session: Session, entry_id: int, summary: str, method: str = "telephone") -> None:
    session.execute(
        text(
            "INSERT INTO discussion_entries (id, child_id, stage_key, kind, occurred_at, recorded_at, author_id, "
            "method, participants, summary, decisions, shared_with, amend_reason) VALUES "
            "(:id, 1, '', 'discussion', '2026-01-05 08:00:00', '2026-01-05 09:00:00', 1, :method, '', :summary, "
            "'', '', '')"
        ),
        {"id": entry_id, "summary": summary, "method": method},
    )


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(tmp_path / "s.db", bytes(kr.new_database_key()))
    upgrade_to_head(engine, tmp_path / "s.db", tmp_path / "copies", T)
    with Session(engine) as session, session.begin():
        _seed(session)
    yield engine
    engine.dispose()


def test_new_entries_are_indexed_and_matches_are_marked(engine):
    with Session(engine) as session, session.begin():
        _insert_entry(session, 1, "Spoke to Dawn Brightwater about the bruise on Zoë's arm.")
        _insert_entry(session, 2, "Nothing of note.", method="email")
    with Session(engine) as session:
        [hit] = search_entries(session, "brigh bruise", SearchFilters())
        assert hit.entry_id == 1
        assert "\x02Brightwater\x03" in hit.snippet
        assert search_entries(session, "note", SearchFilters(method="telephone")) == []
        assert [h.entry_id for h in search_entries(session, "note", SearchFilters(method="email"))] == [2]
        assert search_entries(session, "zoe", SearchFilters())  # accents folded
        assert search_entries(session, '"', SearchFilters()) == []
        assert index_is_consistent(session)


def test_search_stops_at_the_limit(engine):
    with Session(engine) as session, session.begin():
        for number in range(1, 31):
            _insert_entry(session, number, f"meeting number {number}")
    with Session(engine) as session:
        assert len(search_entries(session, "meeting", SearchFilters(), limit=10)) == 10


def test_entries_written_before_the_index_existed_are_indexed_by_the_migration(tmp_path):
    engine = make_engine(tmp_path / "old.db", bytes(kr.new_database_key()))
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with Session(engine) as session, session.begin():
        _seed(session)
        _insert_entry(session, 1, "Written under schema 0001 about a strategy meeting")
    upgrade_to_head(engine, tmp_path / "old.db", tmp_path / "copies", T)
    with Session(engine) as session:
        assert [h.entry_id for h in search_entries(session, "strategy", SearchFilters())] == [1]
        assert index_is_consistent(session)
    engine.dispose()
