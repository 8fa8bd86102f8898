"""The subscription store on a real SQLite file and a real PostgreSQL server: subscribe, list,
remove, migrate, alert once. The tests taking `database` run on both."""

from __future__ import annotations

import re
import socket
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import time
from pathlib import Path

import numpy as np
import psycopg
import pytest
from sqlalchemy import text

from bot.alerts.model import (
    AlertStatus,
    Delivery,
    DigestTime,
    NewAlert,
    Outlet,
    Sensitivity,
    StoryAlert,
)
from bot.alerts.subscriptions import SCHEMA_VERSION, SubscriptionStore
from bot.errors import SubscriptionsDatabaseError
from bot.migrate import head
from tests.bot.conftest import damage_past_header

VECTOR = np.arange(4, dtype=np.float32)


@pytest.fixture
def store(database: Path | str) -> Iterator[SubscriptionStore]:
    opened = SubscriptionStore(database)
    yield opened
    opened.close()


def test_subscribe_list_and_remove_by_number(store: SubscriptionStore) -> None:
    first = store.add(-100, "Russian attacks on the Baltic states", Sensitivity.NORMAL, VECTOR)
    store.add(-100, "all", Sensitivity.BROAD, VECTOR)
    store.add(42, "Estonia", Sensitivity.STRICT, VECTOR)
    listed = store.of_chat(-100)
    assert [s.topic for s in listed] == ["Russian attacks on the Baltic states", "all"]
    assert np.array_equal(listed[0].vector, VECTOR) and listed[0].sensitivity is Sensitivity.NORMAL
    assert store.remove(-100, 3) is None and store.remove(-100, 0) is None
    removed = store.remove(-100, 1)
    assert removed is not None and removed.id == first.id
    assert [s.topic for s in store.of_chat(-100)] == ["all"]
    assert store.remove_all(-100) == 1 and store.of_chat(-100) == []
    assert [s.chat_id for s in store.active()] == [42]


def test_subscribing_again_updates_and_keeps_the_start_time(store: SubscriptionStore) -> None:
    first = store.add(7, "Estonia", Sensitivity.STRICT, VECTOR)
    store.remove_all(7)
    again = store.add(7, "Estonia", Sensitivity.BROAD, VECTOR * 2)
    assert again.id == first.id and again.created_at == first.created_at
    assert again.sensitivity is Sensitivity.BROAD and again.active
    assert np.array_equal(again.vector, VECTOR * 2)


def test_forum_topics_have_their_own_subscriptions_filters_and_pending_alerts(
    store: SubscriptionStore,
) -> None:
    in_chat = store.add(-100, "Estonia", Sensitivity.NORMAL, VECTOR)
    in_topic = store.add(
        -100, "Estonia", Sensitivity.STRICT, VECTOR, thread_id=12,
        required_words=["Narva"], excluded_words=["football", "hockey"],
    )  # fmt: skip
    assert in_topic.id != in_chat.id, "the same topic in a forum topic is another subscription"
    assert (in_topic.thread_id, in_topic.required_words, in_topic.excluded_words) == (
        12, ("Narva",), ("football", "hockey"),
    )  # fmt: skip
    assert [s.id for s in store.of_chat(-100)] == [in_chat.id]
    assert [s.id for s in store.of_chat(-100, 12)] == [in_topic.id]
    assert {s.id for s in store.of_chat(-100, None)} == {in_chat.id, in_topic.id}
    again = store.add(-100, "Estonia", Sensitivity.STRICT, VECTOR, thread_id=12)
    assert again.id == in_topic.id and again.required_words == () == again.excluded_words
    store.record_matches([_match(-100, in_chat.id, "a"), _match(-100, in_topic.id, "a")], "")
    (pending,) = store.pending(Delivery.INSTANT).values()
    assert sorted(a.thread_id for a in pending) == [0, 12]
    assert store.close_thread(-100, 12) == 1
    assert [a.thread_id for a in store.pending(Delivery.INSTANT)[-100]] == [0]
    assert store.alert_counts() == {"pending": 1, "dropped": 1}
    assert store.remove(-100, 1, thread_id=12) is None
    assert store.remove_all(-100, 12) == 0 and store.remove_all(-100) == 1


