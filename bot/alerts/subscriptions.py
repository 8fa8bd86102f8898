"""Topic subscriptions of chats and the log of their alerts, in the bot's database.

That database is a SQLite file under DATA_DIR by default, or PostgreSQL (`DATABASE_URL`), which
several replicas of the bot can share; one SQLAlchemy Core code path serves both.

The alert log is what makes alerts exactly-once: a (chat, subscription, article) row is written
as `pending` when the article matches, in the same transaction that moves the scan forward, and
becomes `sent` once Telegram accepted the message. Restarts, rebuilds and re-added articles
find the row and do not alert again (`ON CONFLICT DO NOTHING`, so two replicas scanning the same
articles log each match once); a pending row is retried until it is sent or its chat is gone.
A chat gets one alert per story: `story_alerts` keeps, per (chat, forum topic, story), the
message sent and the outlets it names, written in the same transaction that marks its alert
rows sent, so a restart neither sends the story again nor edits it again.
The schema is migrated at open (`bot.migrate`); a SQLite file is checked first and copied
before each migration (`index.database.file_check`, which refuses a damaged or emptied one).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    Update,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from bot import migrate
from bot.alerts.delivery_lock import DeliveryLock
from bot.alerts.model import (
    AlertStatus,
    ChatInfo,
    Delivery,
    DigestTime,
    NewAlert,
    Outlet,
    PendingAlert,
    Sensitivity,
    StoryAlert,
    Subscription,
    now_iso,
)
from bot.database import WRITES, database_url, open_engine, shown, sqlite_path, unreachable
from bot.errors import SubscriptionsDatabaseError
from bot.schema import alerts, chats, scan_state, story_alerts, subscriptions
from index.database.file_check import check_file

SCHEMA_VERSION = migrate.SCHEMA_VERSION
log = logging.getLogger(__name__)

SCANNED_UNTIL = "scanned_until"
"""The newest `first_indexed_at` already matched against the subscriptions."""


class SubscriptionStore:
    """All reads and writes of chats, subscriptions and the alert log; safe across threads."""

    def __init__(self, database: Path | str) -> None:
        """Open a SQLite file (a path, or a `sqlite:///` URL) or a PostgreSQL database (a
        `postgresql://` URL), creating or migrating its schema. Raises SubscriptionsDatabaseError
        for a damaged or emptied SQLite file, a schema newer than this program knows, a database
        that is not ours, or a server that cannot be reached."""
        self.url = database_url(database)
        self.path = sqlite_path(self.url)
        self.name = str(self.path) if self.path is not None else shown(self.url)
        """How messages name the database: never with its password."""
        backup = None
        if self.path is not None:
            existed = check_file(self.path, self._create, SubscriptionsDatabaseError)
            backup = self.path if existed else None
        self._engine = open_engine(self.url)
        self._dialect = self._engine.dialect.name
        try:
            self.schema = migrate.upgrade(self._engine, self.name, backup=backup)
            """Where the schema stood when opened (`.up_to_date` False: it was just upgraded)."""
        except DBAPIError as exc:
            self._engine.dispose()
            raise unreachable(self.name, exc) from exc
        except BaseException:
            self._engine.dispose()
            raise
        if not self.schema.up_to_date:  # a new SQLite file was made at the newest already
            log.info(
                "subscriptions database %s: schema upgraded from %s to %s",
                self.name, self.schema.current or "empty", self.schema.head,
            )  # fmt: skip

    def _create(self, path: Path) -> None:
        """The current schema in a new SQLite file."""
        engine = open_engine(database_url(path))
        try:
            migrate.upgrade(engine, str(path))
        finally:
            engine.dispose()

    def close(self) -> None:
        self._engine.dispose()

    @property
    def engine(self) -> Engine:
        """The database's engine, for the other state kept there (`bot.answers.shared_keys`,
        `bot.answers.budget`)."""
        return self._engine

    @property
    def shared(self) -> bool:
        """Whether replicas may share this database (PostgreSQL), not one process (SQLite)."""
        return self._dialect == "postgresql"

    def delivery_lock(self, delivery: Delivery) -> DeliveryLock:
        """What a round holds while it sends (one replica at a time; see `bot.alerts.delivery_lock`)."""
        return DeliveryLock(self._engine, delivery.value)

    def ping(self) -> None:
        """Raise unless the database answers a query (a readiness probe)."""
        with self._read() as db:
            db.execute(select(literal(1))).scalar_one()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as db:
            yield db

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends (rolled back if it raises)."""
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            yield db

    def _insert(self, table: Any) -> Any:
        """INSERT with the dialect's ON CONFLICT clauses (the same SQL on both databases)."""
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    # -- subscriptions ------------------------------------------------------------------------

    def add(
        self,
        chat_id: int,
        topic: str,
        sensitivity: Sensitivity,
        vector: np.ndarray | None,
        *,
        chat_title: str | None = None,
        thread_id: int = 0,
        required_words: Sequence[str] = (),
        excluded_words: Sequence[str] = (),
    ) -> Subscription:
        """Subscribe a chat (or one forum topic of it, `thread_id`) to a topic (`vector` None:
        every article), with optional word filters; again updates sensitivity and filters.

        `created_at` is kept on a re-subscription, so articles announced before are not again.
        Subscribing re-enables a chat that had been disabled (the bot is evidently back in it).
        """
        blob = b"" if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        chat = self._insert(chats).values(chat_id=chat_id, title=chat_title)
        sub = self._insert(subscriptions).values(
            chat_id=chat_id, topic=topic, every_article=vector is None,
            sensitivity=sensitivity.value, created_at=now_iso(), vector=blob, thread_id=thread_id,
            required_words=json.dumps(list(required_words)),
            excluded_words=json.dumps(list(excluded_words)),
        )  # fmt: skip
        with self._write() as db:
            db.execute(
                chat.on_conflict_do_update(
                    index_elements=[chats.c.chat_id],
                    set_={
                        "title": func.coalesce(chat.excluded.title, chats.c.title),
                        "disabled_at": None,
                        "disabled_reason": None,
                    },
                )
            )
            db.execute(
                sub.on_conflict_do_update(
                    index_elements=[
                        subscriptions.c.chat_id,
                        subscriptions.c.thread_id,
                        subscriptions.c.topic,
                    ],
                    set_={
                        "sensitivity": sub.excluded.sensitivity,
                        "vector": sub.excluded.vector,
                        "required_words": sub.excluded.required_words,
                        "excluded_words": sub.excluded.excluded_words,
                        "active": True,
                    },
                )
            )
            row = db.execute(
                select(*_COLUMNS).where(
                    subscriptions.c.chat_id == chat_id,
                    subscriptions.c.thread_id == thread_id,
                    subscriptions.c.topic == topic,
                )
            ).one()
        return _subscription(row)

    def of_chat(self, chat_id: int, thread_id: int | None = 0) -> list[Subscription]:
        """A chat's active subscriptions in the order they were made (shown numbered from 1):
        those of one forum topic (`thread_id`; 0, the chat itself), or all with None."""
        with self._read() as db:
            return self._of_chat(db, chat_id, thread_id)

    def _of_chat(self, db: Connection, chat_id: int, thread_id: int | None) -> list[Subscription]:
        rows = db.execute(
            select(*_COLUMNS)
            .where(
                subscriptions.c.chat_id == chat_id,
                subscriptions.c.active,
                *([] if thread_id is None else [subscriptions.c.thread_id == thread_id]),
            )
            .order_by(subscriptions.c.id)
        )
        return [_subscription(r) for r in rows]

    def get(self, subscription_id: int) -> Subscription | None:
        with self._read() as db:
            row = db.execute(
                select(*_COLUMNS).where(subscriptions.c.id == subscription_id)
            ).one_or_none()
        return None if row is None else _subscription(row)

    def active(self) -> list[Subscription]:
        with self._read() as db:
            rows = db.execute(
                select(*_COLUMNS).where(subscriptions.c.active).order_by(subscriptions.c.id)
            )
            return [_subscription(r) for r in rows]

    def remove(self, chat_id: int, number: int, thread_id: int = 0) -> Subscription | None:
        """Unsubscribe the `number`-th subscription (1-based, as listed) of the chat's forum
        topic `thread_id` (0: the chat itself); None if no such."""
        with self._write() as db:
            listed = self._of_chat(db, chat_id, thread_id)
            if not 1 <= number <= len(listed):
                return None
            chosen = listed[number - 1]
            _deactivate(db, subscriptions.c.id == chosen.id)
        return chosen

    def deactivate(self, subscription_id: int) -> bool:
        """Stop a subscription (its pending alerts are not sent); False if it was not active."""
        with self._write() as db:
            return _deactivate(db, subscriptions.c.id == subscription_id) == 1

    def remove_all(self, chat_id: int, thread_id: int | None = 0) -> int:
        """Unsubscribe one forum topic's subscriptions (0: the chat itself), or all with None."""
        which = subscriptions.c.chat_id == chat_id
        if thread_id is not None:
            which = and_(which, subscriptions.c.thread_id == thread_id)
        with self._write() as db:
            return _deactivate(db, which)

    def close_thread(self, chat_id: int, thread_id: int) -> int:
        """A forum topic was deleted: its subscriptions stop, what was pending for it is dropped.
        How many subscriptions stopped."""
        with self._write() as db:
            ids = select(subscriptions.c.id).where(
                subscriptions.c.chat_id == chat_id, subscriptions.c.thread_id == thread_id
            )
            stopped = _deactivate(db, subscriptions.c.id.in_(ids))
            db.execute(
                update(alerts)
                .where(
                    alerts.c.subscription_id.in_(ids),
                    alerts.c.status == AlertStatus.PENDING.value,
                )
                .values(status=AlertStatus.DROPPED.value)
            )
        return stopped

    # -- chats ----------------------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatInfo:
        with self._read() as db:
            row = db.execute(select(*_CHAT_COLUMNS).where(chats.c.chat_id == chat_id)).first()
        return ChatInfo(chat_id, None, Delivery.INSTANT, None) if row is None else _chat_info(row)

    def set_delivery(
        self, chat_id: int, delivery: Delivery, digest_time: DigestTime | None = None
    ) -> None:
        """Instant or daily delivery; a daily chat may name its own digest time (None keeps the
        one it has). Turning daily on starts its digest clock now: the first digest goes out at
        the next digest time, not at once."""
        values: dict[str, Any] = {"chat_id": chat_id, "delivery": delivery.value}
        if digest_time is not None:
            values |= {
                "digest_time": digest_time.at.strftime("%H:%M"),
                "digest_zone": digest_time.zone,
            }
        chat = self._insert(chats).values(**values, digest_sent_at=now_iso())
        changes: dict[str, Any] = {"delivery": chat.excluded.delivery}
        if digest_time is not None:
            changes |= {
                "digest_time": chat.excluded.digest_time,
                "digest_zone": chat.excluded.digest_zone,
            }
        if delivery is Delivery.DAILY:
            # Only when it was not daily already: changing the time keeps today's digest due.
            changes["digest_sent_at"] = case(
                (chats.c.delivery == Delivery.DAILY.value, chats.c.digest_sent_at),
                else_=chat.excluded.digest_sent_at,
            )
        with self._write() as db:
            db.execute(chat.on_conflict_do_update(index_elements=[chats.c.chat_id], set_=changes))

    def set_time_zone(self, chat_id: int, zone: str) -> None:
        """The IANA zone (`ZoneInfo.key`) the chat's questions are read in (`/timezone`)."""
        chat = self._insert(chats).values(chat_id=chat_id, time_zone=zone)
        with self._write() as db:
            db.execute(
                chat.on_conflict_do_update(
                    index_elements=[chats.c.chat_id], set_={"time_zone": chat.excluded.time_zone}
                )
            )

    def digest_sent(self, chat_id: int, at: str) -> None:
        """A daily chat's digest for its digest time before `at` is done (sent, or nothing was
        pending): the next one is due at its next digest time."""
        with self._write() as db:
            db.execute(update(chats).where(chats.c.chat_id == chat_id).values(digest_sent_at=at))

    def disable_chat(self, chat_id: int, reason: str) -> int:
        """The bot can no longer post there: stop its subscriptions, drop what was pending."""
        chat = self._insert(chats).values(
            chat_id=chat_id, disabled_at=now_iso(), disabled_reason=reason
        )
        with self._write() as db:
            db.execute(
                chat.on_conflict_do_update(
                    index_elements=[chats.c.chat_id],
                    set_={
                        "disabled_at": chat.excluded.disabled_at,
                        "disabled_reason": chat.excluded.disabled_reason,
                    },
                )
            )
            stopped = _deactivate(db, subscriptions.c.chat_id == chat_id)
            db.execute(
                update(alerts)
                .where(alerts.c.chat_id == chat_id, alerts.c.status == AlertStatus.PENDING.value)
                .values(status=AlertStatus.DROPPED.value)
            )
        return stopped

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Follow a group that became a supergroup: its subscriptions and alert log move along.

        A topic (or an alert) the new chat already has stays with the old one rather than
        collide with it.
        """
        kept = ["title", "delivery", "digest_time", "digest_zone", "digest_sent_at", "time_zone"]
        copied = select(literal(new_chat_id, chats.c.chat_id.type), *(chats.c[k] for k in kept))
        copied = copied.where(chats.c.chat_id == old_chat_id)
        with self._write() as db:
            db.execute(
                self._insert(chats)
                .from_select(["chat_id", *kept], copied)
                .on_conflict_do_nothing(index_elements=[chats.c.chat_id])
            )
            moved = db.execute(
                _moved_to_chat(subscriptions, old_chat_id, new_chat_id, ["thread_id", "topic"])
            ).rowcount
            db.execute(
                _moved_to_chat(alerts, old_chat_id, new_chat_id, ["subscription_id", "article_id"])
            )
            db.execute(
                _moved_to_chat(story_alerts, old_chat_id, new_chat_id, ["thread_id", "story_id"])
            )
        return int(moved)

    # -- the alert log --------------------------------------------------------------------------

    def scanned_until(self) -> str:
        with self._read() as db:
            value = db.execute(
                select(scan_state.c.value).where(scan_state.c.key == SCANNED_UNTIL)
            ).scalar_one_or_none()
        return "" if value is None else str(value)

    def alerted(self, article_ids: Sequence[str]) -> set[tuple[int, int, str]]:
        """The (chat, subscription, article) keys in the log for these articles, in one query:
        a scan skips citing them again without a round trip per match."""
        if not article_ids:
            return set()
        with self._read() as db:
            rows = db.execute(
                select(alerts.c.chat_id, alerts.c.subscription_id, alerts.c.article_id).where(
                    alerts.c.article_id.in_(list(article_ids))
                )
            ).all()
        return {(int(chat), int(sub), str(article)) for chat, sub, article in rows}

    def record_matches(self, alerts_found: Iterable[NewAlert], scanned_until: str) -> int:
        """Log new matches as pending and move the scan forward, in one transaction.

        Returns how many were new: a match already in the log (a restart, a re-added article,
        a rebuild, another replica's scan) is ignored, which is what keeps alerts exactly-once.
        The scan only moves forward, whichever of two concurrent scans commits last.
        """
        scan = self._insert(scan_state).values(key=SCANNED_UNTIL, value=scanned_until)
        newest = func.greatest if self._dialect == "postgresql" else func.max
        rows = [
            {
                "chat_id": alert.chat_id,
                "subscription_id": alert.subscription_id,
                "article_id": alert.article_id,
                "score": alert.score,
                "citation": json.dumps(alert.citation),
                "matched_at": now_iso(),
                "story_id": alert.story_id,
                "follows": alert.follows,
            }
            # In key order: two replicas inserting the same matches then wait on each other in
            # the same order, and never deadlock.
            for alert in sorted(alerts_found, key=_alert_order)
        ]
        # One statement for all the rows (SQLAlchemy batches them into multi-row INSERTs), and
        # the rows it returns are the ones that were new.
        insert_new = self._insert(alerts).on_conflict_do_nothing().returning(alerts.c.article_id)
        with self._write() as db:
            added = len(db.execute(insert_new, rows).all()) if rows else 0
            db.execute(
                scan.on_conflict_do_update(
                    index_elements=[scan_state.c.key],
                    set_={"value": newest(scan_state.c.value, scan.excluded.value)},
                )
            )
        return added

    def pending(
        self, delivery: Delivery, chat_ids: Sequence[int] | None = None
    ) -> dict[int, list[PendingAlert]]:
        """Pending alerts of active subscriptions, by chat (of these chats only, if given),
        oldest match first."""
        a, s, c = alerts, subscriptions, chats
        query = (
            select(
                a.c.chat_id,
                a.c.subscription_id,
                s.c.topic,
                s.c.every_article,
                a.c.article_id,
                a.c.score,
                a.c.citation,
                a.c.matched_at,
                s.c.thread_id,
                a.c.story_id,
                a.c.follows,
            )
            .join(s, s.c.id == a.c.subscription_id)
            .outerjoin(c, c.c.chat_id == a.c.chat_id)
            .where(
                a.c.status == AlertStatus.PENDING.value,
                s.c.active,
                func.coalesce(c.c.delivery, Delivery.INSTANT.value) == delivery.value,
                c.c.disabled_at.is_(None),
                *([] if chat_ids is None else [a.c.chat_id.in_(list(chat_ids))]),
            )
            .order_by(a.c.chat_id, a.c.matched_at, a.c.article_id, a.c.subscription_id)
        )
        with self._read() as db:
            rows = db.execute(query).all()
        by_chat: dict[int, list[PendingAlert]] = {}
        for (chat_id, sub_id, topic, every, article_id, score, citation, matched_at, thread,
             story, follows) in rows:  # fmt: skip
            by_chat.setdefault(chat_id, []).append(
                PendingAlert(chat_id, sub_id, topic, bool(every), article_id, score,
                             json.loads(citation), matched_at, int(thread), story or "", follows)
            )  # fmt: skip
        return by_chat

    def mark(
        self,
        keys: Sequence[tuple[int, int, str]],
        status: AlertStatus,
        stories: Sequence[StoryAlert] = (),
    ) -> None:
        """Settle pending alerts: sent once Telegram accepted them, or dropped for good; and
        record the story alerts the message sent, in the same transaction."""
        with self._write() as db:
            _settle(db, keys, status)
            for story in stories:
                row = {**_story_values(story), "sent_at": now_iso()}
                insert = self._insert(story_alerts).values(**row)
                db.execute(
                    insert.on_conflict_do_update(
                        index_elements=list(story_alerts.primary_key.columns),
                        set_={k: insert.excluded[k] for k in row if k not in _STORY_KEY},
                    )
                )

    def story_alerts(
        self, chat_id: int, thread_id: int, story_ids: Iterable[str]
    ) -> dict[str, StoryAlert]:
        """The alerts of these stories the chat's forum topic (0: the chat itself) was sent."""
        wanted = sorted(set(story_ids))
        if not wanted:
            return {}
        t = story_alerts
        with self._read() as db:
            rows = db.execute(
                select(t.c.chat_id, t.c.thread_id, t.c.story_id, t.c.message_id, t.c.title,
                       t.c.outlets, t.c.shown, t.c.editable)
                .where(t.c.chat_id == chat_id, t.c.thread_id == thread_id,
                       t.c.story_id.in_(wanted))
            ).all()  # fmt: skip
        found = {}
        for chat, thread, story_id, message_id, title, outlets, record, editable in rows:
            found[story_id] = StoryAlert(
                int(chat), int(thread), story_id, None if message_id is None else int(message_id),
                title, tuple(Outlet(name, url) for name, url in json.loads(outlets)),
                json.loads(record), bool(editable),
            )  # fmt: skip
        return found

    def story_edited(self, story: StoryAlert, keys: Sequence[tuple[int, int, str]]) -> None:
        """A story alert now names `story.outlets` (Telegram accepted the edit, or had it
        already): its alert rows `keys` are sent."""
        with self._write() as db:
            db.execute(
                update(story_alerts)
                .where(*_story_is(story))
                .values(outlets=_story_values(story)["outlets"], edited_at=now_iso())
            )
            _settle(db, keys, AlertStatus.SENT)

    def story_uneditable(self, story: StoryAlert, keys: Sequence[tuple[int, int, str]]) -> None:
        """Telegram refused for good to edit a story alert (deleted): it is left alone from now
        on, and the articles that would have been added to it (`keys`) are dropped."""
        with self._write() as db:
            db.execute(update(story_alerts).where(*_story_is(story)).values(editable=False))
            _settle(db, keys, AlertStatus.DROPPED)

    def alert_counts(self) -> dict[str, int]:
        with self._read() as db:
            rows = db.execute(select(alerts.c.status, func.count()).group_by(alerts.c.status))
            return {str(status): int(count) for status, count in rows}

    def chats(self) -> list[ChatInfo]:
        with self._read() as db:
            rows = db.execute(select(*_CHAT_COLUMNS).order_by(chats.c.chat_id))
            return [_chat_info(r) for r in rows]


_COLUMNS = (
    subscriptions.c.id, subscriptions.c.chat_id, subscriptions.c.topic,
    subscriptions.c.every_article, subscriptions.c.sensitivity, subscriptions.c.created_at,
    subscriptions.c.active, subscriptions.c.vector, subscriptions.c.thread_id,
    subscriptions.c.required_words, subscriptions.c.excluded_words,
)  # fmt: skip
_CHAT_COLUMNS = (
    chats.c.chat_id, chats.c.title, chats.c.delivery, chats.c.disabled_reason,
    chats.c.digest_time, chats.c.digest_zone, chats.c.digest_sent_at, chats.c.time_zone,
)  # fmt: skip


def _deactivate(db: Connection, which: Any) -> int:
    """Stop the active subscriptions `which` selects, in the caller's transaction; how many."""
    done = db.execute(
        update(subscriptions).where(which, subscriptions.c.active).values(active=False)
    )
    return int(done.rowcount)


_STORY_KEY = ("chat_id", "thread_id", "story_id")


def _story_values(story: StoryAlert) -> dict[str, Any]:
    return {
        "chat_id": story.chat_id,
        "thread_id": story.thread_id,
        "story_id": story.story_id,
        "message_id": story.message_id,
        "title": story.title,
        "outlets": json.dumps([[o.name, o.url] for o in story.outlets]),
        "shown": json.dumps(story.shown),
        "editable": story.editable,
    }


def _story_is(story: StoryAlert) -> tuple[Any, ...]:
    return (
        story_alerts.c.chat_id == story.chat_id,
        story_alerts.c.thread_id == story.thread_id,
        story_alerts.c.story_id == story.story_id,
    )


def _settle(db: Connection, keys: Sequence[tuple[int, int, str]], status: AlertStatus) -> None:
    """Mark pending alerts sent or dropped, in the caller's transaction."""
    for key in keys:
        db.execute(
            update(alerts)
            .where(_alert_is(key), alerts.c.status == AlertStatus.PENDING.value)
            .values(status=status.value, sent_at=now_iso())
        )


def _alert_order(alert: NewAlert) -> tuple[int, int, str]:
    return (alert.chat_id, alert.subscription_id, alert.article_id)


def _alert_is(key: tuple[int, int, str]) -> Any:
    chat_id, subscription_id, article_id = key
    return and_(
        alerts.c.chat_id == chat_id,
        alerts.c.subscription_id == subscription_id,
        alerts.c.article_id == article_id,
    )


def _chat_info(row: Sequence[Any]) -> ChatInfo:
    chat_id, title, delivery, disabled_reason, at, zone, sent_at, time_zone = row
    digest = None if at is None else DigestTime(time.fromisoformat(at), zone or "UTC")
    return ChatInfo(chat_id, title, Delivery(delivery), disabled_reason, digest, sent_at, time_zone)


def _subscription(row: Sequence[Any]) -> Subscription:
    sub_id, chat_id, topic, every_article, sensitivity, created_at, active, blob = row[:8]
    thread_id, required, excluded = row[8:]
    return Subscription(
        sub_id, chat_id, topic, bool(every_article), Sensitivity(sensitivity), created_at,
        bool(active), np.frombuffer(bytes(blob), dtype=np.float32), int(thread_id),
        tuple(json.loads(required)), tuple(json.loads(excluded)),
    )  # fmt: skip


def _moved_to_chat(table: Table, old_chat_id: int, new_chat_id: int, key: Sequence[str]) -> Update:
    """The UPDATE that moves `table`'s rows of one chat to another, but for the rows whose `key`
    the new chat already has (they stay, rather than collide with its own)."""
    taken = table.alias("taken")
    return (
        update(table)
        .where(
            table.c.chat_id == old_chat_id,
            ~exists().where(
                taken.c.chat_id == new_chat_id, *(taken.c[k] == table.c[k] for k in key)
            ),
        )
        .values(chat_id=new_chat_id)
    )
