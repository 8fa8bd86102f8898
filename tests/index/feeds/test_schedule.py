"""Due times, jitter and back-off: pure functions of the clock."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.errors import FeedError
from index.feeds import schedule


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("2h", 7200), ("1d", 86400), ("90s", 90), ("600", 600),
                          (" 1.5h ", 5400)],
)  # fmt: skip
def test_intervals_are_read_in_their_units(text: str, seconds: float) -> None:
    assert schedule.parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "fast", "15 minutes", "-5m", "10s"])
def test_bad_or_too_short_intervals_are_refused(text: str) -> None:
    with pytest.raises(FeedError):
        schedule.parse_interval(text)


def test_intervals_are_written_back_exactly() -> None:
    assert [schedule.format_interval(s) for s in (900, 7200, 86400, 90, 61.5)] == [
        "15m", "2h", "1d", "90s", "61.5s",
    ]  # fmt: skip


@given(st.floats(60, 86400), st.integers(0, 2**32))
def test_the_next_fetch_is_the_interval_within_the_jitter(interval: float, seed: int) -> None:
    wait = schedule.after_success(1000.0, interval, random.Random(seed)) - 1000.0
    assert interval * (1 - schedule.JITTER) <= wait <= interval * (1 + schedule.JITTER)


def test_backoff_doubles_with_each_failure_up_to_a_day() -> None:
    waits = [schedule.backoff_seconds(900, n) for n in range(1, 9)]
    assert waits[:4] == [1800, 3600, 7200, 14400]
    assert waits[-1] == schedule.MAX_BACKOFF_SECONDS
    assert all(a <= b for a, b in itertools.pairwise(waits))


@given(st.floats(60, 7 * 86400), st.integers(1, 200))
def test_backoff_never_waits_less_than_the_interval(interval: float, failures: int) -> None:
    assert schedule.backoff_seconds(interval, failures) >= interval


def test_a_watcher_sleeps_until_the_next_feed_is_due_within_bounds() -> None:
    assert schedule.next_wake([130.0, 500.0], 100.0, longest=60) == 30
    assert schedule.next_wake([50.0], 100.0, longest=60) == 1.0
    assert schedule.next_wake([], 100.0, longest=60) == 60
    assert schedule.next_wake([1000.0], 100.0, longest=60) == 60
