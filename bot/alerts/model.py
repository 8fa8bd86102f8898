"""What alerts are made of: sensitivities, deliveries, alert states, subscriptions, matches.

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
    """Never sent: the chat removed the bot, or Telegram refused the message for good."""


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


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A match found by a scan, to be logged as pending."""

    chat_id: int
    subscription_id: int
    article_id: str
    score: float
    citation: dict[str, Any]
    """Everything needed to show the passage, so delivery does not depend on the index version."""


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

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.chat_id, self.subscription_id, self.article_id)


def now_iso() -> str:
    """Timestamps in the same format as the index's `first_indexed_at`, so they compare as text."""
    return datetime.now(UTC).isoformat(timespec="microseconds")
