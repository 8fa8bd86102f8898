"""A daily chat's digest time in its own zone, across daylight-saving changes (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.alerts.arguments import DigestProblem, DigestRequest, parse_digest
from bot.alerts.digest_times import default_digest, digest_due, last_digest_time, zone_named
from bot.alerts.model import Delivery, DigestTime

PARIS = DigestTime(time(7, 30), "Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_time_follows_daylight_saving() -> None:
    assert last_digest_time(utc(2026, 1, 15, 12), PARIS) == utc(2026, 1, 15, 6, 30)  # UTC+1
    assert last_digest_time(utc(2026, 7, 15, 12), PARIS) == utc(2026, 7, 15, 5, 30)  # UTC+2
    # Clocks go forward on 29 March 2026 and back on 25 October 2026.
    assert last_digest_time(utc(2026, 3, 29, 12), PARIS) == utc(2026, 3, 29, 5, 30)
    assert last_digest_time(utc(2026, 10, 25, 12), PARIS) == utc(2026, 10, 25, 6, 30)
    before = last_digest_time(utc(2026, 1, 15, 6, 29), PARIS)
    assert before == utc(2026, 1, 14, 6, 30), "not yet today: yesterday's"


def test_a_time_that_does_not_exist_or_happens_twice_gives_one_digest_that_day() -> None:
    gap = DigestTime(time(2, 30), "Europe/Paris")  # 02:00 → 03:00 on 29 March 2026
    assert last_digest_time(utc(2026, 3, 29, 12), gap) == utc(2026, 3, 29, 1, 30)
    twice = DigestTime(time(2, 30), "Europe/Paris")  # 03:00 → 02:00 on 25 October 2026
    assert last_digest_time(utc(2026, 10, 25, 12), twice) == utc(2026, 10, 25, 0, 30)
    sent = utc(2026, 10, 25, 0, 31).isoformat()
    assert not digest_due(utc(2026, 10, 25, 1, 31), twice, sent), "not again an hour later"


def test_due_once_per_digest_time() -> None:
    sent = utc(2026, 1, 14, 6, 30, 5).isoformat()
    assert not digest_due(utc(2026, 1, 15, 6, 29), PARIS, sent)
    assert digest_due(utc(2026, 1, 15, 6, 31), PARIS, sent)
    assert not digest_due(utc(2026, 1, 15, 6, 31), PARIS, utc(2026, 1, 15, 6, 31).isoformat())
    assert not digest_due(utc(2026, 1, 15, 6, 31), PARIS, None)
    assert digest_due(utc(2026, 1, 20), PARIS, sent), "days missed: one digest, at once"


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1)),
    st.times(),
    st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo",
                     "Australia/Lord_Howe", "Pacific/Kiritimati", "America/St_Johns"]),
)  # fmt: skip
def test_the_last_digest_time_is_within_a_day_before_now(
    naive: datetime, at: time, zone: str
) -> None:
    now = naive.replace(tzinfo=UTC)
    moment = last_digest_time(now, DigestTime(at.replace(microsecond=0), zone))
    assert now - timedelta(hours=26) < moment <= now
    local = moment.astimezone(ZoneInfo(zone))
    expected = at.replace(microsecond=0)
    # Off the wall-clock time only where the day skips it (a daylight-saving gap).
    assert local.time() == expected or local.utcoffset() != (local - timedelta(hours=3)).utcoffset()


def test_digest_arguments() -> None:
    assert parse_digest("daily") == DigestRequest(Delivery.DAILY)
    assert parse_digest("off") == DigestRequest(Delivery.INSTANT)
    assert parse_digest("daily 7:30 europe/paris") == DigestRequest(Delivery.DAILY, PARIS)
    assert parse_digest("daily 18:05") == DigestRequest(
        Delivery.DAILY, DigestTime(time(18, 5), "UTC"), zone_given=False
    )
    assert parse_digest("daily 24:00") == DigestProblem(bad_time="24:00")
    assert parse_digest("daily noon") == DigestProblem(bad_time="noon")
    assert parse_digest("daily 07:30 Mars/Olympus") == DigestProblem(bad_zone="Mars/Olympus")
    assert parse_digest("weekly") is None and parse_digest("off 07:30") is None
    assert parse_digest("") is None
    assert zone_named("ASIA/TOKYO") == ZoneInfo("Asia/Tokyo") and zone_named("utc") is not None


def test_the_default_digest_time_is_daily_digest_time_in_utc() -> None:
    assert default_digest(time(8, 0)) == DigestTime(time(8, 0), "UTC")
    assert default_digest(time(9, 0, tzinfo=ZoneInfo("Europe/Paris"))).zone == "UTC"
