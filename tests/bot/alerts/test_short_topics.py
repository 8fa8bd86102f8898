"""Short topics in the scan: which subscriptions are matched by the lead passage (pure), and on a
real index (the real model, a real SQLite alert log) what that changes for a one-word topic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.alerts.model import Delivery, Sensitivity, Subscription
from bot.alerts.scan import AlertScanner, split_by_length
from bot.alerts.subscriptions import SubscriptionStore
from bot.application import short_topics, thresholds
from bot.settings import BotSettings
from index import Embedder, IndexWriter, NewsIndex
from tests.conftest import write_article
from tests.index.search.test_topic_matching import (
    BUDGET_BODY,
    BUDGET_TITLE,
    RIVER_BODY,
    RIVER_TITLE,
)

CHAT = -100


def subscription(number: int, topic: str, every_article: bool = False) -> Subscription:
    return Subscription(
        number, CHAT, topic, every_article, Sensitivity.NORMAL, "2026-01-01T00:00:00+00:00",
        True, np.zeros(4, dtype=np.float32),
    )  # fmt: skip


def test_topics_of_one_or_two_words_are_short_and_every_article_is_neither() -> None:
    subscriptions = [
        subscription(1, "floods"),
        subscription(2, "Russian attacks on Estonia"),
        subscription(3, "Ukraine grain"),
        subscription(4, "all", every_article=True),
        subscription(5, "what about the floods?"),  # filler words do not count
        subscription(6, "grain exports from Odesa"),
    ]
    short, long = split_by_length(subscriptions, 2)
    assert [s.id for s in short] == [1, 3, 5]
    assert [s.id for s in long] == [2, 6]
    assert split_by_length(subscriptions, 1) == ([short[0], short[2]], [long[0], short[1], long[1]])
    off = split_by_length(subscriptions, 0)
    assert off == ([], [s for s in subscriptions if not s.every_article]), "0 turns it off"


@pytest.fixture
def settings(isolated_environment: Path) -> BotSettings:
    return BotSettings(_env_file=None, data_dir=isolated_environment)  # type: ignore[call-arg]


@pytest.fixture
def store(settings: BotSettings) -> Iterator[SubscriptionStore]:
    opened = SubscriptionStore(settings.resolved_subscriptions_db)
    yield opened
    opened.close()


@pytest.mark.slow
@pytest.mark.parametrize("most_words", [2, 0])
def test_a_one_word_topic_follows_the_lead(
    settings: BotSettings,
    store: SubscriptionStore,
    embedder: Embedder,
    tmp_path: Path,
    most_words: int,
) -> None:
    """With short topics on (the default), "floods" alerts on the river story, whose lead says
    it in other words, and not on the budget story that names floods only at its end; with
    ALERT_SHORT_TOPIC_WORDS=0 (every topic by its best passage) it is the other way round."""
    settings = settings.model_copy(update={"alert_short_topic_words": most_words})
    writer = IndexWriter(settings, embedder)
    write_article(tmp_path / "seed", "harbour.md", "A harbour opens", "The port opened a terminal.")
    writer.rebuild([tmp_path / "seed"])
    index = NewsIndex(settings, embedder)
    store.add(CHAT, "floods", Sensitivity.NORMAL, index.embed_topic("floods"))
    write_article(tmp_path / "new", "river.md", RIVER_TITLE, RIVER_BODY)
    write_article(tmp_path / "new", "budget.md", BUDGET_TITLE, BUDGET_BODY)
    writer.add([tmp_path / "new"])
    scanner = AlertScanner(
        index, store, thresholds(settings), settings.alert_max_age_timedelta, short_topics(settings)
    )
    scanner.scan()
    titles = {a.id: a.title for a in index.articles_indexed_since("")}
    pending = store.pending(Delivery.INSTANT).get(CHAT, [])
    alerted = {titles[p.article_id] for p in pending}
    assert alerted == ({RIVER_TITLE} if most_words else {BUDGET_TITLE})
