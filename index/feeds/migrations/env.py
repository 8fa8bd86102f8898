"""Alembic's environment for the feeds' tables: on the connection `index.feeds.migrate` opened,
in its transaction, with a version table of their own beside the bot's `alembic_version`."""

from __future__ import annotations

from alembic import context

from index.feeds.schema import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    transactional_ddl=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
