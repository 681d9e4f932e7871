"""A database made by each earlier schema version opens with today's code, and every record is still there.

The fixtures (tests/fixtures/schema-000N.db) are made by tests/fixtures/make_fixtures.py; each is signed into
with today's sign_in, which upgrades it to head, and read back through today's services.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from dsl_desk.core.clock import FixedClock
from dsl_desk.services.audit.verify import verify_audit_trail
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.learning.practice_alerts import list_alerts
from dsl_desk.services.log.reading import list_entries, list_open_actions
from dsl_desk.services.log.search import search_log
from dsl_desk.services.people.children import list_children
from dsl_desk.services.records.retention_holds import list_holds
from dsl_desk.services.records.subject_access import get_request, list_requests
from dsl_desk.services.records.transfers import list_transfers
from dsl_desk.store import keyring as kr
from dsl_desk.store.migrate import head_revision
from dsl_desk.store.models import LessonFollowUp, PartnershipContactEdit
from dsl_desk.store.paths import DataPaths
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.fixtures import make_fixtures as fx

MAX_FIXTURE_BYTES = 280 * 1024  # one 4 KiB SQLCipher page per table and index: 0007 has 59 of them


@pytest.fixture(params=fx.REVISIONS)
def old_desk(request, tmp_path, packs):
    revision = request.param
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    shutil.copyfile(fx.fixture_path(revision), paths.database)
    keyring, _recovery = kr.create_keyring(
        fx.fixture_key(), fx.USERNAME, "Wren Ashcombe", PASSPHRASE, FAST_KDF
    )
    kr.save_keyring(paths.keyring, keyring)
    clock = FixedClock(datetime(2025, 3, 4, 9, 0, tzinfo=UTC))
    ctx = sign_in(paths, fx.USERNAME, PASSPHRASE, clock=clock, packs=packs)
    yield revision, ctx
    ctx.close()


def test_every_fixture_is_a_small_encrypted_file():
    for revision in fx.REVISIONS:
        data = fx.fixture_path(revision).read_bytes()
        assert not data.startswith(b"SQLite format 3"), f"{revision} is not encrypted"
        assert len(data) <= MAX_FIXTURE_BYTES, (revision, len(data))


def test_there_is_a_fixture_for_every_schema_version_before_head():
    assert fx.REVISIONS[-1] == head_revision(), "add the new revision to make_fixtures.REVISIONS and rebuild"


def test_an_old_database_upgrades_and_keeps_its_children_case_and_log(old_desk):
    revision, ctx = old_desk
    assert ctx.store.migration is not None and ctx.store.migration.from_revision == revision
    assert ctx.store.migration.to_revision == head_revision()

    names = {row.name for row in list_children(ctx)}
    assert names == {f"{given} {family}" for given, family, _born in fx.CHILDREN}
    escalation = get_escalation(ctx, 1)
    assert escalation.reference == fx.ESCALATION_REFERENCE

    entries = list_entries(ctx, 1)
    summaries = [entry.summary for entry in entries]
    assert sorted(summaries) == sorted([*fx.ENTRY_SUMMARIES, fx.CORRECTION_SUMMARY])
    correction = next(e for e in entries if e.summary == fx.CORRECTION_SUMMARY)
    assert correction.amends_id == 2  # the correction still points at the entry it corrects
    assert [a.description for a in list_open_actions(ctx)] == [fx.ACTION_DESCRIPTION]
    # The search index of 0002 is built from entries written before it existed.
    hits = search_log(ctx, "strategy discussion").hits
    assert {hit.entry_id for hit in hits} == {2, 3}
    assert verify_audit_trail(ctx).intact


def test_records_added_by_later_versions_survive_the_upgrade(old_desk):
    revision, ctx = old_desk
    with ctx.store.session() as session:
        follow_ups = [row.notes for row in session.scalars(select(LessonFollowUp))]
        edits = [row.name for row in session.scalars(select(PartnershipContactEdit))]
    assert follow_ups == ([fx.LESSON_NOTES] if revision >= "0003" else [])
    assert [alert.reference for alert in list_alerts(ctx)] == (
        [fx.ALERT_REFERENCE] if revision >= "0003" else []
    )
    assert edits == ([fx.CONTACT_EDIT_NAME] if revision >= "0004" else [])
    if revision < "0005":
        assert list_transfers(ctx) == [] and list_holds(ctx) == [] and list_requests(ctx) == []
        return
    assert [t.other_school for t in list_transfers(ctx)] == [fx.TRANSFER_SCHOOL]
    assert [h.reason for h in list_holds(ctx)] == [fx.HOLD_REASON]
    requests = list_requests(ctx)
    assert [r.child_id for r in requests] == [1]
    assert [d.term for d in get_request(ctx, requests[0].id).terms] == [fx.SAR_TERM]


def test_deadline_records_survive_and_older_escalations_run_from_when_they_were_recorded(old_desk):
    """0006 recorded when a disagreement arose and immediate risk raised later; before it, the time the DSL
    recorded the escalation is all there is, so deadlines run from that."""
    from datetime import UTC, datetime

    revision, ctx = old_desk
    escalation = get_escalation(ctx, 1)
    if revision < "0006":
        assert escalation.arose_at == escalation.opened_at
        assert escalation.risk_changes == () and not escalation.immediate_risk
        return
    assert escalation.arose_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert [c.reason for c in escalation.risk_changes] == [fx.RISK_REASON]
    assert escalation.immediate_risk


def test_an_upgrade_that_fails_part_way_leaves_the_schema_as_it_was(tmp_path, packs, monkeypatch):
    """Found by the kill suite: each ALTER ran on its own, so an upgrade stopped between revisions left
    columns without their revision and the next start failed with "duplicate column name"."""
    from alembic import command
    from sqlalchemy import inspect

    from dsl_desk.store import migrate
    from dsl_desk.store.engine import make_engine
    from dsl_desk.store.migrate import current_revision, upgrade_to_head

    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    shutil.copyfile(fx.fixture_path("0001"), paths.database)

    def part_way_then_fail(config, _target: str) -> None:
        command.upgrade(config, "0003")  # two revisions' DDL done, as far as a killed process gets
        raise RuntimeError("the power went")

    upgrade = migrate._alembic_upgrade
    monkeypatch.setattr(migrate, "_alembic_upgrade", part_way_then_fail)
    engine = make_engine(paths.database, fx.fixture_key())
    now = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError, match="power"):
        upgrade_to_head(engine, paths.database, paths.root / "copies", now)
    assert current_revision(engine) == "0001"
    columns = {c["name"] for c in inspect(engine).get_columns("discussion_entries")}
    assert "child_views" not in columns  # 0002's column went with the failed upgrade
    monkeypatch.setattr(migrate, "_alembic_upgrade", upgrade)
    assert upgrade_to_head(engine, paths.database, paths.root / "copies", now).to_revision == head_revision()
    engine.dispose()
