"""Schema migrations of the bot's database: alembic revisions in `bot/migrations/versions/`.

They run at every start (the bot and `python -m bot …` alike) and by `python -m bot db upgrade`,
all pending revisions in one transaction: a failed upgrade leaves the database as it was. On
PostgreSQL an advisory lock makes replicas starting together upgrade one after the other; on
SQLite the write lock does, and a copy of the file is kept first (`<db>.bak-v<old revision>`,
see `index.database.file_check`).

A SQLite database from before alembic has its schema version in `user_version` (1, which is
revision 0001); it is stamped and upgraded in place. Every upgrade of a SQLite file writes the
revision's number into `user_version` as well, so a program that only knows `user_version`
refuses a newer schema instead of using it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from bot.database import WRITES
from bot.errors import SubscriptionsDatabaseError
from index.database.alembic_scripts import alembic_config, alembic_head
from index.database.engine import MIGRATIONS_LOCK
from index.database.file_check import keep_backup
from index.feeds.schema import TABLES as FEEDS_TABLES

MIGRATIONS = Path(__file__).parent / "migrations"
LEGACY_REVISIONS = {1: "0001"}
"""SQLite `user_version`s of the schema before alembic, and the revision each one is."""
OUR_TABLES = frozenset({"chats", "subscriptions", "alerts", "scan_state"})
SHARED_WITH = FEEDS_TABLES
"""Tables of others that may share the database: the feeds' (`index.feeds`), with their own
migration history."""
_UPGRADE_LOCK = 0x6E657773  # pg_advisory_xact_lock key: "news"
_ONE_AT_A_TIME = MIGRATIONS_LOCK
"""alembic's `context` and `op` are module-level proxies: one migration at a time per process,
the feeds' included."""


def _config(connection: Connection | None = None) -> Config:
    return alembic_config(MIGRATIONS, connection)


def head() -> str:
    return alembic_head(MIGRATIONS)


SCHEMA_VERSION = int(head())
"""The newest schema this program knows, as a number (SQLite's `user_version`)."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    """The database's revision; None for an empty database."""
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def state(engine: Engine, name: str) -> SchemaState:
    """Where the database stands, without changing it (`python -m bot db current`)."""
    with engine.connect() as connection:
        return SchemaState(_revision(connection, name), head())


def upgrade(engine: Engine, name: str, *, backup: Path | None = None) -> SchemaState:
    """Bring the database to the newest revision, in one transaction; the state it was in.

    `backup`: the SQLite file to copy beside itself first (not for a database being created).
    Refuses (SubscriptionsDatabaseError) a newer schema than this program knows, and a database
    that holds tables but is not ours.
    """
    with _ONE_AT_A_TIME, engine.connect().execution_options(**WRITES) as connection:
        if connection.dialect.name != "sqlite":
            return _upgrade(connection, name, backup)
        # A migration that copies a table (SQLite cannot drop a constraint in place) must not
        # have the copy's foreign keys checked halfway: SQLite's own procedure for schema
        # changes turns them off outside the transaction and checks them all before commit.
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            return _upgrade(connection, name, backup)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _upgrade(connection: Connection, name: str, backup: Path | None) -> SchemaState:
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        before = SchemaState(_revision(connection, name), head())
        stamped = _has_version_table(connection)
        if before.up_to_date and stamped:
            return before
        if backup is not None:
            keep_backup(backup, _number(before.current))
        config = _config(connection)
        if before.current is not None and not stamped:
            command.stamp(config, before.current)  # a SQLite database from before alembic
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise SubscriptionsDatabaseError(
                    f"upgrading {name} would break {len(broken)} reference(s) between its "
                    "tables; it was left as it was"
                )
            connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return before


def _revision(connection: Connection, name: str) -> str | None:
    """The database's revision, from alembic's table or, on old SQLite files, `user_version`."""
    user_version = 0
    if connection.dialect.name == "sqlite":
        user_version = int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())
        if user_version > SCHEMA_VERSION:
            raise _too_new(name, str(user_version))
    if _has_version_table(connection):
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is not None and not _known(revision):
            raise _too_new(name, revision)
        return revision
    if user_version in LEGACY_REVISIONS:
        return LEGACY_REVISIONS[user_version]
    tables = set(inspect(connection).get_table_names())
    foreign = (tables - SHARED_WITH) if connection.dialect.name == "sqlite" else tables & OUR_TABLES
    if foreign:
        raise SubscriptionsDatabaseError(
            f"{name} has tables ({', '.join(sorted(foreign))}) but no schema version: it is not "
            "a subscriptions database. Point DATABASE_URL at another database, or move this "
            "one away"
        )
    return None


def _has_version_table(connection: Connection) -> bool:
    return inspect(connection).has_table("alembic_version")


def _known(revision: str) -> bool:
    script = ScriptDirectory.from_config(_config())
    return any(found.revision == revision for found in script.walk_revisions())


def _number(revision: str | None) -> int:
    return 0 if revision is None else int(revision)


def _too_new(name: str, revision: str) -> SubscriptionsDatabaseError:
    return SubscriptionsDatabaseError(
        f"the subscriptions database {name} has schema version {revision}; this program knows "
        f"up to {head()}: upgrade the program"
    )
