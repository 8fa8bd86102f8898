"""The bot's database: the engine code lives in `index.database.engine` (the feeds share the database);
this module re-exports it and names failures as the subscriptions database's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from bot.errors import SubscriptionsDatabaseError
from index.database import engine as _engines
from index.database.engine import (
    POSTGRES_CONNECT_TIMEOUT_SECONDS,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    WRITES,
    open_engine,
    shown,
    sqlite_path,
)
from index.errors import DatabaseError

__all__ = [
    "POSTGRES_CONNECT_TIMEOUT_SECONDS",
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "WRITES",
    "database_url",
    "open_engine",
    "shown",
    "sqlite_path",
    "unreachable",
]


def database_url(database: Path | str) -> URL:
    """`index.database.engine.database_url`, raising SubscriptionsDatabaseError as bot code expects."""
    try:
        return _engines.database_url(database)
    except DatabaseError as exc:
        raise SubscriptionsDatabaseError(str(exc)) from None


def unreachable(name: str, exc: DBAPIError) -> SubscriptionsDatabaseError:
    """The error for a database that cannot be opened, with the driver's first line (psycopg
    names host and port there, never the password)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    return SubscriptionsDatabaseError(f"cannot open the subscriptions database {name}: {reason}")
