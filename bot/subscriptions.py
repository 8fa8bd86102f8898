"""Topic subscriptions of chats and the log of their alerts, in SQLite under DATA_DIR.

The alert log is what makes alerts exactly-once: a (chat, subscription, article) row is written
as `pending` when the article matches, in the same transaction that moves the scan forward, and
becomes `sent` once Telegram accepted the message. Restarts, rebuilds and re-added articles
find the row and do not alert again; a pending row is retried until it is sent or its chat is
gone. The schema is versioned with SQLite's `user_version`, so later versions can migrate it;
a copy of the database is kept before each migration (see `bot.subscriptions_file`, which also
refuses a damaged or emptied database at start).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import SubscriptionsDatabaseError
from bot.subscriptions_file import connect_checked, keep_backup

SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE chats (
    chat_id INTEGER PRIMARY KEY,
    title TEXT,
    delivery TEXT NOT NULL DEFAULT 'instant',
    disabled_at TEXT,
    disabled_reason TEXT
);
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    every_article INTEGER NOT NULL DEFAULT 0,
    sensitivity TEXT NOT NULL,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    vector BLOB NOT NULL,
    UNIQUE (chat_id, topic)
);
CREATE TABLE alerts (
    chat_id INTEGER NOT NULL,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
    article_id TEXT NOT NULL,
    score REAL NOT NULL,
    citation TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    matched_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (chat_id, subscription_id, article_id)
);
CREATE INDEX alerts_pending ON alerts(status, chat_id);
CREATE TABLE scan_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def _create(db: sqlite3.Connection) -> None:
    """The current schema in an empty database, in one transaction."""
    db.executescript(f"BEGIN; {_SCHEMA_V1} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")


SCANNED_UNTIL = "scanned_until"
"""The newest `first_indexed_at` already matched against the subscriptions."""


class Sensitivity(StrEnum):
    """How close an article must be to a topic, in words users understand."""

    STRICT = "strict"
    NORMAL = "normal"
    BROAD = "broad"


class Delivery(StrEnum):
    """When a chat gets its alerts: as articles arrive, or once a day in one digest."""

    INSTANT = "instant"
    DAILY = "daily"


class AlertStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"
    """Never sent: the chat removed the bot, or Telegram refused the message for good."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat's interest in a topic; the topic is embedded once, when subscribed."""

    id: int
    chat_id: int
    topic: str
    every_article: bool
    sensitivity: Sensitivity
    created_at: str
    active: bool
    vector: np.ndarray


