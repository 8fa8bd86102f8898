"""The feed list and the keys of entries already indexed, in the product's database.

SQLAlchemy Core on SQLite or PostgreSQL, the same database the bot uses (`DATABASE_URL`, else
`$DATA_DIR/subscriptions.sqlite`); the feeds' tables are created or upgraded when it opens.
Every call is short and blocking; callers on an event loop run them in a thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import Connection, RowMapping, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from index.database.engine import WRITES, database_url, open_engine, shown, sqlite_path
from index.database.file_check import check_file
from index.errors import DatabaseError, FeedError
from index.feeds import migrate
from index.feeds.schema import feed_seen, feeds

MAX_KEY_CHARS = 600


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    source: str | None
    interval_seconds: float
    etag: str | None
    last_modified: str | None
    next_fetch_at: float
    failures: int
    last_error: str | None
    last_fetched_at: float | None

    @classmethod
    def from_row(cls, row: RowMapping) -> Feed:
        return cls(**{f.name: row[f.name] for f in fields(cls)})


class FeedStore:
    """Feeds and seen entries; safe to share between threads."""

    def __init__(self, database: Path | str) -> None:
        url = database_url(database)
        path = sqlite_path(url)
        self.name = str(path) if path is not None else shown(url)
        """How messages name the database: never with its password."""
        if path is not None:  # the checks every opener of the product's database makes
            check_file(path, _create)
        self._engine = open_engine(url)
        self._dialect = self._engine.dialect.name
        try:
            migrate.upgrade(self._engine, self.name)
        except DBAPIError as exc:
            self._engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise DatabaseError(f"cannot open the feeds' database {self.name}: {reason}") from exc
        except BaseException:
            self._engine.dispose()
            raise

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            yield db

    # -- feeds --------------------------------------------------------------------------------

    def add(self, url: str, *, interval_seconds: float, source: str | None = None) -> Feed:
        """A new feed, due at once. Raises FeedError when the URL is already followed."""
        now = time.time()
        try:
            with self._write() as db:
                new_id = db.execute(
                    insert(feeds)
                    .values(
                        url=url, source=source, interval_seconds=interval_seconds,
                        next_fetch_at=now, failures=0, created_at=now,
                    )
                    .returning(feeds.c.id)
                ).scalar_one()  # fmt: skip
        except IntegrityError:
            known = self.by_url(url)
            raise FeedError(
                f"{url} is already followed" + (f" (feed {known.id})" if known else "")
            ) from None
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, feed_id: int) -> Feed | None:
        with self._engine.connect() as db:
            row = db.execute(select(feeds).where(feeds.c.id == feed_id)).mappings().first()
        return None if row is None else Feed.from_row(row)

    def by_url(self, url: str) -> Feed | None:
        with self._engine.connect() as db:
            row = db.execute(select(feeds).where(feeds.c.url == url)).mappings().first()
        return None if row is None else Feed.from_row(row)

    def list_feeds(self) -> list[Feed]:
        with self._engine.connect() as db:
            rows = db.execute(select(feeds).order_by(feeds.c.id)).mappings().all()
        return [Feed.from_row(row) for row in rows]

    def due(self, now: float) -> list[Feed]:
        with self._engine.connect() as db:
            rows = db.execute(
                select(feeds).where(feeds.c.next_fetch_at <= now).order_by(feeds.c.next_fetch_at)
            ).mappings().all()  # fmt: skip
        return [Feed.from_row(row) for row in rows]

    def remove(self, feed_id: int) -> bool:
        """Stop following a feed; what it brought stays indexed and stays seen."""
        with self._write() as db:
            return db.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount > 0

    def fetched(
        self, feed_id: int, *, next_fetch_at: float, etag: str | None, last_modified: str | None
    ) -> None:
        """A fetch that worked (a 304 too): validators kept for the next conditional GET."""
        with self._write() as db:
            db.execute(
                update(feeds).where(feeds.c.id == feed_id).values(
                    next_fetch_at=next_fetch_at, etag=etag, last_modified=last_modified,
                    failures=0, last_error=None, last_fetched_at=time.time(),
                )
            )  # fmt: skip

    def failed(self, feed_id: int, *, next_fetch_at: float, error: str) -> None:
        """A fetch that failed: one more failure (the back-off grows), the reason kept."""
        with self._write() as db:
            db.execute(
                update(feeds).where(feeds.c.id == feed_id).values(
                    next_fetch_at=next_fetch_at, failures=feeds.c.failures + 1,
                    last_error=error[:500],
                )
            )  # fmt: skip

    def make_due(self, feed_ids: Sequence[int] | None = None) -> None:
        """Fetch these feeds (or all) at the next look, whatever their schedule (`feeds fetch`)."""
        statement = update(feeds).values(next_fetch_at=0.0)
        if feed_ids is not None:
            statement = statement.where(feeds.c.id.in_(feed_ids))
        with self._write() as db:
            db.execute(statement)

    # -- seen entries -------------------------------------------------------------------------

    def seen(self, keys: Iterable[str]) -> set[str]:
        """Which of these keys an entry was already indexed under."""
        wanted = sorted({k[:MAX_KEY_CHARS] for k in keys})
        if not wanted:
            return set()
        with self._engine.connect() as db:
            rows = db.execute(select(feed_seen.c.key).where(feed_seen.c.key.in_(wanted)))
            return {row[0] for row in rows}

    def remember(self, feed_id: int, article_id: str | None, keys: Iterable[str]) -> None:
        """Record the keys of an indexed (or deliberately skipped) entry; known keys stay."""
        now = time.time()
        values = [
            {"key": k[:MAX_KEY_CHARS], "feed_id": feed_id, "article_id": article_id, "seen_at": now}
            for k in sorted(set(keys))
        ]
        if not values:
            return
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        with self._write() as db:
            db.execute(dialect.insert(feed_seen).on_conflict_do_nothing(), values)


def _create(path: Path) -> None:
    """The feeds' tables in a new SQLite file (the bot adds its own when it first opens it)."""
    engine = open_engine(database_url(path))
    try:
        migrate.upgrade(engine, str(path))
    finally:
        engine.dispose()
