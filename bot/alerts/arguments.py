"""Pure parsing of the subscription commands' arguments (`context.args` joined by spaces)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

from bot.alerts.digest_times import zone_named
from bot.alerts.filters import WordFilters, split_filters
from bot.alerts.model import Delivery, DigestTime, Sensitivity

ALL_TOPICS = "all"
_EVERYTHING = {"all", "everything", "*"}
_CHANNEL = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_HAS_WORD = re.compile(r"\w")
_CLOCK = re.compile(r"([0-9]{1,2})[:.h]([0-5][0-9])")
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
    filters: WordFilters = field(default_factory=WordFilters)


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
    """`[@channel] [strict|normal|broad] topic words [+word] [-word]` or `[@channel] all
    [+word] [-word]`; None if no topic.

    Topics are whitespace-folded and cut to `max_chars` at a word boundary (`cut` says so);
    `+word` and `-word` anywhere are filters (`bot.alerts.filters`), not part of the topic.
    """
    command = split_channel(arguments)
    words, filters = split_filters(command.rest.split())
    sensitivity = Sensitivity.NORMAL
    if words and words[0].lower() in Sensitivity.__members__.values():
        sensitivity = Sensitivity(words[0].lower())
        words = words[1:]
    topic = " ".join(words)
    if not _HAS_WORD.search(topic):
        return None
    if topic.lower() in _EVERYTHING:
        return SubscribeRequest(command.channel, None, Sensitivity.NORMAL, filters=filters)
    cut = len(topic) > max_chars
    if cut:
        head = topic[:max_chars]
        topic = head[: head.rfind(" ")] if " " in head else head
    return SubscribeRequest(command.channel, topic, sensitivity, cut, filters)


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


@dataclass(frozen=True, slots=True)
class DigestRequest:
    delivery: Delivery
    digest_time: DigestTime | None = None
    """None: keep the chat's digest time."""
    zone_given: bool = True
    """False when the time came without a zone: UTC here, the chat's `/timezone` if it set one."""


@dataclass(frozen=True, slots=True)
class DigestProblem:
    """Why `/digest daily …` cannot be followed: a time or a zone that is not one."""

    bad_time: str | None = None
    bad_zone: str | None = None


def parse_digest(rest: str) -> DigestRequest | DigestProblem | None:
    """`daily [HH:MM [Zone/Name]]` or `off`; None when it is neither.

    The time is a 24-hour `07:30` (or `7:30`); the zone an IANA name (`Europe/Paris`, any
    case), UTC when left out (`zone_given` False: the command takes the chat's `/timezone`).
    """
    words = rest.split()
    delivery = parse_delivery(words[0]) if words else None
    if delivery is None or (delivery is Delivery.INSTANT and len(words) > 1) or len(words) > 3:
        return None
    if len(words) == 1:
        return DigestRequest(delivery)
    match = _CLOCK.fullmatch(words[1])
    if match is None or int(match[1]) > 23:
        return DigestProblem(bad_time=words[1])
    at = time(int(match[1]), int(match[2]))
    zone_name = words[2] if len(words) == 3 else "UTC"
    zone = zone_named(zone_name)
    if zone is None:
        return DigestProblem(bad_zone=zone_name)
    return DigestRequest(delivery, DigestTime(at, zone.key), zone_given=len(words) == 3)
