"""discussion log: full-text search, append-only guard, child's views and opinion, later sharing

Revision ID: 0002
Revises: 0001

- `discussion_fts`: an FTS5 index over the text of every discussion entry. It is an *external content*
  table (the text lives once, in `discussion_entries`), kept in step by triggers, so every way a row
  can arrive (the services, a bulk import, a restore) is indexed without the caller remembering to.
- Triggers refuse UPDATE and DELETE on `discussion_entries`: the log is append-only, and a correction is
  a new entry. The guard sits in the database so that no code path, present or future, can quietly
  rewrite a record an inspector or a court may read years later.
- `child_views` and `opinion` keep the child's own words and professional opinion apart from the facts.
- `entry_shares`: an entry shared after it was written is recorded beside it, not by editing it.

A later migration that rebuilds `discussion_entries` (a batch "move and copy") drops its triggers; it must
re-create them with `create_log_triggers()` below.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dsl_desk.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written out in full, not built from the models: a migration must keep doing exactly what it did.
_CREATE_FTS = (
    "CREATE VIRTUAL TABLE discussion_fts USING fts5("
    "participants, summary, child_views, opinion, decisions, amend_reason, "
    "content='discussion_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
_TRIGGERS = (
    "CREATE TRIGGER discussion_fts_insert AFTER INSERT ON discussion_entries BEGIN "
    "INSERT INTO discussion_fts(rowid, participants, summary, child_views, opinion, decisions, amend_reason) "
    "VALUES (new.id, new.participants, new.summary, new.child_views, new.opinion, new.decisions, "
    "new.amend_reason); END",
    # Never fires while the guard below stands; kept so the index cannot drift if the guard is ever lifted.
    "CREATE TRIGGER discussion_fts_delete AFTER DELETE ON discussion_entries BEGIN "
    "INSERT INTO discussion_fts(discussion_fts, rowid, participants, summary, child_views, opinion, "
    "decisions, amend_reason) VALUES ('delete', old.id, old.participants, old.summary, old.child_views, "
    "old.opinion, old.decisions, old.amend_reason); END",
    "CREATE TRIGGER discussion_entries_no_update BEFORE UPDATE ON discussion_entries BEGIN "
    "SELECT RAISE(ABORT, 'discussion entries are append-only: record a correction as a new entry'); END",
    "CREATE TRIGGER discussion_entries_no_delete BEFORE DELETE ON discussion_entries BEGIN "
    "SELECT RAISE(ABORT, 'discussion entries are append-only and are never deleted'); END",
)
_TRIGGER_NAMES = (
    "discussion_fts_insert",
    "discussion_fts_delete",
    "discussion_entries_no_update",
    "discussion_entries_no_delete",
)


def create_log_triggers() -> None:
    for statement in _TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("discussion_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("child_views", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("opinion", sa.Text(), nullable=False, server_default=""))
    # Search and the chronology ask "is this entry amended?" of every hit; without it each asks every row.
    op.create_index("ix_entries_amends", "discussion_entries", ["amends_id"], unique=False)
    op.create_table(
        "entry_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("shared_with", sa.Text(), nullable=False),
        sa.Column("shared_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", dsl_desk.store.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["discussion_entries.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("entry_shares", schema=None) as batch_op:
        batch_op.create_index("ix_entry_shares_entry", ["entry_id"], unique=False)
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index("ix_action_items_entry", ["entry_id"], unique=False)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_entry", ["entry_id"], unique=False)
    op.execute(_CREATE_FTS)
    # Entries written before this revision are indexed too.
    op.execute("INSERT INTO discussion_fts(discussion_fts) VALUES ('rebuild')")
    create_log_triggers()


def downgrade() -> None:
    for name in _TRIGGER_NAMES:
        op.execute("DROP TRIGGER IF EXISTS " + name)
    op.execute("DROP TABLE IF EXISTS discussion_fts")
    op.drop_index("ix_entries_amends", table_name="discussion_entries")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_entry")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_entry")
    with op.batch_alter_table("entry_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_shares_entry")
    op.drop_table("entry_shares")
    with op.batch_alter_table("discussion_entries", schema=None) as batch_op:
        batch_op.drop_column("opinion")
        batch_op.drop_column("child_views")
