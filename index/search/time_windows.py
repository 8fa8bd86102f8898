"""Windows of publication time: whole local days of a chat's time zone, as UTC instants (pure).

A question about "yesterday" means the chat's yesterday, not UTC's: a window starts and ends at
local midnights (or local hours), converted to UTC through `zoneinfo`, so a window follows
daylight-saving changes (a local day of 23 or 25 hours). A local midnight that does not exist
(clocks going forward at 00:00) is taken at the old offset, that is, when the day really began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Labels are English whatever the process locale (`strftime` would follow it).
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")  # fmt: skip
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Published between `start` (inclusive) and `end` (exclusive), both aware UTC; `label`
    names it for the answer's header, in the chat's zone ("yesterday, Sun 6 Dec")."""

    start: datetime
    end: datetime
    label: str

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def local_moment(day: date, zone: ZoneInfo, hours: int = 0) -> datetime:
    """The UTC instant of `hours` past local midnight of `day` (hours beyond 24 run into the
    following days)."""
    day += timedelta(days=hours // 24)
    return datetime.combine(day, time(hours % 24), tzinfo=zone).astimezone(UTC)


def days_window(first: date, last: date, zone: ZoneInfo, label: str) -> TimeWindow:
    """The local days `first` to `last`, both whole."""
    return TimeWindow(
        local_moment(first, zone), local_moment(last + timedelta(days=1), zone), label
    )


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    return month_start(day, -1) - timedelta(days=1)


def months_before(moment: datetime, months: int) -> datetime:
    """The same local wall-clock time `months` calendar months earlier (the day clipped to the
    month's length)."""
    first = month_start(moment.date(), months)
    last_day = month_end(first).day
    return moment.replace(year=first.year, month=first.month, day=min(moment.day, last_day))


def day_label(day: date, today: date) -> str:
    """ "Fri 4 Dec", with the year when it is not this year's."""
    label = f"{_DAY_NAMES[day.weekday()]} {day.day} {_short_month(day)}"
    return label if day.year == today.year else f"{label} {day.year}"


def span_label(first: date, last: date, today: date) -> str:
    """ "23–29 Nov", "30 Nov–6 Dec", "29 Dec 2025–4 Jan 2026"; one day as `day_label`."""
    if first == last:
        return day_label(first, today)
    year = "" if first.year == last.year == today.year else f" {last.year}"
    if first.year != last.year:
        return f"{first.day} {_short_month(first)} {first.year}–{last.day} {_short_month(last)} {last.year}"
    if first.month == last.month:
        return f"{first.day}–{last.day} {_short_month(last)}{year}"
    return f"{first.day} {_short_month(first)}–{last.day} {_short_month(last)}{year}"


def month_label(day: date) -> str:
    """ "March 2024"."""
    return f"{_MONTH_NAMES[day.month - 1]} {day.year}"


def _short_month(day: date) -> str:
    return _MONTH_NAMES[day.month - 1][:3]


def window_between(after: date | None, before: date | None, zone: ZoneInfo) -> TimeWindow | None:
    """The window of the operators `after:` (from the start of that local day) and `before:`
    (up to the start of that local day, exclusive); None without either, or when empty."""
    if after is None and before is None:
        return None
    start = _EARLIEST if after is None else local_moment(after, zone)
    end = _LATEST if before is None else local_moment(before, zone)
    if start >= end:
        return None
    parts = []
    if after is not None:
        parts.append(f"after {after.day} {_short_month(after)} {after.year}")
    if before is not None:
        parts.append(f"before {before.day} {_short_month(before)} {before.year}")
    return TimeWindow(start, end, ", ".join(parts))