def test_a_chat_keeps_its_digest_time_and_when_its_clock_started(store: SubscriptionStore) -> None:
    assert store.chat(5).digest_time is None
    store.set_delivery(5, Delivery.DAILY)
    started = store.chat(5).digest_sent_at
    assert started is not None and store.chat(5).digest_time is None
    store.set_delivery(5, Delivery.DAILY, DigestTime(time(7, 30), "Europe/Paris"))
    chat = store.chat(5)
    assert chat.digest_time == DigestTime(time(7, 30), "Europe/Paris")
    assert chat.digest_sent_at == started, "changing the time keeps today's digest due"
    store.set_delivery(5, Delivery.INSTANT)
    assert store.chat(5).digest_time == DigestTime(time(7, 30), "Europe/Paris")
    store.set_delivery(5, Delivery.DAILY)
    assert (store.chat(5).digest_sent_at or "") > started, "daily again: the clock restarts"
    store.digest_sent(5, "2030-01-01T00:00:00+00:00")
    assert store.chat(5).digest_sent_at == "2030-01-01T00:00:00+00:00"
    assert (store.chat(5).time_zone, store.chat(5).zone) == (None, "Europe/Paris")
    store.set_time_zone(5, "Asia/Tokyo")
    assert (store.chat(5).time_zone, store.chat(5).zone) == ("Asia/Tokyo", "Asia/Tokyo")
    assert store.chat(6).zone == "UTC", "a chat never seen"
    store.add(5, "Estonia", Sensitivity.NORMAL, VECTOR)
    assert store.migrate_chat(5, -1005) == 1
    assert store.chat(-1005).digest_time == DigestTime(time(7, 30), "Europe/Paris")
    assert store.chat(-1005).time_zone == "Asia/Tokyo", "the time zone moves along"


def _match(chat_id: int, sub_id: int, article_id: str) -> NewAlert:
    return NewAlert(chat_id, sub_id, article_id, 0.5, {"title": article_id})


def test_a_match_is_logged_once_and_survives_reopening(database: Path | str) -> None:
    store = SubscriptionStore(database)
    sub = store.add(-5, "Estonia", Sensitivity.NORMAL, VECTOR)
    assert store.record_matches([_match(-5, sub.id, "article-1")], "2026-01-01T00:00:01") == 1
    assert store.record_matches([_match(-5, sub.id, "article-1")], "2026-01-01T00:00:00") == 0
    assert store.scanned_until() == "2026-01-01T00:00:01"  # never moves back
    store.close()
    reopened = SubscriptionStore(database)
    assert reopened.alerted(["article-1", "article-2"]) == {(-5, sub.id, "article-1")}
    assert reopened.alerted([]) == set()
    (pending,) = reopened.pending(Delivery.INSTANT)[-5]
    assert pending.citation == {"title": "article-1"} and pending.topic == "Estonia"
    reopened.mark([pending.key], AlertStatus.SENT)
    assert reopened.pending(Delivery.INSTANT) == {}
    assert reopened.record_matches([_match(-5, sub.id, "article-1")], "") == 0
    assert reopened.alert_counts() == {"sent": 1}
    reopened.close()


def test_pending_alerts_follow_the_chats_delivery_and_active_subscriptions(
    store: SubscriptionStore,
) -> None:
    daily = store.add(-1, "Estonia", Sensitivity.NORMAL, VECTOR)
    instant = store.add(-2, "all", Sensitivity.NORMAL, None)
    stopped = store.add(-2, "Latvia", Sensitivity.NORMAL, VECTOR)
    assert instant.every_article and instant.vector.size == 0 and not daily.every_article
    store.set_delivery(-1, Delivery.DAILY)
    store.record_matches(
        [_match(-1, daily.id, "a"), _match(-2, instant.id, "a"), _match(-2, stopped.id, "b")], ""
    )
    assert store.deactivate(stopped.id) and not store.deactivate(stopped.id)
    assert [p.article_id for p in store.pending(Delivery.INSTANT)[-2]] == ["a"]
    assert list(store.pending(Delivery.DAILY)) == [-1]
    assert store.chat(-1).delivery is Delivery.DAILY


