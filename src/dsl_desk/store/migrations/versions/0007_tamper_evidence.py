"""tamper evidence: the audit trail refuses UPDATE and DELETE

Revision ID: 0007
Revises: 0006

The audit trail was append-only by convention and by its hash chain; the chain shows an edit, but nothing
stopped one. These triggers make the database itself refuse to change or remove an audit row, as 0002 does
for the discussion log. (Someone holding the key can still drop them: what catches that is the chain's
checkpoint kept outside the database, see store/checkpoint.py.) Retention deletion never touches the trail.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Written out in full, not built from the models: a migration must keep doing exactly what it did.
_TRIGGERS = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is append-only: its rows are never changed'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is append-only: its rows are never deleted'); END",
)
_TRIGGER_NAMES = ("audit_events_no_update", "audit_events_no_delete")


def upgrade() -> None:
    for statement in _TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in _TRIGGER_NAMES:
        op.execute("DROP TRIGGER IF EXISTS " + name)
