"""What one time phrase names, in the chat's local days: "yesterday", "last week", "3 days ago",
"the past 3 days", "on Monday", "3 March" (pure; `time_phrases` finds the phrases).

Each phrase becomes a resolver: given the latest day a named day or month may fall on (today,
or the start of a range's second phrase, so that "between December and February" ends in
February and starts the December before), it gives the phrase's span, or None if the phrase
names no day of the past. Relative phrases ("yesterday") count from today whatever that day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from index.search.time_windows import (
    day_label,
    local_moment,
    month_end,
    month_label,
    month_start,
    months_before,
    span_label,
    week_start,
)
from index.search.time_words import DayPart, TimeWords

_YEARS_BACK_FOR_A_DAY = 8  # "29 February" said in 2027 is 29 February 2024


@dataclass(frozen=True, slots=True)
class Clock:
    """`now` in the chat's zone."""

    local_now: datetime
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return self.local_now.date()

    @property
    def end_of_today(self) -> datetime:
        return local_moment(self.today + timedelta(days=1), self.zone)


@dataclass(frozen=True, slots=True)
class PhraseSpan:
    """What one phrase names: UTC instants, the local days they cover, and label parts (the
    phrase's own name, "last week", and its dates, "23–29 Nov")."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date
    name: str
    dates: str


Resolver = Callable[[date], PhraseSpan | None]


def day_part_resolver(part: DayPart, clock: Clock) -> Resolver:
    """ "yesterday", "this morning", "last night"."""
    day = clock.today - timedelta(days=part.days_back)
    dates = day_label(day, clock.today) if part.dated else ""
    start = local_moment(day, clock.zone, part.from_hour)
    end = local_moment(day, clock.zone, part.to_hour)
    return lambda _latest: PhraseSpan(start, end, day, day, part.name, dates)


def anchor_resolver(
    kind: str, match: re.Match[str], words: TimeWords, clock: Clock
) -> Resolver | None:
    """The resolver of a phrase found by one of the language's anchor patterns; None if the
    match names no time after all ("the past days": a plural with no number)."""
    groups = match.groupdict()
    if kind in ("period", "rolling", "ago"):
        unit = words.units[groups["unit"].lower()]
        if kind == "period":
            offset = 0 if groups["which"].lower() == "this" else 1
            name = ("this " if offset == 0 else "last ") + unit
            if (unit, offset) == ("week", 0):
                return _rolling("week", 1, clock, name="this week")
            return _calendar(unit, offset, name, clock)
        count = _count(groups["n"], words)
        if count is None and groups["plural"]:
            return None
        count = count or 1
        if kind == "ago":
            return _calendar(unit, count, f"{count} {unit}{'s' if count > 1 else ''} ago", clock)
        return _rolling(unit, count, clock)
    if kind == "weekday":
        which = (groups["which"] or "").lower()
        return _weekday(words.weekdays[groups["weekday"].lower()], which, clock)
    return _named_date(groups["date"], words.language, clock)


def _count(text: str | None, words: TimeWords) -> int | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else words.numbers[text.lower()]


def _calendar(unit: str, back: int, name: str, clock: Clock) -> Resolver | None:
    """The whole day, ISO week, month or year `back` units before today's."""
    today = clock.today
    if unit == "day":
        first = last = today - timedelta(days=back)
        dates = day_label(first, today)
    elif unit == "week":
        first = week_start(today) - timedelta(weeks=back)
        last = first + timedelta(days=6)
        dates = span_label(first, min(last, today), today)
    elif unit == "month":
        first = month_start(today, back)
        last = month_end(first)
        dates = month_label(first)
    elif unit == "year":
        first, last = date(today.year - back, 1, 1), date(today.year - back, 12, 31)
        dates = str(first.year)
    else:
        return None  # "3 hours ago" names a moment, not a window
    return _days(first, last, name, dates, clock)


def _rolling(unit: str, count: int, clock: Clock, *, name: str = "") -> Resolver:
    """ "the past 3 days": from this moment 3 days ago. "This week" is the past seven days too,
    not the calendar week: asked on a Monday it means the days just gone, and on RealTimeQA's
    Thursday and Friday quizzes the calendar week left out a quarter of the answers
    (`benchmarks/results/time_windows.md`)."""
    now = clock.local_now
    if unit in ("month", "year"):
        start = months_before(now, count * (12 if unit == "year" else 1)).astimezone(UTC)
    else:
        hours = {"hour": 1, "day": 24, "week": 7 * 24}[unit]
        start = now.astimezone(UTC) - timedelta(hours=hours * count)
    name = name or (f"past {unit}" if count == 1 else f"past {count} {unit}s")
    first = start.astimezone(clock.zone).date()
    dates = f"since {day_label(first, clock.today)}" if name == "this week" else ""
    span = PhraseSpan(start, clock.end_of_today, first, clock.today, name, dates)
    return lambda _latest: span


def _weekday(weekday: int, which: str, clock: Clock) -> Resolver:
    """ "this Monday": this ISO week's; "on Monday": the latest not after `latest` (today's,
    said on a Monday: "unaccounted for early Thursday" asked on a Thursday is today,
    `benchmarks/results/time_windows.md`); "last Monday", "past Monday": the latest before it."""

    def resolve(latest: date) -> PhraseSpan | None:
        if which == "this":
            day = week_start(clock.today) + timedelta(days=weekday)
        else:
            back = (latest.weekday() - weekday) % 7
            day = latest - timedelta(days=back or (7 if which else 0))
        return _days(day, day, "", day_label(day, clock.today), clock)(latest)

    return resolve


def _named_date(text: str, language: str, clock: Clock) -> Resolver | None:
    """ "3 March", "March 2024", "2024": the day, month or year; without a year, the latest
    one that does not start after `latest`."""
    read = _date_parser(language).get_date_data(text)
    if read.date_obj is None:
        return None
    parsed, period = read.date_obj.date(), read.period
    has_year = re.search(r"\d{4}", text) is not None

    def resolve(latest: date) -> PhraseSpan | None:
        if period == "year":
            first, last = date(parsed.year, 1, 1), date(parsed.year, 12, 31)
            return _days(first, last, "", str(parsed.year), clock)(latest)
        if period == "month":
            year = parsed.year if has_year else latest.year - (parsed.month > latest.month)
            first = date(year, parsed.month, 1)
            return _days(first, month_end(first), "", month_label(first), clock)(latest)
        day = parsed if has_year else _latest_such_day(parsed, latest)
        if day is None:
            return None
        return _days(day, day, "", day_label(day, clock.today), clock)(latest)

    return resolve


def _latest_such_day(parsed: date, latest: date) -> date | None:
    for year in range(latest.year, latest.year - _YEARS_BACK_FOR_A_DAY, -1):
        try:
            day = date(year, parsed.month, parsed.day)
        except ValueError:
            continue  # 29 February of a common year
        if day <= latest:
            return day
    return None


def _days(first: date, last: date, name: str, dates: str, clock: Clock) -> Resolver:
    start = local_moment(first, clock.zone)
    end = local_moment(last + timedelta(days=1), clock.zone)
    span = PhraseSpan(start, end, first, last, name, dates)
    return lambda _latest: span


@cache
def _date_parser(language: str) -> DateDataParser:
    # A leap year as the base, so that "29 February" parses; the year is chosen here.
    settings = {"RELATIVE_BASE": datetime(2000, 1, 1), "PREFER_DAY_OF_MONTH": "first"}
    return DateDataParser(languages=[language], settings=settings)
