"""Find which newly indexed articles match which subscriptions, and log them as pending alerts.

Each match is logged with its article's story and the story that story develops
(`index.stories`), so delivery sends one alert per story (`bot.alerts.stories`). Short topics
("floods") are matched by an article's lead passage alone, against thresholds of their own
(`ShortTopics`); longer ones by its best passage.

Blocking (index reads, a little model work for the bold sentence): run it in a worker thread.
Sending is `bot.alerts.delivery`'s job; this module never talks to Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.alerts.filters import passes
from bot.alerts.freshness import recent_enough
from bot.alerts.model import NewAlert, Sensitivity, Subscription
from bot.alerts.subscriptions import SubscriptionStore
from index import ArticleSummary, BestPassage, NewsIndex, hit_record, is_short_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The cosine score an article's best passage needs, per sensitivity."""

    strict: float
    normal: float
    broad: float
    lexical_weight: float = 0.0
    """Weight of the topic's words found in the passage, added to the cosine before comparing."""

    def of(self, sensitivity: Sensitivity) -> float:
        return float(getattr(self, sensitivity.value))


@dataclass(frozen=True, slots=True)
class ShortTopics:
    """Topics of one to `most_words` words (`index.is_short_topic`; 0 turns this off): scored by
    an article's lead passage alone, against `thresholds` (with their own lexical weight)."""

    most_words: int
    thresholds: Thresholds


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """Subscriptions matched together: one `match_articles` call, one set of thresholds."""

    subscriptions: list[Subscription]
    thresholds: Thresholds
    lead_only: bool


def split_by_length(
    subscriptions: Sequence[Subscription], most_words: int
) -> tuple[list[Subscription], list[Subscription]]:
    """The topic subscriptions split into (short, long) topics; "every article" ones are in
    neither."""
    short: list[Subscription] = []
    long: list[Subscription] = []
    for subscription in subscriptions:
        if not subscription.every_article:
            group = short if is_short_topic(subscription.topic, most_words) else long
            group.append(subscription)
    return short, long


def covers(subscription: Subscription, article: ArticleSummary) -> bool:
    """A subscription is about what is new: articles first indexed after it was made."""
    return article.first_indexed_at > subscription.created_at


def wanted(subscription: Subscription, article_words: frozenset[str]) -> bool:
    """Whether the article passes the subscription's word filters (always, without filters)."""
    if not (subscription.required_words or subscription.excluded_words):
        return True
    return passes(subscription.required_words, subscription.excluded_words, article_words)


class AlertScanner:
    """Matches new articles against the active subscriptions; remembers how far it got."""

    def __init__(
        self,
        index: NewsIndex,
        store: SubscriptionStore,
        thresholds: Thresholds,
        max_age: timedelta,
        short_topics: ShortTopics | None = None,
    ) -> None:
        self.index = index
        self.store = store
        self.thresholds = thresholds
        self.short_topics = short_topics
        """None: every topic is matched by its best passage against `thresholds`."""
        self.max_age = max_age
        """Older articles (`bot.alerts.freshness`) are never matched, so never alerted."""

    def scan(self) -> int:
        """Log every new (chat, subscription, article) match as pending; how many were new.

        "New" starts after both the last scan and the oldest active subscription, so the
        archive is never re-announced and articles indexed while the bot was down are caught up.
        Of those, articles older than `max_age` (a feed's backlog) are passed over for good: the
        scan moves past them all the same.
        """
        subscriptions = self.store.active()
        if not subscriptions:
            return 0
        since = max(self.store.scanned_until(), min(s.created_at for s in subscriptions))
        articles = self.index.articles_indexed_since(since)
        if not articles:
            return 0
        now = datetime.now(UTC)
        recent = [a for a in articles if recent_enough(a, now, self.max_age)]
        if len(recent) < len(articles):
            log.info(
                "alert scan: %d new article(s) too old to alert (ALERT_MAX_AGE), indexed only",
                len(articles) - len(recent),
            )
        alerts = self._with_stories(self._matches(recent, subscriptions)) if recent else []
        added = self.store.record_matches(alerts, max(a.first_indexed_at for a in articles))
        log.info(
            "alert scan: %d new article(s), %d subscription(s), %d new alert(s)",
            len(articles), len(subscriptions), added,
        )  # fmt: skip
        return added

    def _with_stories(self, alerts: list[NewAlert]) -> list[NewAlert]:
        """The matches with the story each develops, if any (one index read for them all)."""
        named = sorted({a.story_id for a in alerts if a.story_id})
        stories = self.index.stories(named) if named else {}
        return [
            replace(a, follows=stories[a.story_id].predecessor)
            if a.story_id in stories and stories[a.story_id].predecessor
            else a
            for a in alerts
        ]

    def _groups(self, subscriptions: Sequence[Subscription]) -> list[TopicGroup]:
        """The topic subscriptions in the groups they are matched in, empty groups left out."""
        most_words = self.short_topics.most_words if self.short_topics else 0
        short, long = split_by_length(subscriptions, most_words)
        groups = [TopicGroup(long, self.thresholds, lead_only=False)]
        if self.short_topics is not None:
            groups.append(TopicGroup(short, self.short_topics.thresholds, lead_only=True))
        return [group for group in groups if group.subscriptions]

    def _matches(
        self, articles: Sequence[ArticleSummary], subscriptions: Sequence[Subscription]
    ) -> list[NewAlert]:
        groups = self._groups(subscriptions)
        ids = [a.id for a in articles]
        best: list[dict[str, list[BestPassage]]] = [
            self.index.match_articles(
                ids,
                np.stack([s.vector for s in group.subscriptions]),
                [s.topic for s in group.subscriptions],
                group.thresholds.lexical_weight,
                lead_only=group.lead_only,
            )
            for group in groups
        ]
        every = any(s.every_article for s in subscriptions)
        leads = self.index.lead_passages(ids) if every else {}
        filtered = any(s.required_words or s.excluded_words for s in subscriptions)
        words = self.index.article_words(ids) if filtered else {}
        logged = self.store.alerted(ids)  # already in the log: skip the work of citing again
        alerts: list[NewAlert] = []
        for article in articles:
            article_words = words.get(article.id, frozenset())
            for group, matched in zip(groups, best, strict=True):
                found = matched.get(article.id)
                if found is None:
                    continue
                for column, subscription in enumerate(group.subscriptions):
                    passage = found[column]
                    if (
                        not covers(subscription, article)
                        or passage.score < group.thresholds.of(subscription.sensitivity)
                        or not wanted(subscription, article_words)
                    ):
                        continue
                    alert = self._alert(subscription, article, passage.row, passage.cosine, logged)
                    if alert is not None:
                        alerts.append(alert)
            for subscription in subscriptions:
                if (
                    subscription.every_article
                    and covers(subscription, article)
                    and wanted(subscription, article_words)
                ):
                    row = leads.get(article.id)
                    alert = (
                        None
                        if row is None
                        else self._alert(subscription, article, row, 1.0, logged)
                    )
                    if alert is not None:
                        alerts.append(alert)
        return alerts

    def _alert(
        self,
        subscription: Subscription,
        article: ArticleSummary,
        row: int,
        score: float,
        logged: set[tuple[int, int, str]],
    ) -> NewAlert | None:
        if (subscription.chat_id, subscription.id, article.id) in logged:
            return None
        topic = None if subscription.every_article else (subscription.topic, subscription.vector)
        hit = self.index.cite(row, score, topic)
        if hit is None:
            return None
        return NewAlert(
            subscription.chat_id, subscription.id, article.id, score, hit_record(hit),
            article.story_id,
        )  # fmt: skip
