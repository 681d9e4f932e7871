"""Case transfers, subject access requests and their redaction log, retention holds and deletions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dsl_desk.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("former_child_id", sa.Integer(), nullable=False),
        sa.Column("year_of_birth", sa.Integer(), nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("deleted_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("deleted_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "case_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_fingerprint", sa.String(length=100), nullable=False),
        sa.Column("other_school", sa.String(length=200), nullable=False),
        sa.Column("other_dsl", sa.String(length=200), nullable=False),
        sa.Column("other_contact", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.Column("receipt_due_on", sa.Date(), nullable=True),
        sa.Column("acknowledged_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=False),
        sa.Column("last_chased_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.Column("keep_copy_until", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("direction", "bundle_id"),
    )
    op.create_index("ix_case_transfers_child", "case_transfers", ["child_id"], unique=False)
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("placed_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("lifted_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_holds_child", "retention_holds", ["child_id"], unique=False)
    op.create_table(
        "subject_access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("requester_relationship", sa.String(length=120), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("identity_confirmed", sa.Boolean(), nullable=False),
        sa.Column("clock_starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended_due_on", sa.Date(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("responded_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.Column("response_method", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sars_child", "subject_access_requests", ["child_id"], unique=False)
    op.create_index("ix_sars_status", "subject_access_requests", ["status"], unique=False)
    op.create_table(
        "sar_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("item_type", sa.String(length=30), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("exemption", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", dsl_desk.store.types.UTCDateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_requests.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sar_redactions_request", "sar_redactions", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sar_redactions_request", table_name="sar_redactions")
    op.drop_table("sar_redactions")
    op.drop_index("ix_sars_status", table_name="subject_access_requests")
    op.drop_index("ix_sars_child", table_name="subject_access_requests")
    op.drop_table("subject_access_requests")
    op.drop_index("ix_retention_holds_child", table_name="retention_holds")
    op.drop_table("retention_holds")
    op.drop_index("ix_case_transfers_child", table_name="case_transfers")
    op.drop_table("case_transfers")
    op.drop_table("retention_deletions")
