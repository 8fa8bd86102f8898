"""Pure parsing of the subscription commands' arguments (`context.args` joined by spaces)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.alerts.model import Delivery, Sensitivity

ALL_TOPICS = "all"
_EVERYTHING = {"all", "everything", "*"}
_CHANNEL = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_HAS_WORD = re.compile(r"\w")
_NUMBER = re.compile(r"[0-9]{1,6}")
"""A subscription number as listed: ASCII digits (not "²" or "٣", which str.isdigit accepts),
and few enough that a typo of thousands of digits is a usage mistake, not a number to echo."""


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    channel: str | None
    """`@username` of the chat to subscribe, when asked from a private chat; None: this chat."""
    topic: str | None
    """None: every new article."""
    sensitivity: Sensitivity
    cut: bool = False


@dataclass(frozen=True, slots=True)
class ChatCommand:
    """Arguments of /unsubscribe, /subscriptions and /digest: an optional @channel and the rest."""

    channel: str | None
    rest: str


def split_channel(arguments: str) -> ChatCommand:
    """Take a leading `@channel` off the arguments."""
    words = arguments.split()
    if words and _CHANNEL.match(words[0]):
        return ChatCommand(words[0], " ".join(words[1:]))
    return ChatCommand(None, " ".join(words))


def parse_subscribe(arguments: str, max_chars: int) -> SubscribeRequest | None:
    """`[@channel] [strict|normal|broad] topic words` or `[@channel] all`; None if no topic.

    Topics are whitespace-folded and cut to `max_chars` at a word boundary (`cut` says so).
    """
    command = split_channel(arguments)
    words = command.rest.split()
    sensitivity = Sensitivity.NORMAL
    if words and words[0].lower() in Sensitivity.__members__.values():
        sensitivity = Sensitivity(words[0].lower())
        words = words[1:]
    topic = " ".join(words)
    if not _HAS_WORD.search(topic):
        return None
    if topic.lower() in _EVERYTHING:
        return SubscribeRequest(command.channel, None, Sensitivity.NORMAL)
    cut = len(topic) > max_chars
    if cut:
        head = topic[:max_chars]
        topic = head[: head.rfind(" ")] if " " in head else head
    return SubscribeRequest(command.channel, topic, sensitivity, cut)


def parse_unsubscribe(rest: str) -> int | Literal["all"] | None:
    """`3` (as numbered by /subscriptions) or `all`; None when it is neither."""
    word = rest.strip().lower()
    if word in _EVERYTHING:
        return "all"
    if _NUMBER.fullmatch(word):
        return int(word)
    return None


def parse_delivery(rest: str) -> Delivery | None:
    """`daily` turns the daily digest on; `off`, `instant` or `now` turns it off."""
    word = rest.strip().lower()
    if word in ("daily", "on", "day"):
        return Delivery.DAILY
    if word in ("off", "instant", "now", "immediate"):
        return Delivery.INSTANT
    return None
