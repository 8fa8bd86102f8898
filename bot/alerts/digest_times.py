"""When a daily chat's digest is due: its local time of day, in its own time zone (pure).

A chat asks for `/digest daily 07:30 Europe/Paris`; every alert round asks which daily chats
passed their digest time since their last digest. Wall-clock times go through `zoneinfo`, so the
digest follows daylight-saving changes: 07:30 in Paris is 06:30 UTC in winter and 05:30 in
summer. A time that does not exist on the day clocks go forward (02:30) is taken as the instant
it would have been by the old offset (03:30 new time); a time that happens twice on the day
they go back, at its first occurrence; either way one digest that day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.alerts.model import DigestTime


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone of that name, matched without regard to case ("europe/paris"); None if
    there is none."""
    if name.upper() == "UTC":
        return ZoneInfo("UTC")
    wanted = name.lower()
    for known in _zones():
        if known.lower() == wanted:
            try:
                return ZoneInfo(known)
            except (ZoneInfoNotFoundError, ValueError):
                return None
    return None


_ZONES: list[str] = []


def _zones() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(available_timezones()))
    return _ZONES


def last_digest_time(now: datetime, digest: DigestTime) -> datetime:
    """The latest moment, at or before `now`, at which the digest's local time came (in UTC)."""
    zone = ZoneInfo(digest.zone)
    local_now = now.astimezone(zone)
    day = local_now.date()
    for _ in range(3):  # today, or yesterday (two days back only across a date-line jump)
        moment = datetime.combine(day, digest.at, tzinfo=zone).astimezone(UTC)
        if moment <= now:
            return moment
        day -= timedelta(days=1)
    return moment


def digest_due(now: datetime, digest: DigestTime, sent_at: str | None) -> bool:
    """Whether the digest time came since the last digest (`sent_at`, ISO 8601 in UTC)."""
    if sent_at is None:
        return False
    return last_digest_time(now, digest) > datetime.fromisoformat(sent_at)


def default_digest(at: time) -> DigestTime:
    """DAILY_DIGEST_TIME as a digest time (in UTC unless it names its own offset)."""
    if at.tzinfo is None:
        return DigestTime(at, "UTC")
    offset = at.tzinfo.utcoffset(None) or timedelta(0)
    shifted = datetime.combine(datetime(2000, 1, 1).date(), at.replace(tzinfo=None)) - offset
    return DigestTime(shifted.time(), "UTC")
