"""A question read for operators, outlets and time together (`index.search.question_reading`)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from index.search.question_reading import read_question

OUTLETS = ["BBC News", "Reuters"]
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def test_a_plain_question_is_searched_as_it_came() -> None:
    reading = read_question("Which countries signed security pacts?", NOW, PARIS, OUTLETS)
    assert reading.text == "Which countries signed security pacts?"
    assert reading.passage_filter is None and reading.window is None


def test_outlet_and_time_make_one_filter() -> None:
    reading = read_question("What did the BBC say about the strike yesterday?", NOW, PARIS, OUTLETS)
    assert reading.text == "the strike?"
    assert reading.outlets == ("BBC News",)
    window = reading.window
    assert window is not None
    assert window.start == datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # Paris midnight, 6 Dec
    assert window.end == datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    passage_filter = reading.passage_filter
    assert passage_filter is not None and passage_filter.sources == frozenset({"BBC News"})
    assert passage_filter.start == int(window.start.timestamp())
    outside = reading.outside_window
    assert (
        outside is not None and outside.start is None and outside.sources == frozenset({"BBC News"})
    )


def test_operators_win_over_phrases_and_unknown_outlets_filter_nothing() -> None:
    reading = read_question(
        "floods last week source:reuters -source:bbc source:Fox after:2026-11-01",
        NOW, PARIS, OUTLETS,
    )  # fmt: skip
    assert reading.text == "floods"
    assert reading.outlets == ("Reuters",) and reading.excluded_outlets == ("BBC News",)
    assert reading.unknown_outlets == ("Fox",)
    assert reading.window is not None
    assert reading.window.start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
