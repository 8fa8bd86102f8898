"""One event, one alert, as the news really arrives: three feeds served on 127.0.0.1 (two outlets'
copies of one port strike, and a near miss: another strike at another port, the same day) are
fetched by the running bot, indexed with their stories and alerted to a group. The second
outlet's copy comes later, after the alert went out: the alert is edited to name it, no new
message is sent, the near miss is an alert of its own and names no one, and a restart sends and
edits nothing (the real model, index and story assignment, and emulator; on FAISS and SQLite,
and on Milvus Lite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from bot.settings import BotSettings
from index import Embedder, IndexWriter, NewsIndex
from tests.bot.alerts.test_alerts_e2e import command, rounds
from tests.bot.alerts.test_feed_alerts_e2e import feeds_cli
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.conftest import SEEDS
from tests.emulator import BotApiEmulator
from tests.feed_server import FeedServer, running_server
from tests.index.feeds.samples import EVENT_STORIES, article_page, rss

pytestmark = pytest.mark.slow

TOPIC = "dock workers on strike at European ports"
ANTWERP = EVENT_STORIES["antwerp-bbc"][0]
ANTWERP_REUTERS = EVENT_STORIES["antwerp-reuters"][0]
ROTTERDAM = EVENT_STORIES["rotterdam-ap"][0]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from running_server()


def serve_feed(server: FeedServer, outlet: str, key: str, hours_ago: float) -> str:
    """One outlet's feed with one entry, and the entry's page; the feed's URL."""
    page = f"/{outlet.lower()}/{key}"
    server.serve(page, article_page(key))
    published = format_datetime(datetime.now(UTC) - timedelta(hours=hours_ago), usegmt=True)
    return server.serve(
        f"/{outlet.lower()}.xml",
        rss([(f"{outlet}-1", server.url(page), key)], dates={f"{outlet}-1": published}),
        "application/rss+xml",
    )


def alerts(emulator: BotApiEmulator) -> list[dict[str, Any]]:
    return [m for m in emulator.sent_messages(GROUP_ID) if m["text"].startswith("🔔 New article")]


async def until(check: Any, seconds: float = 120.0) -> None:
    for _ in range(int(seconds * 10)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


async def test_two_outlets_one_event_one_alert_edited_and_a_near_miss_apart(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder,
    feed_server: FeedServer, stores: dict[str, object],
) -> None:  # fmt: skip
    settings = bot_settings(
        emulator, alert_settings.data_dir, index_dir=alert_settings.resolved_index_dir,
        alert_interval_seconds=0.3, feeds_allow_private=True, feeds_check_seconds=0.3, **stores,
    )  # fmt: skip
    if stores:  # the sample index, in Milvus
        IndexWriter(settings, embedder).rebuild([SEEDS])
    bbc = serve_feed(feed_server, "BBC", "antwerp-bbc", hours_ago=3)
    ap = serve_feed(feed_server, "AP", "rotterdam-ap", hours_ago=2)
    reuters = serve_feed(feed_server, "Reuters", "antwerp-reuters", hours_ago=1)

    async with running_bot(settings, embedder):
        await command(emulator, GROUP_ID, USER_ID, f"/subscribe broad {TOPIC}")
        for url, outlet in ((bbc, "BBC"), (ap, "AP")):
            await asyncio.to_thread(
                feeds_cli, settings, "add", url, "--interval", "1h", "--source", outlet
            )
        await until(lambda: len(alerts(emulator)) >= 2)
        await rounds(4)
        first = {m["text"].split("\n")[2]: m for m in alerts(emulator)}
        assert set(first) == {ANTWERP, ROTTERDAM}, "the near miss is an event of its own"
        assert not any("Also reported by" in m["text"] for m in first.values())

        # Reuters' copy of the Antwerp strike comes in after its alert was sent.
        await asyncio.to_thread(
            feeds_cli, settings, "add", reuters, "--interval", "1h", "--source", "Reuters"
        )
        await until(lambda: any("Also reported by" in m["text"] for m in alerts(emulator)))
        await rounds(4)
        await asyncio.to_thread(feeds_cli, settings, "fetch")  # the same entries again
        await rounds(4)

    def settled() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return alerts(emulator), emulator.calls("editMessageText")

    shown, edits = settled()
    assert len(shown) == 2, [m["text"][:80] for m in shown]
    by_title = {m["text"].split("\n")[2]: m for m in shown}
    antwerp, rotterdam = by_title[ANTWERP], by_title[ROTTERDAM]
    assert antwerp["message_id"] == first[ANTWERP]["message_id"], "edited, not sent again"
    assert antwerp["text"] == first[ANTWERP]["text"] + "\n\nAlso reported by Reuters"
    link = antwerp["entities"][-1]
    assert link["type"] == "text_link" and link["url"] == feed_server.url(
        "/reuters/antwerp-reuters"
    )
    assert antwerp["reply_markup"] == first[ANTWERP]["reply_markup"]
    assert ANTWERP_REUTERS not in antwerp["text"], "the story's first article stays the one cited"
    assert rotterdam == first[ROTTERDAM], "the near miss is neither edited nor named"
    assert len(edits) == 1 and edits[0]["ok"]

    index = NewsIndex(settings, embedder)
    stories = {a.title: a.story_id for a in index.articles_indexed_since("")}
    assert stories[ANTWERP] == stories[ANTWERP_REUTERS] != stories[ROTTERDAM]

    # A restart: the same log, the same index; nothing is sent or edited again.
    async with running_bot(settings, embedder):
        await rounds(6)
        await asyncio.to_thread(feeds_cli, settings, "fetch")
        await rounds(6)
    assert settled() == (shown, edits)
    assert len(emulator.calls("sendMessage")) == 1 + 2, "the /subscribe reply and two alerts"
