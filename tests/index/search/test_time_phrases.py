"""Reading the time words of a news question: the window of local days, the question left, and
the newest-first ordering."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.search.time_phrases import TimeReading, TimeWindow, read_time, window_between

PARIS = ZoneInfo("Europe/Paris")
# Monday 7 December 2026, 15:00 in Paris.
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def read(question: str, now: datetime = NOW, zone: ZoneInfo = PARIS) -> TimeReading:
    return read_time(question, now, zone)


def local_days(window: TimeWindow | None, zone: ZoneInfo = PARIS) -> tuple[str, str]:
    assert window is not None
    return window.start.astimezone(zone).isoformat(), window.end.astimezone(zone).isoformat()


@pytest.mark.parametrize(
    ("question", "text", "label", "start", "end"),
    [
        ("what happened in parliament yesterday?", "what happened in parliament?",
         "yesterday, Sun 6 Dec", "2026-12-06T00:00", "2026-12-07T00:00"),
        ("news today", "news", "today, Mon 7 Dec", "2026-12-07T00:00", "2026-12-08T00:00"),
        ("what did the court say earlier today", "what did the court say", "today, Mon 7 Dec",
         "2026-12-07T00:00", "2026-12-08T00:00"),
        ("strike the day before yesterday", "strike", "the day before yesterday, Sat 5 Dec",
         "2026-12-05T00:00", "2026-12-06T00:00"),
        ("what did the minister say this morning?", "what did the minister say?", "this morning",
         "2026-12-07T00:00", "2026-12-07T12:00"),
        ("protests this afternoon", "protests", "this afternoon", "2026-12-07T12:00",
         "2026-12-07T18:00"),
        ("vote tonight", "vote", "tonight", "2026-12-07T18:00", "2026-12-08T00:00"),
        ("speech this evening", "speech", "this evening", "2026-12-07T18:00", "2026-12-08T00:00"),
        ("fire last night", "fire", "last night", "2026-12-06T18:00", "2026-12-07T06:00"),
        ("storm yesterday morning", "storm", "yesterday morning, Sun 6 Dec", "2026-12-06T00:00",
         "2026-12-06T12:00"),
        ("what did the court decide last week?", "what did the court decide?",
         "last week, 30 Nov–6 Dec", "2026-11-30T00:00", "2026-12-07T00:00"),
        ("rail strike this week", "rail strike", "this week, since Mon 30 Nov", "2026-11-30T15:00",
         "2026-12-08T00:00"),
        ("budget this month", "budget", "this month, December 2026", "2026-12-01T00:00",
         "2026-12-08T00:00"),
        ("budget last month", "budget", "last month, November 2026", "2026-11-01T00:00",
         "2026-12-01T00:00"),
        ("elections this year", "elections", "this year, 2026", "2026-01-01T00:00",
         "2026-12-08T00:00"),
        ("elections last year", "elections", "last year, 2025", "2025-01-01T00:00",
         "2026-01-01T00:00"),
        ("what happened 3 days ago", "what happened", "3 days ago, Fri 4 Dec",
         "2026-12-04T00:00", "2026-12-05T00:00"),
        ("floods two weeks ago", "floods", "2 weeks ago, 23–29 Nov", "2026-11-23T00:00",
         "2026-11-30T00:00"),
        ("a week ago", "a week ago", "1 week ago, 30 Nov–6 Dec", "2026-11-30T00:00",
         "2026-12-07T00:00"),
        ("the merger 3 months ago", "the merger", "3 months ago, September 2026",
         "2026-09-01T00:00", "2026-10-01T00:00"),
        ("floods in the last 3 days", "floods", "past 3 days", "2026-12-04T15:00",
         "2026-12-08T00:00"),
        ("what happened over the past week?", "what happened?", "past week", "2026-11-30T15:00",
         "2026-12-08T00:00"),
        ("what happened in the last week?", "what happened?", "past week", "2026-11-30T15:00",
         "2026-12-08T00:00"),
        ("arrests in the past 24 hours", "arrests", "past 24 hours", "2026-12-06T15:00",
         "2026-12-08T00:00"),
        ("prices over the past two months", "prices", "past 2 months", "2026-10-07T15:00",
         "2026-12-08T00:00"),
        ("what did the court decide on Friday?", "what did the court decide?", "Fri 4 Dec",
         "2026-12-04T00:00", "2026-12-05T00:00"),
        ("Friday's decision", "decision", "Fri 4 Dec", "2026-12-04T00:00", "2026-12-05T00:00"),
        ("what did Trump say Sunday", "what did Trump say", "Sun 6 Dec", "2026-12-06T00:00",
         "2026-12-07T00:00"),
        ("raids last Tuesday night", "raids", "Tue 1 Dec", "2026-12-01T00:00",
         "2026-12-02T00:00"),
        ("on Monday", "on Monday", "Mon 7 Dec", "2026-12-07T00:00", "2026-12-08T00:00"),
        ("news this Monday", "news", "Mon 7 Dec", "2026-12-07T00:00", "2026-12-08T00:00"),
        ("news since Friday", "news", "since Fri 4 Dec", "2026-12-04T00:00", "2026-12-08T00:00"),
        ("talks since yesterday", "talks", "since Sun 6 Dec", "2026-12-06T00:00",
         "2026-12-08T00:00"),
        ("talks since 3 March", "talks since 3 March", "since Tue 3 Mar", "2026-03-03T00:00",
         "2026-12-08T00:00"),
        ("inflation since 2020", "inflation since 2020", "since 2020", "2020-01-01T00:00",
         "2026-12-08T00:00"),
        ("what happened on 3 March in Paris", "what happened on 3 March in Paris", "Tue 3 Mar",
         "2026-03-03T00:00", "2026-03-04T00:00"),
        ("the 3rd of March vote", "the 3rd of March vote", "Tue 3 Mar", "2026-03-03T00:00", "2026-03-04T00:00"),
        ("March 3rd protests", "March 3rd protests", "Tue 3 Mar", "2026-03-03T00:00", "2026-03-04T00:00"),
        ("protests on March 3, 2024", "protests on March 3, 2024", "Sun 3 Mar 2024", "2024-03-03T00:00",
         "2024-03-04T00:00"),
        ("2024-03-01 floods", "2024-03-01 floods", "Fri 1 Mar 2024", "2024-03-01T00:00",
         "2024-03-02T00:00"),
        ("floods on 12 Dec", "floods on 12 Dec", "Fri 12 Dec 2025", "2025-12-12T00:00",
         "2025-12-13T00:00"),
        ("strikes in March", "strikes in March", "March 2026", "2026-03-01T00:00", "2026-04-01T00:00"),
        ("strikes in December", "strikes in December", "December 2026", "2026-12-01T00:00",
         "2026-12-08T00:00"),
        ("the March 2024 floods", "the March 2024 floods", "March 2024", "2024-03-01T00:00",
         "2024-04-01T00:00"),
        ("what happened in may", "what happened in may", "May 2026", "2026-05-01T00:00",
         "2026-06-01T00:00"),
        ("elections in 2024", "elections in 2024", "2024", "2024-01-01T00:00", "2025-01-01T00:00"),
        ("rain between 1 March and 10 March", "rain between 1 March and 10 March", "1–10 Mar", "2026-03-01T00:00",
         "2026-03-11T00:00"),
        ("strikes from Monday to Wednesday", "strikes", "30 Nov–2 Dec", "2026-11-30T00:00",
         "2026-12-03T00:00"),
        ("fires between October and February", "fires between October and February", "1 Oct 2025–28 Feb 2026",
         "2025-10-01T00:00", "2026-03-01T00:00"),
        ("talks since last week", "talks", "since Mon 30 Nov", "2026-11-30T00:00",
         "2026-12-08T00:00"),
        ("Today's headlines", "headlines", "today, Mon 7 Dec", "2026-12-07T00:00",
         "2026-12-08T00:00"),
        ("inflation from 2020 to 2022", "inflation from 2020 to 2022", "1 Jan 2020–31 Dec 2022",
         "2020-01-01T00:00", "2023-01-01T00:00"),
        ("what did Biden say on may 3", "what did Biden say on may 3", "Sun 3 May", "2026-05-03T00:00",
         "2026-05-04T00:00"),
        ("last week's vote", "vote", "last week, 30 Nov–6 Dec", "2026-11-30T00:00",
         "2026-12-07T00:00"),
        ("Yesterday, what did the court decide?", "what did the court decide?",
         "yesterday, Sun 6 Dec", "2026-12-06T00:00", "2026-12-07T00:00"),
    ],
)  # fmt: skip
def test_phrases(question: str, text: str, label: str, start: str, end: str) -> None:
    """The window of each phrase; a phrase that names its date (a year, a month) stays in the
    text searched, one relative to now leaves it."""
    reading = read(question)
    assert reading.text == text
    assert reading.window is not None and reading.window.label == label
    got_start, got_end = local_days(reading.window)
    assert (got_start[:16], got_end[:16]) == (start, end)
    assert reading.newest_first is False


@pytest.mark.parametrize(
    "question",
    ["the March on Washington", "who led the march on the capital", "may the court decide?",
     "may 5 people be charged", "the Sun newspaper says", "Black Friday sales", "Good Friday",
     "the Sunday Times report", "Monday Night Football", "USA Today poll", "the Mail on Sunday",
     "the 2024 candidates", "G20 summit", "COVID-19 deaths", "1,000 people died",
     "what happened recently", "news lately", "the last day of the trial",
     "the last week of the campaign", "after Friday's vote", "before yesterday's vote",
     "next Friday", "every Monday", "tomorrow's match", "yesterday and last week",
     "what will happen on 3 March 2030", "in 2030", "3 hours ago", "in the past days",
     "between 3 and 10 March", "31 February", "the class of 2024",
     "what did the Today programme say", "this Sunday", "in the past few days"],
)  # fmt: skip
def test_what_is_not_a_window(question: str) -> None:
    reading = read(question)
    assert reading.window is None
    assert reading.text == question
    assert reading.newest_first is False


@pytest.mark.parametrize(
    ("question", "text"),
    [("latest on the strike", "the strike"), ("the latest news about the flood", "the flood"),
     ("what is the most recent update on the talks?", "what is the talks?"),
     ("newest reports regarding the fire", "the fire"), ("last news on Ukraine", "Ukraine"),
     ("latest?", "latest?")],
)  # fmt: skip
def test_newest_first_is_read_and_removed(question: str, text: str) -> None:
    reading = read(question)
    assert reading == TimeReading(text, None, newest_first=True)


def test_newest_first_and_a_window_together() -> None:
    reading = read("the latest news from parliament yesterday")
    assert reading.text == "from parliament"
    assert reading.newest_first is True
    assert reading.window is not None and reading.window.label == "yesterday, Sun 6 Dec"


def test_only_time_words_keep_the_question() -> None:
    reading = read("  yesterday?  ")
    assert reading.text == "yesterday?"
    assert reading.window is not None and reading.window.label.startswith("yesterday")


def test_a_language_without_time_words_reads_none() -> None:
    assert read_time("hier", NOW, PARIS, language="xx") == TimeReading("hier", None, False)


def test_a_month_without_a_year_is_the_latest_not_in_the_future() -> None:
    february = datetime(2026, 2, 10, 12, tzinfo=UTC)
    assert local_days(read("in March", february).window)[0][:10] == "2025-03-01"
    assert local_days(read("in February", february).window)[0][:10] == "2026-02-01"
    assert local_days(read("on 10 February", february).window)[0][:10] == "2026-02-10"
    assert local_days(read("on 11 February", february).window)[0][:10] == "2025-02-11"


def test_29_february_is_the_latest_leap_day() -> None:
    window = read("on 29 February", datetime(2027, 6, 1, tzinfo=UTC)).window
    assert local_days(window)[0][:10] == "2024-02-29"


def test_on_a_weekday_said_that_weekday_is_today_last_one_a_week_ago() -> None:
    monday = datetime(2026, 12, 7, 10, tzinfo=UTC)
    assert local_days(read("on Monday", monday).window)[0][:10] == "2026-12-07"
    assert local_days(read("last Monday", monday).window)[0][:10] == "2026-11-30"
    assert local_days(read("this Monday", monday).window)[0][:10] == "2026-12-07"
    tuesday = monday + timedelta(days=1)
    assert local_days(read("on Monday", tuesday).window)[0][:10] == "2026-12-07"
    assert read("this Friday", monday).window is None  # in the future


@pytest.mark.parametrize(
    ("now", "hours"),
    [(datetime(2026, 3, 30, 9, tzinfo=UTC), 23), (datetime(2026, 10, 26, 9, tzinfo=UTC), 25)],
)
def test_yesterday_on_the_day_after_a_clock_change(now: datetime, hours: int) -> None:
    window = read("yesterday", now).window
    assert window is not None
    assert window.end - window.start == timedelta(hours=hours)
    assert window.end == datetime.combine(now.date(), datetime.min.time(), PARIS)


@pytest.mark.parametrize(
    ("now", "hours"),
    [(datetime(2026, 3, 29, 9, tzinfo=UTC), 23), (datetime(2026, 10, 25, 9, tzinfo=UTC), 25)],
)
def test_today_on_a_clock_change(now: datetime, hours: int) -> None:
    window = read("today", now).window
    assert window is not None and window.end - window.start == timedelta(hours=hours)


def test_the_turn_of_the_year() -> None:
    new_year = datetime(2027, 1, 1, 9, tzinfo=UTC)
    assert read("yesterday", new_year).window.label == "yesterday, Thu 31 Dec 2026"  # type: ignore[union-attr]
    assert local_days(read("last month", new_year).window)[:1] == ("2026-12-01T00:00:00+01:00",)
    assert local_days(read("last year", new_year).window)[0][:10] == "2026-01-01"
    last_week = read("last week", new_year).window
    assert last_week is not None and last_week.label == "last week, 21–27 Dec 2026"
    this_week = read("this week", new_year).window
    assert this_week is not None and this_week.label == "this week, since Fri 25 Dec 2026"
    new_year_s_eve = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    assert read("today", new_year_s_eve).window.label == "today, Thu 31 Dec"  # type: ignore[union-attr]
    assert read("today", new_year_s_eve, ZoneInfo("UTC")).window.label == "today, Thu 31 Dec"  # type: ignore[union-attr]
    assert read("today", new_year_s_eve, ZoneInfo("Asia/Tokyo")).window.label == "today, Fri 1 Jan"  # type: ignore[union-attr]


def test_window_contains_its_start_not_its_end() -> None:
    window = read("yesterday").window
    assert window is not None
    assert window.contains(window.start)
    assert not window.contains(window.end)


def test_window_between_operators() -> None:
    after = window_between(date(2024, 3, 1), None, PARIS)
    assert after is not None and after.label == "after 1 Mar 2024"
    assert after.start == datetime(2024, 3, 1, tzinfo=PARIS)
    both = window_between(date(2024, 3, 1), date(2024, 3, 10), PARIS)
    assert both is not None and both.label == "after 1 Mar 2024, before 10 Mar 2024"
    assert both.end == datetime(2024, 3, 10, tzinfo=PARIS)
    assert not both.contains(both.end)
    before = window_between(None, date(2024, 3, 10), PARIS)
    assert before is not None and before.label == "before 10 Mar 2024"
    assert window_between(None, None, PARIS) is None
    assert window_between(date(2024, 3, 10), date(2024, 3, 10), PARIS) is None


# Property tests: every zone, any moment of 2000–2035. No deadline: the first date read loads
# dateparser's language data, and this machine's load varies.

_ZONES = sorted(available_timezones())
_PHRASES = [
    "today", "yesterday", "the day before yesterday", "this morning", "this afternoon",
    "tonight", "last night", "this week", "last week", "this month", "last month", "this year",
    "last year", "3 days ago", "a week ago", "2 months ago", "one year ago", "in the last 3 days",
    "over the past week", "in the past 24 hours", "over the past 2 months", "on Monday",
    "last Sunday", "this Wednesday", "Friday's", "since Friday", "since yesterday",
    "since 3 March", "in March", "on 29 February", "on 31 December", "on 1 January",
    "in 2010", "since 2001", "between 1 March and 10 March", "from Monday to Wednesday",
    "between December and February", "March 2024",
]  # fmt: skip
_VOCABULARY = [
    "what", "happened", "in", "parliament", "did", "the", "court", "decide", "on", "strike",
    "vote", "minister", "said", "why", "who", "police", "flood", "budget", "1,000", "G20",
    "COVID-19", "people", "Sun", "newspaper", "Washington", "of", "and", "since", "between",
    "from", "to", "?", "Black", "rally", "mayor", "marched", "week-long", "days", "news",
]  # fmt: skip

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(_ZONES).map(ZoneInfo)
sentences = st.lists(st.sampled_from(_VOCABULARY), max_size=12).map(" ".join)


def _end_of_today(now: datetime, zone: ZoneInfo) -> datetime:
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, datetime.min.time(), zone).astimezone(UTC)


@settings(deadline=None)
@given(now=moments, zone=zones, phrase=st.sampled_from(_PHRASES))
def test_every_window_is_in_the_past_or_today_and_not_empty(
    now: datetime, zone: ZoneInfo, phrase: str
) -> None:
    window = read_time(f"what happened {phrase}", now, zone).window
    if window is None:
        assert phrase in ("this Wednesday", "in 2010", "since 2001", "March 2024"), phrase
        return
    assert window.start < window.end
    assert window.end <= _end_of_today(now, zone)
    assert window.start.astimezone(zone).date() <= now.astimezone(zone).date()


@settings(deadline=None)
@given(now=moments, zone=zones)
def test_yesterday_is_one_whole_local_day_ending_at_midnight(now: datetime, zone: ZoneInfo) -> None:
    window = read_time("yesterday", now, zone).window
    assert window is not None
    today = now.astimezone(zone).date()
    yesterday = today - timedelta(days=1)
    tick = timedelta(microseconds=1)
    assert window.start.astimezone(zone).date() == yesterday
    assert (window.start - tick).astimezone(zone).date() < yesterday
    assert window.end.astimezone(zone).date() == today
    assert (window.end - tick).astimezone(zone).date() == yesterday
    assert window.start <= now < window.end + timedelta(days=1, hours=2)


@settings(deadline=None)
@given(now=moments, zone=zones, sentence=sentences)
def test_a_question_without_time_words_is_unchanged(
    now: datetime, zone: ZoneInfo, sentence: str
) -> None:
    assert read_time(sentence, now, zone) == TimeReading(sentence, None, newest_first=False)


@settings(deadline=None)
@given(
    now=moments,
    zone=zones,
    before=sentences,
    phrase=st.sampled_from([*_PHRASES, "latest", "the most recent news on"]),
    after=sentences,
)
def test_the_text_never_gains_words(
    now: datetime, zone: ZoneInfo, before: str, phrase: str, after: str
) -> None:
    question = f"{before} {phrase} {after}"
    text = read_time(question, now, zone).text
    assert not Counter(re.findall(r"\w+", text)) - Counter(re.findall(r"\w+", question))
    if re.search(r"\w", question):
        assert re.search(r"\w", text)
