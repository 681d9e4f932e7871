"""Alembic environment. DSL Desk always runs migrations itself on an open, keyed connection."""

from __future__ import annotations

from alembic import context

from dsl_desk.store.models import Base
from dsl_desk.store.search import include_object

connection = context.config.attributes["connection"]
# include_object: the FTS5 index and its shadow tables are raw SQL (0002), so autogenerate leaves them be.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