@dataclass(frozen=True, slots=True)
class ChatInfo:
    chat_id: int
    title: str | None
    delivery: Delivery
    disabled_reason: str | None


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A match found by a scan, to be logged as pending."""

    chat_id: int
    subscription_id: int
    article_id: str
    score: float
    citation: dict[str, Any]
    """Everything needed to show the passage, so delivery does not depend on the index version."""


@dataclass(frozen=True, slots=True)
class PendingAlert:
    chat_id: int
    subscription_id: int
    topic: str
    every_article: bool
    article_id: str
    score: float
    citation: dict[str, Any]
    matched_at: str

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.chat_id, self.subscription_id, self.article_id)


def now_iso() -> str:
    """Timestamps in the same format as the index's `first_indexed_at`, so they compare as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SubscriptionStore:
    """All reads and writes of chats, subscriptions and the alert log; safe across threads."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the database; a damaged or emptied one is refused, see
        `bot.subscriptions_file` (raises SubscriptionsDatabaseError)."""
        self.path = path
        self._db = connect_checked(path, _create)
        self._lock = threading.RLock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        """Bring an older schema up to date, after keeping a copy of the database as it was."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SubscriptionsDatabaseError(
                f"the subscriptions database {self.path} has schema version {version}; this "
                f"program knows {SCHEMA_VERSION}: upgrade the program"
            )
        if version == SCHEMA_VERSION:
            return
        tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables:
            raise SubscriptionsDatabaseError(
                f"{self.path} has tables but no schema version: it is not a subscriptions "
                "database. Point SUBSCRIPTIONS_DB at another file, or move this one away"
            )
        keep_backup(self._db, self.path, version)
        _create(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ping(self) -> None:
        """Raise unless the database answers a query (a readiness probe)."""
        with self._lock:
            self._db.execute("SELECT 1").fetchone()

    # -- subscriptions ------------------------------------------------------------------------

    def add(
        self,
        chat_id: int,
        topic: str,
        sensitivity: Sensitivity,
        vector: np.ndarray | None,
        *,
        chat_title: str | None = None,
    ) -> Subscription:
        """Subscribe a chat to a topic (`vector` None: every article); again updates it.

        `created_at` is kept on a re-subscription, so articles announced before are not again.
        Subscribing re-enables a chat that had been disabled (the bot is evidently back in it).
        """
        blob = b"" if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO chats (chat_id, title) VALUES (?, ?) ON CONFLICT (chat_id) DO UPDATE"
                " SET title = coalesce(excluded.title, title), disabled_at = NULL,"
                " disabled_reason = NULL",
                (chat_id, chat_title),
            )
            self._db.execute(
                "INSERT INTO subscriptions"
                " (chat_id, topic, every_article, sensitivity, created_at, vector)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, topic) DO UPDATE SET"
                " sensitivity = excluded.sensitivity, vector = excluded.vector, active = 1",
                (chat_id, topic, vector is None, sensitivity.value, now_iso(), blob),
            )
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ? AND topic = ?",
                (chat_id, topic),
            ).fetchone()
        return _subscription(row)

    def of_chat(self, chat_id: int) -> list[Subscription]:
        """A chat's active subscriptions in the order they were made (shown numbered from 1)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ? AND active = 1"
                " ORDER BY id",
                (chat_id,),
            ).fetchall()
        return [_subscription(r) for r in rows]

    def get(self, subscription_id: int) -> Subscription | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM subscriptions WHERE id = ?", (subscription_id,)
            ).fetchone()
        return None if row is None else _subscription(row)

    def active(self) -> list[Subscription]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM subscriptions WHERE active = 1 ORDER BY id"
            ).fetchall()
        return [_subscription(r) for r in rows]

    def remove(self, chat_id: int, number: int) -> Subscription | None:
        """Unsubscribe the chat's `number`-th subscription (1-based, as listed); None if no such."""
        with self._lock:
            listed = self.of_chat(chat_id)
            if not 1 <= number <= len(listed):
                return None
            chosen = listed[number - 1]
            self.deactivate(chosen.id)
        return chosen

    def deactivate(self, subscription_id: int) -> bool:
        """Stop a subscription (its pending alerts are not sent); False if it was not active."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "UPDATE subscriptions SET active = 0 WHERE id = ? AND active = 1",
                (subscription_id,),
            )
        return cursor.rowcount == 1

    def remove_all(self, chat_id: int) -> int:
        with self._lock, self._db:
            return self._deactivate_chat(chat_id)

    def _deactivate_chat(self, chat_id: int) -> int:
        """Stop every subscription of a chat, inside the caller's transaction; how many."""
        return self._db.execute(
            "UPDATE subscriptions SET active = 0 WHERE chat_id = ? AND active = 1", (chat_id,)
        ).rowcount

    # -- chats ----------------------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatInfo:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_CHAT_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return ChatInfo(chat_id, None, Delivery.INSTANT, None) if row is None else _chat_info(row)

    def set_delivery(self, chat_id: int, delivery: Delivery) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO chats (chat_id, delivery) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET delivery = excluded.delivery",
                (chat_id, delivery.value),
            )

    def disable_chat(self, chat_id: int, reason: str) -> int:
        """The bot can no longer post there: stop its subscriptions, drop what was pending."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO chats (chat_id, disabled_at, disabled_reason) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET disabled_at = excluded.disabled_at,"
                " disabled_reason = excluded.disabled_reason",
                (chat_id, now_iso(), reason),
            )
            stopped = self._deactivate_chat(chat_id)
            self._db.execute(
                "UPDATE alerts SET status = ? WHERE chat_id = ? AND status = ?",
                (AlertStatus.DROPPED.value, chat_id, AlertStatus.PENDING.value),
            )
        return stopped

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Follow a group that became a supergroup: its subscriptions and alert log move along."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO chats (chat_id, title, delivery)"
                " SELECT ?, title, delivery FROM chats WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            moved = self._db.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            ).rowcount
            self._db.execute(
                "UPDATE OR IGNORE alerts SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        return moved

    # -- the alert log --------------------------------------------------------------------------

    def scanned_until(self) -> str:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM scan_state WHERE key = ?", (SCANNED_UNTIL,)
            ).fetchone()
        return "" if row is None else str(row[0])

    def was_alerted(self, chat_id: int, subscription_id: int, article_id: str) -> bool:
        """Whether this alert is in the log, whatever its state (pending, sent or dropped)."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM alerts WHERE chat_id = ? AND subscription_id = ? AND article_id = ?",
                (chat_id, subscription_id, article_id),
            ).fetchone()
        return row is not None

    def record_matches(self, alerts: Iterable[NewAlert], scanned_until: str) -> int:
        """Log new matches as pending and move the scan forward, in one transaction.

        Returns how many were new: a match already in the log (a restart, a re-added article,
        a rebuild) is ignored, which is what keeps alerts exactly-once.
        """
        with self._lock, self._db:
            added = 0
            for alert in alerts:
                added += self._db.execute(
                    "INSERT OR IGNORE INTO alerts"
                    " (chat_id, subscription_id, article_id, score, citation, matched_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (alert.chat_id, alert.subscription_id, alert.article_id, alert.score,
                     json.dumps(alert.citation), now_iso()),
                ).rowcount  # fmt: skip
            self._db.execute(
                "INSERT INTO scan_state VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                (SCANNED_UNTIL, scanned_until),
            )
        return added

    def pending(self, delivery: Delivery) -> dict[int, list[PendingAlert]]:
        """Pending alerts of active subscriptions, by chat, oldest match first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.chat_id, a.subscription_id, s.topic, s.every_article, a.article_id, a.score,"
                " a.citation, a.matched_at FROM alerts a"
                " JOIN subscriptions s ON s.id = a.subscription_id"
                " LEFT JOIN chats c ON c.chat_id = a.chat_id"
                " WHERE a.status = ? AND s.active = 1 AND coalesce(c.delivery, 'instant') = ?"
                " AND c.disabled_at IS NULL"
                " ORDER BY a.chat_id, a.matched_at, a.article_id, a.subscription_id",
                (AlertStatus.PENDING.value, delivery.value),
            ).fetchall()
        by_chat: dict[int, list[PendingAlert]] = {}
        for chat_id, sub_id, topic, every, article_id, score, citation, matched_at in rows:
            by_chat.setdefault(chat_id, []).append(
                PendingAlert(chat_id, sub_id, topic, bool(every), article_id, score,
                             json.loads(citation), matched_at)
            )  # fmt: skip
        return by_chat

    def mark(self, keys: Sequence[tuple[int, int, str]], status: AlertStatus) -> None:
        """Settle pending alerts: sent once Telegram accepted them, or dropped for good."""
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE alerts SET status = ?, sent_at = ? WHERE chat_id = ?"
                " AND subscription_id = ? AND article_id = ? AND status = ?",
                [(status.value, now_iso(), *key, AlertStatus.PENDING.value) for key in keys],
            )

    def alert_counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM alerts GROUP BY status")
            return {str(status): int(count) for status, count in rows}

    def chats(self) -> list[ChatInfo]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_CHAT_COLUMNS} FROM chats ORDER BY chat_id"
            ).fetchall()
        return [_chat_info(r) for r in rows]


_COLUMNS = "id, chat_id, topic, every_article, sensitivity, created_at, active, vector"
_CHAT_COLUMNS = "chat_id, title, delivery, disabled_reason"


def _chat_info(row: tuple[int, str | None, str, str | None]) -> ChatInfo:
    chat_id, title, delivery, disabled_reason = row
    return ChatInfo(chat_id, title, Delivery(delivery), disabled_reason)


def _subscription(row: tuple[int, int, str, int, str, str, int, bytes]) -> Subscription:
    sub_id, chat_id, topic, every_article, sensitivity, created_at, active, blob = row
    return Subscription(
        sub_id, chat_id, topic, bool(every_article), Sensitivity(sensitivity), created_at,
        bool(active), np.frombuffer(blob, dtype=np.float32),
    )  # fmt: skip
