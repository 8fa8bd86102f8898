"""Schema migrations of the feeds' tables: alembic revisions in `index/feeds/migrations/`.

They share the product's database with the bot's tables but have a history of their own
(`feeds_alembic_version`), so either package can be upgraded without the other. All pending
revisions run in one transaction when the feeds store opens; on PostgreSQL an advisory lock
makes processes opening it together take turns, on SQLite the write lock does.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from index.database.alembic_scripts import alembic_config, alembic_head
from index.database.engine import MIGRATIONS_LOCK, WRITES
from index.errors import DatabaseError
from index.feeds.schema import VERSION_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"
_UPGRADE_LOCK = 0x6665656473  # pg_advisory_xact_lock key: "feeds" (the bot's is "news")


def _config(connection: Connection | None = None) -> Config:
    return alembic_config(MIGRATIONS, connection)


def head() -> str:
    return alembic_head(MIGRATIONS)


def current(connection: Connection) -> str | None:
    """The feeds' revision in this database; None before their first upgrade."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine, name: str) -> str | None:
    """Bring the feeds' tables to the newest revision in one transaction; the revision before.

    Refuses (DatabaseError) a revision newer than this program knows.
    """
    with (
        MIGRATIONS_LOCK,
        engine.connect().execution_options(**WRITES) as connection,
        connection.begin(),
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        before = current(connection)
        if before == head():
            return before
        script = ScriptDirectory.from_config(_config())
        if before is not None and not any(r.revision == before for r in script.walk_revisions()):
            raise DatabaseError(
                f"the feeds in {name} have schema version {before}; this program knows up to "
                f"{head()}: upgrade the program"
            )
        command.upgrade(_config(connection), "head")
    return before
