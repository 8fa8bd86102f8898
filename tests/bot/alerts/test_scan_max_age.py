"""ALERT_MAX_AGE in the real scan: on a real index (the real model) and a real SQLite alert log,
an old article on a followed topic is indexed but not alerted, instantly or in a digest; a
fresh one is, and so is one without a date that was just indexed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.model import Delivery, Sensitivity
from bot.alerts.scan import AlertScanner
from bot.alerts.subscriptions import SubscriptionStore
from bot.application import short_topics, thresholds
from bot.settings import BotSettings
from index import Embedder, IndexWriter, NewsIndex
from tests.bot.alerts.test_alerts_e2e import BALTIC_TOPIC, ESTONIA_BODY
from tests.conftest import write_article

pytestmark = pytest.mark.slow

INSTANT_CHAT, DIGEST_CHAT, EVERYTHING_CHAT = -100, -200, -300
TITLES = {
    "old": "Estonia reported Russian drones over its border last winter",
    "fresh": "Estonia reports Russian military drones over its eastern border",
    "undated": "Estonian border guard counts Russian drone flights near Narva",
    "future": "Estonia reports Russian drones again, says a feed with a wrong clock",
}


@pytest.fixture
def settings(isolated_environment: Path) -> BotSettings:
    return BotSettings(_env_file=None, data_dir=isolated_environment)  # type: ignore[call-arg]


@pytest.fixture
def store(settings: BotSettings) -> Iterator[SubscriptionStore]:
    opened = SubscriptionStore(settings.resolved_subscriptions_db)
    yield opened
    opened.close()


def write_articles(folder: Path) -> None:
    long_ago = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    write_article(folder, "old.md", TITLES["old"], ESTONIA_BODY, published=long_ago)
    write_article(folder, "fresh.md", TITLES["fresh"], ESTONIA_BODY.replace("Tuesday", "Monday"))
    (folder / "undated.md").write_text(
        f"---\ntitle: {TITLES['undated']}\nsource: Test Wire\n---\n"
        + ESTONIA_BODY.replace("three times", "four times")
        + "\n",
        "utf-8",
    )
    write_article(
        folder, "future.md", TITLES["future"], ESTONIA_BODY.replace("Tuesday", "Friday"),
        published="2999-01-01",
    )  # fmt: skip


def alerted_titles(
    store: SubscriptionStore, index: NewsIndex, delivery: Delivery, chat_id: int
) -> set[str]:
    titles = {a.id: a.title for a in index.articles_indexed_since("")}
    return {titles[p.article_id] for p in store.pending(delivery).get(chat_id, [])}


def test_only_recent_articles_are_alerted_and_old_ones_are_indexed_all_the_same(
    settings: BotSettings,
    store: SubscriptionStore,
    embedder: Embedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    writer = IndexWriter(settings, embedder)
    seed = tmp_path / "seed"
    write_article(seed, "harbour.md", "A harbour opens", "The port opened a new terminal.")
    writer.rebuild([seed])
    index = NewsIndex(settings, embedder)
    vector = index.embed_topic(BALTIC_TOPIC)
    store.add(INSTANT_CHAT, BALTIC_TOPIC, Sensitivity.NORMAL, vector)
    store.add(DIGEST_CHAT, BALTIC_TOPIC, Sensitivity.NORMAL, vector)
    store.set_delivery(DIGEST_CHAT, Delivery.DAILY)
    store.add(EVERYTHING_CHAT, "all", Sensitivity.NORMAL, None)

    write_articles(tmp_path / "new")
    writer.add([tmp_path / "new"])
    scanner = AlertScanner(
        index, store, thresholds(settings), settings.alert_max_age_timedelta, short_topics(settings)
    )
    with caplog.at_level("INFO", logger="bot.alerts.scan"):
        assert scanner.scan() > 0
    too_old = [r.getMessage() for r in caplog.records if "too old" in r.getMessage()]
    assert too_old == [
        "alert scan: 1 new article(s) too old to alert (ALERT_MAX_AGE), indexed only"
    ]

    expected = {TITLES["fresh"], TITLES["undated"], TITLES["future"]}
    assert alerted_titles(store, index, Delivery.INSTANT, INSTANT_CHAT) == expected
    assert alerted_titles(store, index, Delivery.DAILY, DIGEST_CHAT) == expected, "nor in a digest"
    assert alerted_titles(store, index, Delivery.INSTANT, EVERYTHING_CHAT) == expected
    assert TITLES["old"] in {a.title for a in index.articles_indexed_since("")}
    hits = index.search("Russian drones over Estonia last winter", 10)
    assert TITLES["old"] in {h.title for h in hits}, "searchable, only not alerted"

    assert scanner.scan() == 0, "passed over for good, not retried"
    assert TITLES["old"] not in alerted_titles(store, index, Delivery.INSTANT, INSTANT_CHAT)
