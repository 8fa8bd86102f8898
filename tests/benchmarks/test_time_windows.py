"""The pure half of the time-window benchmark: when a quiz question is asked, the phrase it gets,
and whether its gold article lies inside the window read from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.time_windows import (
    CONDITIONS,
    UTC_ZONE,
    Condition,
    asked_with,
    gold_age_days,
    gold_inside,
    quiz_evening,
    time_reading,
)
from evaluation.datasets import Question
from index.search.question_reading import read_question
from index.store.metadata import ArticleSummary
from index.store.passage_filter import PassageFilter

QUIZ = date(2022, 6, 16)  # a Thursday, as RealTimeQA writes it: "2022/06/16"
INDEXED = "2026-12-07T15:00:00+00:00"


def article(article_id: str, published: str | None) -> ArticleSummary:
    return ArticleSummary(article_id, "t", None, "CNN", published, 3, INDEXED)


def window(phrase: str, quiz: date = QUIZ) -> PassageFilter:
    reading = read_question(asked_with("Who won?", phrase), quiz_evening(quiz), UTC_ZONE, [])
    assert reading.text == "Who won?"
    assert reading.passage_filter is not None
    return reading.passage_filter


def test_a_quiz_question_is_asked_at_the_end_of_its_day_in_utc() -> None:
    assert quiz_evening(QUIZ) == datetime(2022, 6, 16, 23, 59, tzinfo=UTC)


def test_the_phrase_is_appended_and_none_leaves_the_question_alone() -> None:
    assert asked_with("Who won?", "this week") == "Who won? this week"
    assert asked_with("Who won?", None) == "Who won?"


def test_a_phrase_replaces_the_questions_own_time_words() -> None:
    past_week = Condition("c", "in the past week")
    reading = time_reading("Which automaker recalled cars this week?", QUIZ, past_week)
    assert reading is not None and reading.window is not None
    assert reading.text == "Which automaker recalled cars?"
    assert reading.window.label == "past week"
    appended = time_reading("Which automaker recalled cars?", QUIZ, past_week)
    assert appended is not None and appended.window == reading.window


def test_the_baseline_is_not_read_and_the_read_condition_keeps_the_question() -> None:
    assert time_reading("Who won this week?", QUIZ, CONDITIONS[0]) is None
    own = time_reading("Who won this week?", QUIZ, Condition("a′", read=True))
    assert own is not None and own.window is not None and own.text == "Who won?"
    none = time_reading("Who won recently?", QUIZ, Condition("a′", read=True))
    assert none is not None and none.window is None and none.text == "Who won recently?"


def test_this_week_and_the_past_week_keep_seven_days() -> None:
    articles = {
        "sunday": article("sunday", "2022-06-12"),
        "monday": article("monday", "2022-06-13"),
        "quiz day": article("quiz day", "2022-06-16"),
        "eight days": article("eight days", "2022-06-08"),
        "next day": article("next day", "2022-06-17"),
    }
    kept = {
        phrase: {a for a in articles if gold_inside({a}, window(phrase), articles)}
        for phrase in ("this week", "in the past week", "in the past two weeks")
    }
    assert kept["this week"] == {"sunday", "monday", "quiz day"}, "the past seven days"
    assert kept["in the past week"] == {"sunday", "monday", "quiz day"}
    assert kept["in the past two weeks"] == {"sunday", "monday", "quiz day", "eight days"}


def test_no_window_keeps_every_gold_article_and_an_unindexed_one_is_never_inside() -> None:
    articles = {"old": article("old", "2020-01-01")}
    assert gold_inside({"old"}, None, articles)
    assert not gold_inside({"missing"}, window("this week"), articles)
    assert gold_inside({"missing", "old"}, PassageFilter(), articles)


def test_an_undated_article_is_placed_when_it_was_indexed() -> None:
    articles = {"undated": article("undated", None)}
    assert not gold_inside({"undated"}, window("in the past two weeks"), articles)


def test_the_gold_age_is_that_of_the_youngest_gold_article() -> None:
    articles = {"a": article("a", "2022-06-12"), "b": article("b", "2022-06-15")}
    question = Question("20220617_0", "q", {"a", "b"}, ["x"], asked=QUIZ)
    assert gold_age_days(question, articles) == 1.5  # noon of the 15th to the end of the 16th
    assert gold_age_days(Question("x", "q", {"a"}), articles) is None
    assert gold_age_days(Question("x", "q", {"none"}, asked=QUIZ), articles) is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 11, 30)))
def test_every_window_holds_the_whole_quiz_day_and_nothing_after_it(quiz: date) -> None:
    day = {
        "day": article("day", quiz.isoformat()),
        "next": article("next", (quiz + timedelta(days=1)).isoformat()),
        "six days back": article("six days back", (quiz - timedelta(days=6)).isoformat()),
    }
    for phrase in ("this week", "in the past week", "in the past two weeks"):
        found = window(phrase, quiz)
        assert gold_inside({"day"}, found, day)
        assert not gold_inside({"next"}, found, day)
        if phrase != "this week":
            assert gold_inside({"six days back"}, found, day)
