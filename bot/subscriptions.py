"""Topic subscriptions of chats and the log of alerts sent, in SQLite under DATA_DIR.

The schema is versioned with SQLite's `user_version`, so later versions can migrate it in place.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import numpy as np

SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
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
    sent_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, subscription_id, article_id)
);
"""


class Sensitivity(StrEnum):
    """How close an article must be to a topic, in words users understand."""

    STRICT = "strict"
    NORMAL = "normal"
    BROAD = "broad"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat's interest in a topic; the topic is embedded once, when subscribed."""

    id: int
    chat_id: int
    topic: str
    sensitivity: Sensitivity
    created_at: str
    active: bool
    vector: np.ndarray


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SubscriptionStore:
    """All reads and writes of subscriptions and the alert log."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the subscriptions database has schema version {version}; this program knows "
                f"{SCHEMA_VERSION}: upgrade the program"
            )
        if version < 1:
            with self._db:
                self._db.executescript(_SCHEMA_V1)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def add(
        self, chat_id: int, topic: str, sensitivity: Sensitivity, vector: np.ndarray
    ) -> Subscription:
        """Subscribe a chat to a topic; subscribing again updates it and makes it active again.

        `created_at` is kept on a re-subscription, so articles announced before are not again.
        """
        blob = np.asarray(vector, dtype=np.float32).tobytes()
        with self._db:
            self._db.execute(
                "INSERT INTO subscriptions (chat_id, topic, sensitivity, created_at, vector)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, topic) DO UPDATE SET"
                " sensitivity = excluded.sensitivity, vector = excluded.vector, active = 1",
                (chat_id, topic, sensitivity.value, _now(), blob),
            )
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ? AND topic = ?",
            (chat_id, topic),
        ).fetchone()
        return _subscription(row)

    def of_chat(self, chat_id: int) -> list[Subscription]:
        """A chat's active subscriptions in the order they were made (shown numbered from 1)."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ? AND active = 1 ORDER BY id",
            (chat_id,),
        )
        return [_subscription(r) for r in rows]

    def active(self) -> list[Subscription]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE active = 1 ORDER BY id"
        )
        return [_subscription(r) for r in rows]

    def remove(self, chat_id: int, number: int) -> Subscription | None:
        """Unsubscribe the chat's `number`-th subscription (1-based, as listed); None if no such."""
        listed = self.of_chat(chat_id)
        if not 1 <= number <= len(listed):
            return None
        chosen = listed[number - 1]
        with self._db:
            self._db.execute("UPDATE subscriptions SET active = 0 WHERE id = ?", (chosen.id,))
        return chosen

    def remove_all(self, chat_id: int) -> int:
        with self._db:
            cursor = self._db.execute(
                "UPDATE subscriptions SET active = 0 WHERE chat_id = ? AND active = 1", (chat_id,)
            )
        return cursor.rowcount

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Follow a group that became a supergroup: its subscriptions and alert log move along."""
        with self._db:
            moved = self._db.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            ).rowcount
            self._db.execute(
                "UPDATE OR IGNORE alerts SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        return moved

    def record_alert(self, chat_id: int, subscription_id: int, article_id: str) -> bool:
        """Log an alert; False when this (chat, subscription, article) was logged before."""
        with self._db:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO alerts VALUES (?, ?, ?, ?)",
                (chat_id, subscription_id, article_id, _now()),
            )
        return cursor.rowcount == 1

    def was_alerted(self, chat_id: int, subscription_id: int, article_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM alerts WHERE chat_id = ? AND subscription_id = ? AND article_id = ?",
            (chat_id, subscription_id, article_id),
        ).fetchone()
        return row is not None


_COLUMNS = "id, chat_id, topic, sensitivity, created_at, active, vector"


def _subscription(row: tuple[int, int, str, str, str, int, bytes]) -> Subscription:
    sub_id, chat_id, topic, sensitivity, created_at, active, blob = row
    return Subscription(
        sub_id, chat_id, topic, Sensitivity(sensitivity), created_at, bool(active),
        np.frombuffer(blob, dtype=np.float32),
    )  # fmt: skip
