"""When a feed is fetched next: pure functions of the clock, its interval and its failures.

Jitter spreads feeds added together (and replicas' clocks) so they are not all fetched in the
same second; after failures the wait doubles each time, up to a day, so a dead feed costs a
request a day rather than one every interval.
"""

from __future__ import annotations

import random
import re

from index.errors import FeedError

JITTER = 0.1
"""Each wait is the interval ± 10 %."""
MAX_BACKOFF_SECONDS = 24 * 3600.0
MIN_INTERVAL_SECONDS = 60.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", re.IGNORECASE)


def parse_interval(text: str) -> float:
    """`15m`, `2h`, `1d`, `90s` or plain seconds, as seconds; at least a minute."""
    match = _INTERVAL.fullmatch(text)
    if match is None:
        raise FeedError(f"not an interval: {text!r} (write e.g. 15m, 2h or 1d)")
    seconds = float(match[1]) * _UNITS[(match[2] or "s").lower()]
    if seconds < MIN_INTERVAL_SECONDS:
        raise FeedError(f"an interval of {text.strip()} is too short: at least 1m")
    return seconds


def format_interval(seconds: float) -> str:
    """The shortest exact way to write an interval (`15m`, `2h`, `90s`)."""
    for unit in ("d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{seconds:g}s"


def jittered(seconds: float, rng: random.Random | None = None) -> float:
    return seconds * (1 + (rng or random).uniform(-JITTER, JITTER))


def after_success(now: float, interval: float, rng: random.Random | None = None) -> float:
    """When to fetch a feed again after a fetch that worked (a 304 counts)."""
    return now + jittered(interval, rng)


def backoff_seconds(interval: float, failures: int) -> float:
    """The wait after the `failures`-th failure in a row: the interval, doubled for each one."""
    return min(interval * 2.0**failures, max(MAX_BACKOFF_SECONDS, interval))


def after_failure(
    now: float, interval: float, failures: int, rng: random.Random | None = None
) -> float:
    """When to try a feed again that has now failed `failures` times in a row (1 or more)."""
    return now + jittered(backoff_seconds(interval, failures), rng)


def next_wake(next_fetches: list[float], now: float, *, longest: float) -> float:
    """How long a watcher may sleep: until the next feed is due, at most `longest`, at least 1 s."""
    if not next_fetches:
        return longest
    return min(max(min(next_fetches) - now, 1.0), longest)
