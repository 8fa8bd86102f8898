"""The age rule of alerts: how old an article may be and still be alerted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.alerts.freshness import FUTURE_TOLERANCE, published_moment, recent_enough

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MAX_AGE = timedelta(hours=48)
INDEXED_NOW = NOW.isoformat(timespec="microseconds")
INDEXED_LONG_AGO = (NOW - 10 * DAY).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Article:
    published: str | None
    first_indexed_at: str = INDEXED_NOW


def fresh(published: str | None, indexed: str = INDEXED_NOW, *, now: datetime = NOW) -> bool:
    return recent_enough(Article(published, indexed), now, MAX_AGE)


def test_the_window_includes_its_edge_and_nothing_older() -> None:
    edge = NOW - MAX_AGE
    assert fresh(edge.isoformat())
    assert not fresh((edge - timedelta(microseconds=1)).isoformat())
    assert fresh(NOW.isoformat())
    assert fresh((NOW - timedelta(minutes=5)).isoformat())


def test_an_old_article_is_too_old_however_recently_it_was_indexed() -> None:
    assert not fresh("2023-11-02T08:00:00+00:00", INDEXED_NOW)


def test_naive_datetimes_are_utc_and_offsets_are_honoured() -> None:
    edge = NOW - MAX_AGE
    assert fresh(edge.replace(tzinfo=None).isoformat())
    assert not fresh((edge - timedelta(seconds=1)).replace(tzinfo=None).isoformat())
    paris = timezone(timedelta(hours=1))
    # 12:30 in Paris two days before is 11:30 UTC: half an hour too old.
    assert not fresh(datetime(2024, 3, 8, 12, 30, tzinfo=paris).isoformat())
    assert fresh(datetime(2024, 3, 8, 13, 30, tzinfo=paris).isoformat())
    naive_now = NOW.replace(tzinfo=None)
    assert fresh((NOW - DAY).isoformat(), now=naive_now)
    assert not fresh((NOW - 3 * DAY).isoformat(), now=naive_now)


def test_a_date_without_a_time_counts_from_the_end_of_that_day() -> None:
    assert published_moment("2024-02-26") == datetime(2024, 2, 27, tzinfo=UTC)
    assert fresh("2024-03-10") and fresh("2024-03-09") and fresh("2024-03-08")
    assert not fresh("2024-03-07")  # over at midnight, 60 hours ago
    assert not fresh("2024-02-26")


@pytest.mark.parametrize("published", [None, "", "  ", "June 17", "yesterday", "2024-13-45",
                                       "2024-02-30", "0001-01-01T00:00:00+05:00"])  # fmt: skip
def test_without_a_usable_date_the_age_counts_from_first_indexing(published: str | None) -> None:
    assert fresh(published, INDEXED_NOW)
    assert fresh(published, (NOW - MAX_AGE).isoformat())
    assert not fresh(published, INDEXED_LONG_AGO)


def test_a_date_far_in_the_future_is_not_trusted() -> None:
    soon = NOW + FUTURE_TOLERANCE
    assert fresh(soon.isoformat(), INDEXED_LONG_AGO), "a clock a little ahead is tolerated"
    beyond = (soon + timedelta(seconds=1)).isoformat()
    assert fresh(beyond, INDEXED_NOW)
    assert not fresh(beyond, INDEXED_LONG_AGO), "would otherwise be new for ever"
    assert not fresh("2999-01-01", INDEXED_LONG_AGO)
    assert not fresh("9999-12-31", INDEXED_LONG_AGO)
    assert fresh("9999-12-31T23:59:59", INDEXED_NOW)


def test_an_unreadable_first_indexed_time_alerts_rather_than_loses_the_article() -> None:
    assert fresh(None, "not a time")


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)
ages = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=3650))


@given(published=moments, now=moments, max_age=ages, indexed=moments)
def test_a_trusted_published_date_alone_decides(
    published: datetime, now: datetime, max_age: timedelta, indexed: datetime
) -> None:
    article = Article(published.isoformat(), indexed.isoformat())
    expected = (
        now - published <= max_age
        if published - now <= FUTURE_TOLERANCE
        else now - indexed <= max_age
    )
    assert recent_enough(article, now, max_age) is expected


@given(published=moments, now=moments, max_age=ages, longer=ages)
def test_a_longer_max_age_never_alerts_less(
    published: datetime, now: datetime, max_age: timedelta, longer: timedelta
) -> None:
    article = Article(published.isoformat(), INDEXED_LONG_AGO)
    if recent_enough(article, now, max_age):
        assert recent_enough(article, now, max_age + longer)
