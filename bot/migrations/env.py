"""Alembic's environment: migrations run on the connection `bot.migrate` opened, in its transaction.

Run them with `python -m bot db upgrade` (or just start the bot), not with the `alembic` command:
`bot.migrate` also keeps the SQLite backup and refuses a database it does not know.
"""

from __future__ import annotations

from alembic import context

from bot.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite can run DDL in a transaction too; all revisions of one upgrade are one transaction.
    transactional_ddl=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
