"""Whether an article is recent enough to alert: a feed's or an archive's backlog is indexed and
searchable, but not announced.

An article's age counts from its published date, or, when it has none that can be trusted, from
when it was first indexed. A published date more than `FUTURE_TOLERANCE` ahead of the clock (a
wrong clock or a bad feed) is not trusted: it would otherwise keep the article "new" for good.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

FUTURE_TOLERANCE = timedelta(days=1)
"""How far ahead of the clock a published date may be and still count."""


class Dated(Protocol):
    """What the rule reads of an article (`index.ArticleSummary` has both)."""

    @property
    def published(self) -> str | None: ...

    @property
    def first_indexed_at(self) -> str: ...


def recent_enough(article: Dated, now: datetime, max_age: timedelta) -> bool:
    """Whether the article is at most `max_age` old at `now`, so that it may be alerted.

    Naive datetimes are taken as UTC. A date without a time counts from the end of that day
    (UTC), the latest it can have been published, so an article dated today is never too old.
    """
    now = _utc(now)
    moment = published_moment(article.published)
    if moment is None or moment - now > FUTURE_TOLERANCE:
        moment = _parse(article.first_indexed_at)
    if moment is None:  # never written so by the index; alerting is the safer mistake
        return True
    return now - moment <= max_age


def published_moment(published: str | None) -> datetime | None:
    """The moment an ISO published date or datetime stands for (UTC), or None when it is
    missing or not a date."""
    raw = (published or "").strip()
    if len(raw) == 10:  # YYYY-MM-DD: the end of that day
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start if day == date.max else start + timedelta(days=1)
    return _parse(raw)


def _parse(raw: str) -> datetime | None:
    try:
        return _utc(datetime.fromisoformat(raw.strip()))
    except (ValueError, OverflowError):  # OverflowError: year 1 with an offset east of UTC
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
