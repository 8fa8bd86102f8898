"""What alerts are made of: sensitivities, deliveries, alert states, subscriptions, matches, and
the story alerts a chat was sent.

Plain records shared by the scan, the store, delivery and rendering; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any

import numpy as np


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
    """Never shown: the chat removed the bot, Telegram refused the message for good, or the
    article joined a story whose alert can no longer be edited to name it."""


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
    thread_id: int = 0
    """The forum topic its alerts go to (`message_thread_id`); 0: the chat itself."""
    required_words: tuple[str, ...] = ()
    """`+word` filters: an article must contain every one (as the word index stems words)."""
    excluded_words: tuple[str, ...] = ()
    """`-word` filters: an article containing any one is not alerted."""


@dataclass(frozen=True, slots=True)
class DigestTime:
    """When a daily chat gets its digest: a local time of day in an IANA time zone."""

    at: time
    zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class ChatInfo:
    chat_id: int
    title: str | None
    delivery: Delivery
    disabled_reason: str | None
    digest_time: DigestTime | None = None
    """None: DAILY_DIGEST_TIME in UTC."""
    digest_sent_at: str | None = None
    """When its last daily digest went out (or daily delivery was turned on)."""
    time_zone: str | None = None
    """The IANA zone `/timezone` set; None: not set (`zone` says which one applies)."""

    @property
    def zone(self) -> str:
        """The zone the chat's questions are read in: its own, else its digest's, else UTC."""
        return self.time_zone or (self.digest_time.zone if self.digest_time else "UTC")


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A match found by a scan, to be logged as pending."""

    chat_id: int
    subscription_id: int
    article_id: str
    score: float
    citation: dict[str, Any]
    """Everything needed to show the passage, so delivery does not depend on the index version."""
    story_id: str | None = None
    """The article's story (`index.stories`); None: the article is a story of its own."""
    follows: str | None = None
    """The story the article's story develops (its `predecessor`), if any."""


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
    thread_id: int = 0
    story_id: str = ""
    """The article's story; "" (a row logged before stories): the article is a story of its own."""
    follows: str | None = None
    """The story the article's story develops, if any."""

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.chat_id, self.subscription_id, self.article_id)

    @property
    def story(self) -> str:
        return self.story_id or self.article_id


@dataclass(frozen=True, slots=True)
class Outlet:
    """An outlet an alert names, linked to its article."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class StoryAlert:
    """What a chat (one forum topic of it) was sent about a story: the message, so a later
    outlet's article is added to it by an edit rather than sent again."""

    chat_id: int
    thread_id: int
    story_id: str
    message_id: int | None
    """The alert's message; None when the story went out in a digest (not edited later)."""
    title: str
    """The title the alert showed: what a later development's alert says it follows."""
    outlets: tuple[Outlet, ...]
    """Every outlet the alert names, its own first."""
    shown: dict[str, Any]
    """What the alert was rendered from (citation, topics, what it follows, buttons), so an
    edit renders the same message with more outlets."""
    editable: bool = True
    """False once Telegram refused an edit for good (the message deleted): left alone since."""

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.chat_id, self.thread_id, self.story_id)


def now_iso() -> str:
    """Timestamps in the same format as the index's `first_indexed_at`, so they compare as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")
