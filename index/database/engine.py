"""Engines for the product's database: a SQLite file by default, PostgreSQL with DATABASE_URL.

The bot keeps its chats and alerts there, and the index its feeds (`index.feeds.registry`), so
both packages open it the same way; `bot.database` re-exports what is here.

One SQLAlchemy Core code path serves both. SQLite gets what the stores rely on: write-ahead
logging (the bot and the command line use the file at once), foreign keys, a busy timeout, and
transactions SQLAlchemy controls itself (pysqlite's own would not put DDL inside them, and a
migration must be one transaction). PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from index.errors import DatabaseError

SQLITE_BUSY_TIMEOUT_SECONDS = 30
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10
MIGRATIONS_LOCK = threading.Lock()
"""alembic's `context` and `op` are module-level proxies: one migration at a time per process,
whichever package's history it runs (the bot's or the feeds')."""


def database_url(database: Path | str) -> URL:
    """The SQLAlchemy URL of a SQLite file (a path) or of a `DATABASE_URL`.

    `postgresql://` and `postgres://` mean psycopg 3 (SQLAlchemy's default would be psycopg2).
    """
    if isinstance(database, Path):
        return URL.create("sqlite+pysqlite", database=str(database))
    url = make_url(database)
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("sqlite", "sqlite+pysqlite") and url.database not in (
        None,
        "",
        ":memory:",
    ):
        return url.set(drivername="sqlite+pysqlite")
    raise DatabaseError(
        f"DATABASE_URL {shown(url)} is neither postgresql://user:password@host/database nor "
        "sqlite:///path/to/file.sqlite"
    )


def shown(url: URL) -> str:
    """The URL as it may be logged or printed: never its password."""
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL."""
    return Path(url.database or "") if url.get_backend_name() == "sqlite" else None


def open_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pre_ping: a replica keeps working after the server restarted or a proxy closed idle ones;
    # a server that does not answer is an error after a while, not a start (or /readyz) hanging.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS},
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN: SQLAlchemy's `begin` emits it
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


WRITES = {"newsbot_writes": True}
"""Execution options of a connection whose transaction writes (see `_sqlite_begin`)."""


def _sqlite_begin(connection: Any) -> None:
    # A writing transaction takes SQLite's write lock at once (IMMEDIATE): one that read first
    # could otherwise fail halfway when another process wrote in between (SQLITE_BUSY_SNAPSHOT),
    # where waiting out the busy timeout is what is wanted.
    writes = connection.get_execution_options().get("newsbot_writes", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
