"""performance indexes: the open work, read without the years of closed records (issue 17)

Revision ID: 0008
Revises: 0007

Only CREATE INDEX: no table or row changes. Partial indexes hold the open escalations, the stage each open
escalation is at (the one not yet left) and the checklist items not yet done, with the columns the dashboard
shows, so its query reads a few index pages whatever the size of the history (the column of the condition is
in each index too: SQLite reads a partial index alone only when it holds every column the query names); a
narrow index of children's names serves the lists that show a child's name beside other records.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Written out in full, not built from the models: a migration must keep doing exactly what it did.
_INDEXES = (
    (
        "ix_escalations_open",
        "CREATE INDEX ix_escalations_open ON escalations "
        "(opened_at, reference, child_id, policy_id, immediate_risk, other_agency_id) WHERE status = 'open'",
    ),
    (
        "ix_stages_current",
        "CREATE INDEX ix_stages_current ON escalation_stages "
        "(escalation_id, stage_key, deadline, raised_out_of_hours, contacted, entered_at, left_at) "
        "WHERE left_at IS NULL",
    ),
    (
        "ix_checklist_undone",
        "CREATE INDEX ix_checklist_undone ON checklist_items (escalation_id, due_at, done_at) WHERE done_at IS NULL",
    ),
    ("ix_children_names", "CREATE INDEX ix_children_names ON children (id, given_names, family_name)"),
)


def upgrade() -> None:
    for _name, statement in _INDEXES:
        op.execute(statement)


def downgrade() -> None:
    for name, _statement in _INDEXES:
        op.execute("DROP INDEX IF EXISTS " + name)
