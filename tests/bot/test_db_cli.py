"""`python -m bot db upgrade|current|copy` and `python -m bot subscriptions` in subprocesses, on the
SQLite file and on PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.alerts.model import AlertStatus, Delivery, NewAlert, Outlet, Sensitivity, StoryAlert
from bot.alerts.subscriptions import SubscriptionStore
from bot.migrate import head
from index.feeds.registry import FeedStore

pytestmark = pytest.mark.slow


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=300,
        check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_upgrade_and_current_on_the_sqlite_file(isolated_environment: Path) -> None:
    database = isolated_environment / "subscriptions.sqlite"
    assert (
        run("db", "current").stdout
        == f"{database}: no database yet (made at the first start, or by `db upgrade`)\n"
    )
    assert not database.exists()
    assert run("db", "upgrade").stdout == f"{database}: created, schema {head()}\n"
    assert run("db", "upgrade").stdout == f"{database}: schema {head()}, up to date\n"
    assert run("db", "current").stdout == f"{database}: schema {head()}, up to date\n"
    assert not list(isolated_environment.glob("*.bak-v*"))
    database.write_bytes(b"")
    refused = run("db", "current")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(
        f"error: the subscriptions database {database} is an empty file"
    )


def test_postgresql_through_database_url_never_shows_its_password(postgres_url: str) -> None:
    # The test server trusts local connections: the password is sent nowhere, only shown.
    url = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:s3cret-word@")
    env = {"DATABASE_URL": url}
    shown = url.replace("postgresql://", "postgresql+psycopg://").replace("s3cret-word", "***")
    before = run("db", "current", env=env)
    assert before.returncode == 0, before.stderr
    assert before.stdout == (
        f"{shown}: schema empty, this program's is {head()}: `python -m bot db upgrade` "
        "(or starting the bot) upgrades it\n"
    )
    assert (
        run("db", "upgrade", env=env).stdout == f"{shown}: schema upgraded from empty to {head()}\n"
    )
    assert run("db", "current", env=env).stdout == f"{shown}: schema {head()}, up to date\n"

    assert run("subscriptions", "add", "-100123", "all", env=env).returncode == 0
    assert run("subscriptions", "digest", "-100123", "daily", env=env).returncode == 0
    listed = run("subscriptions", "list", env=env)
    assert (
        "chat -100123 (untitled) · daily" in listed.stdout
        and "1. every new article" in listed.stdout
    )
    store = SubscriptionStore(postgres_url)
    (every,) = store.of_chat(-100123)
    assert every.every_article
    store.close()
    for result in (before, listed):
        assert "s3cret-word" not in result.stdout + result.stderr


def test_a_database_url_of_another_kind_is_refused_at_start() -> None:
    refused = run("db", "current", env={"DATABASE_URL": "mysql://bot:pw@db/bot"})
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "error: DATABASE_URL: must be postgresql://user:password@host:5432/database or "
        "sqlite:///path/to/file\n"
    )


def test_copy_moves_a_sqlite_bot_into_an_empty_postgresql_database(
    isolated_environment: Path, postgres_url: str
) -> None:
    source = isolated_environment / "old" / "subscriptions.sqlite"
    source.parent.mkdir(parents=True)
    old = SubscriptionStore(source)
    vector = np.arange(4, dtype=np.float32)
    estonia = old.add(-100, "Estonia", Sensitivity.STRICT, vector, chat_title="Baltic news")
    every = old.add(-100, "all", Sensitivity.NORMAL, None)
    old.add(42, "Latvia", Sensitivity.BROAD, vector * 2)
    old.set_delivery(-100, Delivery.DAILY)
    old.set_time_zone(-100, "Europe/Tallinn")
    old.record_matches(
        [NewAlert(-100, estonia.id, "a-1", 0.7, {"title": "One"}),
         NewAlert(-100, every.id, "a-2", 1.0, {"title": "Two"})],
        "2026-11-30T08:00:00",
    )  # fmt: skip
    story = StoryAlert(-100, 0, "a-1", 5, "One", (Outlet("AP", None),), {"citation": {}})
    old.mark([(-100, estonia.id, "a-1")], AlertStatus.SENT, [story])
    old.disable_chat(42, "Forbidden: bot was kicked")
    old.close()
    feeds = FeedStore(source)
    feed = feeds.add("https://example.com/world.xml", interval_seconds=900, source="Wire")
    feeds.remember(feed.id, "wire-story", ["guid:wire-1", "url:https://example.com/story"])
    feeds.close()
    env = {"DATABASE_URL": postgres_url}

    copied = run("db", "copy", str(source), env=env)
    assert copied.returncode == 0, copied.stderr
    assert (
        "copied 2 chats, 3 subscriptions, 2 alerts, 1 story_alerts, 1 scan_state, 1 feeds, "
        "2 feed_seen" in copied.stdout
    )
    moved = FeedStore(postgres_url)
    try:
        (listed,) = moved.list_feeds()
        assert (listed.id, listed.url, listed.source) == (feed.id, feed.url, "Wire")
        assert moved.seen(["guid:wire-1", "url:https://example.com/story", "guid:x"]) == {
            "guid:wire-1", "url:https://example.com/story",
        }  # fmt: skip
        assert moved.add("https://example.com/more.xml", interval_seconds=60).id > feed.id
    finally:
        moved.close()

    new = SubscriptionStore(postgres_url)
    try:
        subscribed = new.of_chat(-100)
        assert [(s.id, s.topic, s.sensitivity, s.created_at) for s in subscribed] == [
            (estonia.id, "Estonia", Sensitivity.STRICT, estonia.created_at),
            (every.id, "all", Sensitivity.NORMAL, every.created_at),
        ]
        assert np.array_equal(subscribed[0].vector, vector) and subscribed[1].every_article
        assert new.chat(-100).delivery is Delivery.DAILY and new.chat(-100).title == "Baltic news"
        assert new.chat(-100).time_zone == "Europe/Tallinn"
        assert [s.chat_id for s in new.active()] == [-100, -100], "chat 42 stays disabled"
        assert new.scanned_until() == "2026-11-30T08:00:00"
        assert new.alert_counts() == {"sent": 1, "pending": 1}
        assert [a.article_id for a in new.pending(Delivery.DAILY)[-100]] == ["a-2"]
        assert new.story_alerts(-100, 0, ["a-1"]) == {"a-1": story}, "edited, not sent again"
        later = new.add(7, "Lithuania", Sensitivity.NORMAL, vector)
        assert later.id > max(s.id for s in subscribed), "new ids continue after the copied ones"
    finally:
        new.close()

    again = run("db", "copy", str(source), env=env)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith("error: ") and "already holds" in again.stderr
    assert "copy into an empty database only" in again.stderr
