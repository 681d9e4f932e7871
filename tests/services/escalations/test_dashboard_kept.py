"""The dashboard keeps what it read until the store changes (issue 17): a refresh when nothing changed reads
nothing, and any committed write — through the services, raw SQL, or another connection to the file — is
seen by the next refresh; the words and statuses still follow the clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from dsl_desk.core.escalation_rules import DueStatus
from dsl_desk.services.escalations.dashboard import list_open_cases, list_open_checklist
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.log.reading import list_open_actions
from dsl_desk.services.people.children import add_child
from dsl_desk.services.records.due import list_records_due
from dsl_desk.store.engine import make_engine
from tests.conftest import fictional_child


def _open(ctx, child_id: int) -> int:
    detail = open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency="Demo Children's Social Care",
            category=ctx.pack("st_helens").categories[0].key,
            problem="Referral closed although school believes the threshold is met.",
            outcome_sought="A strategy discussion.",
            policy_id="st_helens",
        ),
    )
    return detail.id


def _reads(ctx) -> list[str]:
    statements: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(ctx.store.engine, "before_cursor_execute", note)
    return statements


def _dashboard(ctx) -> None:
    list_open_cases(ctx)
    list_open_checklist(ctx)
    list_open_actions(ctx)
    list_records_due(ctx)


def test_a_refresh_when_nothing_changed_reads_nothing(ctx, child_id):
    _open(ctx, child_id)
    _dashboard(ctx)
    statements = _reads(ctx)
    _dashboard(ctx)
    assert statements == []


def test_a_change_through_the_services_is_on_the_next_refresh(ctx, child_id):
    first = _open(ctx, child_id)
    assert [c.escalation_id for c in list_open_cases(ctx)] == [first]
    other = add_child(ctx, fictional_child("Perpetua", "Ollerenshaw")).id
    second = _open(ctx, other)
    assert {c.escalation_id for c in list_open_cases(ctx)} == {first, second}
    assert {i.escalation_id for i in list_open_checklist(ctx)} >= {second}


def test_a_raw_write_and_a_write_by_another_connection_are_seen(ctx, child_id):
    _open(ctx, child_id)
    assert list_open_cases(ctx)[0].child == "Zephyrine Quillborough"
    with ctx.store.engine.begin() as connection:  # not through a service
        connection.exec_driver_sql("UPDATE children SET given_names = 'Araminta' WHERE id = ?", (child_id,))
    assert list_open_cases(ctx)[0].child == "Araminta Quillborough"
    elsewhere = make_engine(ctx.store.paths.database, ctx.store.db_key_copy())  # another engine on the file
    try:
        with elsewhere.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE children SET family_name = 'Brackley' WHERE id = ?", (child_id,)
            )
    finally:
        elsewhere.dispose()
    assert list_open_cases(ctx)[0].child == "Araminta Brackley"


def test_the_words_and_status_follow_the_clock_without_reading_again(ctx, clock, child_id):
    _open(ctx, child_id)  # Mon 5 Jan 09:00: stage one is due today 17:00
    before = list_open_cases(ctx)[0]
    assert before.due_status is DueStatus.DUE_TODAY
    statements = _reads(ctx)
    clock.advance(timedelta(hours=9))  # 18:00: past the deadline
    after = list_open_cases(ctx)[0]
    assert after.due_status is DueStatus.OVERDUE
    assert after.deadline_words.startswith("overdue since 17:00")
    clock.advance(timedelta(days=1))  # Tuesday: "yesterday", one more working day waited
    later = list_open_cases(ctx)[0]
    assert later.deadline_words == "overdue since 17:00 yesterday"
    assert later.waiting_working_days == after.waiting_working_days + 1
    clock.advance(timedelta(days=-1, hours=-9))  # and back: the rows are worked out for the time asked
    assert list_open_cases(ctx)[0] == before
    assert statements == []