def test_a_disabled_chat_stops_and_drops_what_was_pending(store: SubscriptionStore) -> None:
    sub = store.add(-3, "Estonia", Sensitivity.NORMAL, VECTOR, chat_title="Readers")
    store.record_matches([_match(-3, sub.id, "a")], "")
    assert store.disable_chat(-3, "bot kicked") == 1
    assert store.of_chat(-3) == [] and store.pending(Delivery.INSTANT) == {}
    assert store.alert_counts() == {"dropped": 1}
    assert store.chat(-3).disabled_reason == "bot kicked" and store.chat(-3).title == "Readers"
    store.add(-3, "Estonia", Sensitivity.NORMAL, VECTOR)  # subscribing again re-enables it
    assert store.chat(-3).disabled_reason is None and len(store.of_chat(-3)) == 1


def test_a_migrated_group_keeps_its_subscriptions_and_log(store: SubscriptionStore) -> None:
    sub = store.add(-5, "Estonia", Sensitivity.NORMAL, VECTOR)
    store.set_delivery(-5, Delivery.DAILY)
    store.record_matches([_match(-5, sub.id, "article-1")], "")
    assert store.migrate_chat(-5, -1005) == 1
    assert store.of_chat(-5) == [] and [s.topic for s in store.of_chat(-1005)] == ["Estonia"]
    assert store.alerted(["article-1"]) == {(-1005, sub.id, "article-1")}
    assert store.chat(-1005).delivery is Delivery.DAILY


def test_story_alerts_are_recorded_with_their_message_edited_and_left_alone(
    store: SubscriptionStore,
) -> None:
    sub = store.add(-5, "dock strike", Sensitivity.NORMAL, VECTOR, thread_id=3)
    store.record_matches(
        [
            NewAlert(-5, sub.id, "bbc-1", 0.7, {"title": "a"}, "s1"),
            NewAlert(-5, sub.id, "end-1", 0.7, {"title": "b"}, "s2", follows="s1"),
            NewAlert(-5, sub.id, "old-1", 0.7, {"title": "c"}),  # no story: its own
        ],
        "",
    )
    pending = {p.article_id: p for p in store.pending(Delivery.INSTANT)[-5]}
    assert (pending["bbc-1"].story, pending["end-1"].story, pending["old-1"].story) == (
        "s1", "s2", "old-1",
    )  # fmt: skip
    assert (pending["end-1"].follows, pending["bbc-1"].follows) == ("s1", None)

    shown = {"citation": {"title": "a"}, "topics": ["dock strike"], "buttons": [[sub.id, "x"]]}
    sent = StoryAlert(-5, 3, "s1", 41, "Dock workers walk out", (), shown)
    store.mark([(-5, sub.id, "bbc-1")], AlertStatus.SENT, [sent])
    assert store.alert_counts() == {"sent": 1, "pending": 2}
    assert store.story_alerts(-5, 3, ["s1", "s2"]) == {"s1": sent}
    assert store.story_alerts(-5, 0, ["s1"]) == {}, "another forum topic has its own"

    store.record_matches([NewAlert(-5, sub.id, "rtr-1", 0.7, {"title": "r"}, "s1")], "")
    more = replace(sent, outlets=(Outlet("Reuters", "https://reuters.example/1"), Outlet("AP")))
    store.story_edited(more, [(-5, sub.id, "rtr-1")])
    assert store.story_alerts(-5, 3, ["s1"])["s1"].outlets == more.outlets
    assert store.alert_counts() == {"sent": 2, "pending": 2}

    store.record_matches([NewAlert(-5, sub.id, "ap-2", 0.7, {"title": "p"}, "s1")], "")
    store.story_uneditable(more, [(-5, sub.id, "ap-2")])
    assert not store.story_alerts(-5, 3, ["s1"])["s1"].editable
    assert store.alert_counts() == {"sent": 2, "pending": 2, "dropped": 1}

    digest = StoryAlert(-5, 3, "s2", None, "Strike ends", (), shown)
    store.mark([(-5, sub.id, "end-1"), (-5, sub.id, "old-1")], AlertStatus.SENT, [digest])
    assert store.story_alerts(-5, 3, ["s2"])["s2"].message_id is None
    assert store.migrate_chat(-5, -1005) == 1
    assert store.story_alerts(-5, 3, ["s1", "s2"]) == {}
    assert set(store.story_alerts(-1005, 3, ["s1", "s2"])) == {"s1", "s2"}


def test_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.sqlite"
    SubscriptionStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(SubscriptionsDatabaseError, match="upgrade the program"):
        SubscriptionStore(path)


