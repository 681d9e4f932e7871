"""learning from disagreements: lesson follow-ups (Wigan Appendix 4) and Partnership Practice Alerts

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dsl_desk.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("staff_training", sa.Boolean(), nullable=False),
        sa.Column("new_protocol", sa.Boolean(), nullable=False),
        sa.Column("inform_commissioner", sa.Boolean(), nullable=False),
        sa.Column("commissioner_service", sa.String(length=200), nullable=False),
        sa.Column("sub_group", sa.Boolean(), nullable=False),
        sa.Column("sub_group_name", sa.String(length=200), nullable=False),
        sa.Column("board_discussion", sa.Boolean(), nullable=False),
        sa.Column("board_forum", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lesson_follow_ups", schema=None) as batch_op:
        batch_op.create_index("ix_follow_ups_escalation", ["escalation_id"], unique=False)
    op.create_table(
        "practice_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("informer", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("contact_details", sa.Text(), nullable=False),
        sa.Column("alert_date", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("measures_taken", sa.Text(), nullable=False),
        sa.Column("contributory_causes", sa.Text(), nullable=False),
        sa.Column("good_practice", sa.Text(), nullable=False),
        sa.Column("recommended_action", sa.Text(), nullable=False),
        sa.Column("created_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )


def downgrade() -> None:
    op.drop_table("practice_alerts")
    with op.batch_alter_table("lesson_follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_escalation")
    op.drop_table("lesson_follow_ups")
