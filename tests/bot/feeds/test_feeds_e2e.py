"""Feeds in the bot end to end: the real Application and JobQueue on the Bot API emulator, a
real feed served on 127.0.0.1, the real index writer and model."""

from __future__ import annotations

import asyncio
import shutil
import signal
import time
from pathlib import Path

import pytest

from index import Embedder, NewsIndex
from index.feeds.dedup import guid_key, keys, url_key
from index.feeds.registry import FeedStore
from tests.bot.alerts.test_alerts_e2e import command
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.bot.test_entry_point import start_bot
from tests.emulator import BotApiEmulator, utf16_len
from tests.feed_server import FeedServer, running_server
from tests.index.feeds.samples import STORIES, article_page, rss

pytestmark = pytest.mark.slow

OTHER_USER = 5151


@pytest.fixture
def feed_server() -> object:
    yield from running_server()


async def test_an_admin_adds_a_feed_others_are_refused_and_the_job_indexes_it(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    embedder: Embedder, feed_server: FeedServer,
) -> None:  # fmt: skip
    index_dir = isolated_environment / "index"
    shutil.copytree(seed_index_dir, index_dir, symlinks=True)
    emulator.user(OTHER_USER, "Bob", username="bob")
    emulator.private_chat(OTHER_USER)
    settings = bot_settings(
        emulator, isolated_environment, index_dir=index_dir, admin_user_ids=[USER_ID],
        feeds_allow_private=True, feeds_check_seconds=0.3, alert_interval_seconds=0.3,
    )  # fmt: skip
    feed_server.serve("/story/bridge", article_page("bridge"))
    url = feed_server.serve("/rss.xml", rss([("g-1", feed_server.url("/story/bridge"), "bridge")]))
    title = STORIES["bridge"][0]
    async with running_bot(settings, embedder):
        refused = await command(emulator, OTHER_USER, OTHER_USER, f"/feeds add {url}")
        assert "managed by the bot's admins" in refused["text"]
        in_group = await command(emulator, GROUP_ID, USER_ID, "/feeds")
        assert "managed by the bot's admins" in in_group["text"]
        assert feed_server.requests == []
        bad = await command(emulator, USER_ID, USER_ID, "/feeds add ftp://example.com/x")
        assert "only http and https" in bad["text"]
        added = await command(emulator, USER_ID, USER_ID, f"/feeds add {url} 30m")
        assert f"Feed 1 added: {url}, fetched every 30m" in added["text"]
        deadline = time.monotonic() + 120
        while title not in {a.title for a in NewsIndex(settings, embedder).list_articles()}:
            assert time.monotonic() < deadline, "the feed job did not index the feed's entry"
            await asyncio.sleep(0.3)
        listed = await command(emulator, USER_ID, USER_ID, "/feeds")
        assert f"1. {url} · every 30m" in listed["text"]
        removed = await command(emulator, USER_ID, USER_ID, "/feeds remove 1")
        assert "Feed 1 removed" in removed["text"]
        usage = await command(emulator, USER_ID, USER_ID, "/feeds frobnicate")
        assert "/feeds add" in usage["text"]
    hits = NewsIndex(settings, embedder).search("cycling bridge over the Tagus in Lisbon", 1)
    assert hits and hits[0].title == title


def test_sigterm_stops_a_long_feed_round_within_seconds_and_loses_nothing(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path,
    feed_server: FeedServer,
) -> None:  # fmt: skip
    """`python -m bot` stopped while a feed's pages take minutes to answer: it exits at once,
    cleanly, and the entry it was reading is read again by the next round."""
    shutil.copytree(seed_index_dir, isolated_environment / "index", symlinks=True)
    feed_server.pages("/slow/", status=200, seconds=240)
    url = feed_server.serve("/rss.xml", rss([("g-1", feed_server.url("/slow/bridge"), "bridge")]))
    store = FeedStore(isolated_environment / "subscriptions.sqlite")
    store.add(url, interval_seconds=900)
    store.close()
    process = start_bot(
        emulator, FEEDS_ALLOW_PRIVATE="true", FEEDS_CHECK_SECONDS="0.5",
        ALERT_INTERVAL_SECONDS="0.5", FEEDS_TIMEOUT_SECONDS="300",
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not feed_server.requests_to("/slow/bridge"):
            assert time.monotonic() < deadline, "the feed round never reached the page"
            assert process.poll() is None, "the bot stopped by itself"
            time.sleep(0.2)
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=200)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert took < 30, f"stopping took {took:.0f} s: the round was waited out ({output[-2000:]})"
    assert "feeds: stopped mid-round" in output
    assert feed_server.answered == []
    store = FeedStore(isolated_environment / "subscriptions.sqlite")
    try:
        link = feed_server.url("/slow/bridge")
        assert not store.seen(keys(guid_key(1, "g-1"), url_key(link)))  # read again next round
    finally:
        store.close()


async def test_a_long_feed_list_comes_in_several_messages_and_a_long_url_is_quoted_in_part(
    emulator: BotApiEmulator, isolated_environment: Path, seed_index_dir: Path, embedder: Embedder
) -> None:
    settings = bot_settings(
        emulator, isolated_environment, index_dir=seed_index_dir, admin_user_ids=[USER_ID],
        feeds_check_seconds=3600,  # no round during the test: the URLs are never fetched
    )  # fmt: skip
    urls = [f"https://feeds{i:02d}.example.com/{'section/' * 25}rss.xml" for i in range(40)]
    store = FeedStore(settings.database)
    for url in urls:
        store.add(url, interval_seconds=900)
    store.close()
    async with running_bot(settings, embedder):
        before = len(emulator.sent_messages(USER_ID))
        emulator.send_message(USER_ID, USER_ID, "/feeds")
        for _ in range(400):
            shown = [m["text"] for m in emulator.sent_messages(USER_ID)[before:]]
            if any(urls[-1] in t or "went wrong" in t for t in shown):
                break
            await asyncio.sleep(0.05)
        assert len(shown) >= 2 and all(utf16_len(t) <= 4096 for t in shown), shown
        assert shown[0].startswith("Feeds\n1. ") and all(u in "\n".join(shown) for u in urls)

        long_url = "https://example.com/" + "a" * 4050
        added = await command(emulator, USER_ID, USER_ID, f"/feeds add {long_url}")
        assert added["text"].startswith("✅ Feed 41 added: https://example.com/aaa")
        assert "…" in added["text"] and utf16_len(added["text"]) < 1000
        refused = await command(emulator, USER_ID, USER_ID, "/feeds add ftp://" + "b" * 4070)
        assert "only http and https" in refused["text"] and utf16_len(refused["text"]) < 1000