def _store_with_subscriptions(path: Path) -> None:
    store = SubscriptionStore(path)
    for chat_id in (-100, -200, 42):
        store.add(chat_id, "Russian attacks on the Baltic states", Sensitivity.NORMAL, VECTOR)
        store.add(chat_id, "all", Sensitivity.BROAD, None)
    store.close()


def test_a_database_damaged_past_its_header_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.sqlite"
    _store_with_subscriptions(path)
    damage_past_header(path)
    with pytest.raises(SubscriptionsDatabaseError) as refused:
        SubscriptionStore(path)
    message = str(refused.value)
    assert message.startswith(f"the subscriptions database {path} is damaged (")
    assert message.endswith(
        "No backup of it was kept: move it away (with any subscriptions.sqlite-wal and "
        "subscriptions.sqlite-shm beside it) to start with no subscriptions."
    )
    assert path.stat().st_size > 4096, "the damaged file is left as it was"


def test_an_empty_database_file_is_refused_and_a_missing_one_created(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.sqlite"
    path.touch()
    with pytest.raises(SubscriptionsDatabaseError, match=r"is an empty file \(0 bytes\)"):
        SubscriptionStore(path)
    assert path.stat().st_size == 0, "not turned into a new database"
    path.unlink()
    SubscriptionStore(path).close()
    created = sqlite3.connect(path)
    assert created.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    created.close()
    assert not list(tmp_path.glob("*.bak-v*")), "no backup of nothing"


def test_a_migration_keeps_a_backup_which_a_refusal_then_names(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.sqlite"
    old = sqlite3.connect(path)  # schema version 0: a header, no tables yet
    old.execute("PRAGMA journal_mode=WAL")
    old.close()
    assert path.stat().st_size > 0
    _store_with_subscriptions(path)
    backup = tmp_path / "subscriptions.sqlite.bak-v0"
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 0, "the database as it was"
    assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    copy.close()

    damage_past_header(path)
    with pytest.raises(SubscriptionsDatabaseError) as refused:
        SubscriptionStore(path)
    assert str(refused.value).endswith(
        "Stop the bot, delete any subscriptions.sqlite-wal and subscriptions.sqlite-shm beside it "
        f"and copy the backup {backup} over it; or move it away (with any subscriptions.sqlite-wal"
        " and subscriptions.sqlite-shm beside it) to start with no subscriptions."
    )
    path.write_bytes(b"")  # truncated: refused as well, naming the same backup
    with pytest.raises(SubscriptionsDatabaseError, match=re.escape(f"copy the backup {backup} ")):
        SubscriptionStore(path)


def test_a_database_with_foreign_tables_and_no_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE notes (text TEXT)")
    other.close()
    with pytest.raises(SubscriptionsDatabaseError, match="not a subscriptions database"):
        SubscriptionStore(path)


# The schema of `user_version` 1, as databases made before alembic migrations have it.
_SCHEMA_V1 = """
CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, title TEXT,
    delivery TEXT NOT NULL DEFAULT 'instant', disabled_at TEXT, disabled_reason TEXT);
CREATE TABLE subscriptions (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, topic TEXT NOT NULL,
    every_article INTEGER NOT NULL DEFAULT 0, sensitivity TEXT NOT NULL, created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, vector BLOB NOT NULL, UNIQUE (chat_id, topic));
CREATE TABLE alerts (chat_id INTEGER NOT NULL,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id), article_id TEXT NOT NULL,
    score REAL NOT NULL, citation TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
    matched_at TEXT NOT NULL, sent_at TEXT, PRIMARY KEY (chat_id, subscription_id, article_id));
CREATE INDEX alerts_pending ON alerts(status, chat_id);
CREATE TABLE scan_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO chats VALUES (-100, 'Readers', 'daily', NULL, NULL);
INSERT INTO subscriptions VALUES (1, -100, 'Estonia', 0, 'strict', '2026-01-01T00:00:00', 1, x'');
INSERT INTO alerts VALUES (-100, 1, 'article-1', 0.7, '{"title": "article-1"}', 'sent',
    '2026-01-02T00:00:00', '2026-01-02T00:00:01');
INSERT INTO scan_state VALUES ('scanned_until', '2026-01-02T00:00:00');
PRAGMA user_version = 1;
"""


def test_a_database_of_schema_version_1_is_upgraded_in_place_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.sqlite"
    old = sqlite3.connect(path)
    old.execute("PRAGMA journal_mode=WAL")
    old.executescript(_SCHEMA_V1)
    old.close()
    store = SubscriptionStore(path)
    (sub,) = store.of_chat(-100)
    assert (sub.topic, sub.sensitivity, sub.every_article) == ("Estonia", Sensitivity.STRICT, False)
    assert (
        store.chat(-100).delivery is Delivery.DAILY
        and store.scanned_until() == "2026-01-02T00:00:00"
    )
    assert store.alerted(["article-1"]) == {(-100, 1, "article-1")} and store.alert_counts() == {
        "sent": 1
    }
    assert store.record_matches([_match(-100, 1, "article-1"), _match(-100, 1, "b")], "") == 1
    store.close()
    upgraded = sqlite3.connect(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert upgraded.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head()
    upgraded.close()
    backup = sqlite3.connect(tmp_path / "subscriptions.sqlite.bak-v1")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1, "the database as it was"
    assert backup.execute("SELECT count(*) FROM alerts").fetchone()[0] == 1
    assert not backup.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
    ).fetchall()
    backup.close()
    SubscriptionStore(path).close()  # up to date now: no second backup
    assert [p.name for p in tmp_path.glob("*.bak-v*")] == ["subscriptions.sqlite.bak-v1"]


def test_an_unknown_schema_revision_is_refused(database: Path | str) -> None:
    store = SubscriptionStore(database)
    with store._write() as db:  # as a newer version of the program would leave it
        db.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(
        SubscriptionsDatabaseError, match=r"schema version 9999.*upgrade the program"
    ):
        SubscriptionStore(database)


def test_a_postgresql_database_holding_our_tables_without_a_version_is_refused(
    postgres_url: str,
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("CREATE TABLE unrelated (id integer)")  # someone else's table is no bother
    SubscriptionStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("DROP TABLE alembic_version")
    with pytest.raises(SubscriptionsDatabaseError, match="not a subscriptions database"):
        SubscriptionStore(postgres_url)


def test_replicas_starting_together_and_scanning_the_same_articles_log_each_match_once(
    database: Path | str,
) -> None:
    """Four stores on one database, as four replicas: they create the schema at the same
    moment, then record the same matches at the same moment; each match is logged once."""
    start = threading.Barrier(4)
    stores: list[SubscriptionStore] = []

    def open_store() -> SubscriptionStore:
        start.wait()
        return SubscriptionStore(database)

    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: open_store(), range(4)))
    sub = stores[0].add(-7, "Estonia", Sensitivity.NORMAL, VECTOR)
    matches = [_match(-7, sub.id, f"article-{n}") for n in range(20)]

    def record(store: SubscriptionStore, scanned: str) -> int:
        start.wait()
        return store.record_matches(matches, scanned)

    scans = [f"2026-01-01T00:00:0{n}" for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        added = list(pool.map(record, stores, scans))
    assert sum(added) == 20
    assert len(stores[3].pending(Delivery.INSTANT)[-7]) == 20
    assert stores[1].scanned_until() == max(scans), "the scan never moves back"
    for store in stores:
        store.close()


def test_an_unreachable_server_is_one_error_without_the_password() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://newsbot:s3cret-word@127.0.0.1:{port}/newsbot"
    with pytest.raises(SubscriptionsDatabaseError) as refused:
        SubscriptionStore(url)
    message = str(refused.value)
    assert message.startswith(
        f"cannot open the subscriptions database postgresql+psycopg://newsbot:***@127.0.0.1:{port}/newsbot: "
    )
    assert "s3cret-word" not in message


def test_one_replica_at_a_time_delivers(database: Path | str) -> None:
    first, second = SubscriptionStore(database), SubscriptionStore(database)
    holding, other = first.delivery_lock(Delivery.INSTANT), second.delivery_lock(Delivery.INSTANT)
    assert holding.acquire()
    on_postgresql = isinstance(database, str)
    assert other.acquire() is not on_postgresql, "SQLite has one bot process: never held back"
    other.release()
    digest = second.delivery_lock(Delivery.DAILY)
    assert digest.acquire(), "a daily digest is not held back by an instant round"
    digest.release()
    holding.release()
    assert other.acquire(), "free again once released"
    other.release()
    first.close()
    second.close()
