"""When things happened, apart from when they were recorded; immediate risk raised or lowered at any point;
must/should and a deadline of their own on checklist items; a closure that spans days; a shorter timescale

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dsl_desk.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "immediate_risk_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Boolean(), nullable=False),
        sa.Column("noticed_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_immediate_risk_changes_escalation_id"), "immediate_risk_changes", ["escalation_id"]
    )
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("arose_at", dsl_desk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("shortened_due_at", dsl_desk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("shortened_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("escalation_stages") as batch:
        batch.add_column(sa.Column("started_at", dsl_desk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("response_received_at", dsl_desk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("deadline_moved_from", dsl_desk.store.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("checklist_items") as batch:
        batch.add_column(
            sa.Column("obligation", sa.String(length=10), nullable=False, server_default="should")
        )
        batch.add_column(sa.Column("due_at", dsl_desk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("due_from", dsl_desk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("not_done", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("closure_days") as batch:
        batch.add_column(sa.Column("last_day", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("closure_days") as batch:
        batch.drop_column("last_day")
    with op.batch_alter_table("checklist_items") as batch:
        for name in ("not_done", "due_from", "due_at", "obligation"):
            batch.drop_column(name)
    with op.batch_alter_table("escalation_stages") as batch:
        for name in ("deadline_moved_from", "response_received_at", "started_at"):
            batch.drop_column(name)
    with op.batch_alter_table("escalations") as batch:
        for name in ("shortened_reason", "shortened_due_at", "arose_at"):
            batch.drop_column(name)
    op.drop_index(op.f("ix_immediate_risk_changes_escalation_id"), table_name="immediate_risk_changes")
    op.drop_table("immediate_risk_changes")
