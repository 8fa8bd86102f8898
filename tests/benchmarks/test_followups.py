"""The follow-up benchmark's scoring and conversation replay, with a search that is a table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.followup_index import corpus_file, corpus_records, normalise
from benchmarks.followup_tuning import GridPoint, best, grid_table
from benchmarks.followups import (
    AS_ASKED,
    REWRITTEN,
    WITH_CONTEXT,
    TurnScore,
    cited_articles,
    follow_up_class,
    replay,
    score_turn,
    summarise,
    table,
    topic_switches,
)
from index.search.news_index import Hit


def hit(article_id: str, text: str = "") -> Hit:
    return Hit(1, 0.5, text, 0, len(text), article_id, "", None, None, None)


def test_normalising_ignores_case_punctuation_and_spacing() -> None:
    assert normalise('  The Mayor,\n said: "No!" ') == "the mayor said no"


@given(st.text(max_size=200))
def test_normalised_text_is_a_fixed_point(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


def test_the_first_citation_of_the_story_that_holds_the_span_is_the_answer_rank() -> None:
    cited = [("other", "the mayor resigned"), ("s1", "He left."), ("s1", "The Mayor resigned.")]
    assert score_turn(cited, "s1", "the mayor  resigned") == TurnScore(2, 3, True)
    assert score_turn(cited[:1], "s1", "the mayor resigned") == TurnScore(None, None, True)


def test_a_turn_without_a_span_counts_for_the_article_only() -> None:
    assert score_turn([("s1", "anything")], "s1", None) == TurnScore(1, None, False)


def test_citations_past_the_third_do_not_count() -> None:
    cited = [("a", ""), ("b", ""), ("c", ""), ("s1", "x")]
    assert score_turn(cited, "s1", "x").article_rank is None


def test_summaries_count_answer_hits_over_turns_with_a_span() -> None:
    row = summarise(
        AS_ASKED, [TurnScore(1, 1, True), TurnScore(3, None, True), TurnScore(2, None, False)]
    )
    assert (row.turns, row.with_span) == (3, 2)
    assert (row.article_hit1, row.article_hit3) == (1 / 3, 1.0)
    assert (row.answer_hit1, row.answer_hit3) == (0.5, 0.5)
    empty = summarise(REWRITTEN, [])
    assert math.isnan(empty.article_hit1)
    assert "| rewritten | 0 | 0 | — | — | — | — |" in table([row, empty])


def test_distractors_that_repeat_a_story_are_left_out(tmp_path: Path) -> None:
    story = {"id": "s1", "title": "T", "text": "The mayor resigned.", "source": "CNN", "turns": []}
    distractors = [{"id": "d1", "text": "the MAYOR resigned"}, {"id": "d2", "text": "Rain."}]
    records = corpus_records([story], distractors)
    assert [r["id"] for r in records] == ["s1", "d2"]
    path = corpus_file(records, tmp_path)
    assert corpus_file(records, tmp_path) == path and path.stat().st_size > 0


@dataclass(frozen=True)
class Context:
    """Stands for `index.search.follow_up.FollowUp`: what `replay` hands the search."""

    previous_questions: tuple[str, ...]
    cited_articles: tuple[str, ...]


CONVERSATION = {
    "id": "s1",
    "turns": [
        {"question": "Who resigned?", "rewrite": None, "span_text": "mayor"},
        {"question": "why?", "rewrite": "Why did the mayor resign?", "span_text": "health"},
        {"question": "when?", "rewrite": None, "span_text": None},
    ],
}


def test_replay_searches_each_follow_up_three_ways_and_carries_the_previous_citation() -> None:
    contexts: list[Context] = []

    def search(question: str, **extra: Any) -> list[Hit]:
        context = extra.get("follow_up")
        if context is not None:
            contexts.append(context)
            return [hit("s1", "for health reasons")]
        if question == "Who resigned?":
            return [hit("s1", "the mayor")]
        if question.startswith("Why did the mayor"):
            return [hit("s1", "for health reasons")]
        return [hit("elsewhere", "health")]

    scores = replay(CONVERSATION, search, Context)
    assert scores[AS_ASKED] == [TurnScore(None, None, True), TurnScore(None, None, False)]
    assert scores[REWRITTEN] == [TurnScore(1, 1, True)]
    assert scores[WITH_CONTEXT] == [TurnScore(1, 1, True), TurnScore(1, None, False)]
    assert contexts == [
        Context(("Who resigned?",), ("s1",)),
        Context(("Who resigned?", "why?"), ("s1",)),
    ]


def test_without_follow_up_context_that_condition_is_not_searched() -> None:
    asked: list[str] = []

    def search(question: str, **extra: Any) -> list[Hit]:
        assert not extra
        asked.append(question)
        return []

    scores = replay(CONVERSATION, search, None)
    assert scores[WITH_CONTEXT] == [] and asked == ["why?", "Why did the mayor resign?", "when?"]


def test_the_follow_up_class_is_found_only_when_the_search_takes_it() -> None:
    found = follow_up_class()
    assert found is None or found.__name__ == "FollowUp"


def test_an_answer_carries_its_first_three_distinct_articles() -> None:
    hits = [hit("p1"), hit("p1"), hit("p2"), hit("p3")]
    assert cited_articles(hits) == ("p1", "p2")
    assert cited_articles([hit("a"), hit("b"), hit("c"), hit("d")]) == ("a", "b", "c")


def test_paragraphs_count_for_the_article_they_belong_to() -> None:
    cited = [("xq-a000-p03", "the Broncos won 24–10")]
    article_of = {"xq-a000-p03": "xq-a000"}.__getitem__
    assert score_turn(cited, "xq-a000", "24–10", article_of) == TurnScore(1, 1, True)
    assert score_turn(cited, "xq-a000-p03", "24–10") == TurnScore(1, 1, True)


def test_each_conversation_switches_to_a_question_about_another_story() -> None:
    made = [
        {"id": f"c{n}", "article_id": story, "turns": [{"question": f"q{n}", "span_text": "x"}]}
        for n, story in enumerate(["a", "a", "b", "c"])
    ]
    switches = topic_switches(made)
    assert [s and s["story"] for s in switches] == ["b", "c", "a", "a"]
    assert topic_switches(made[:2]) == [None, None]


def test_the_best_rules_win_on_answers_then_articles_then_defaults() -> None:
    points = [
        GridPoint(0.0, 0.5, 0.8, 0.9, 0.7),
        GridPoint(0.05, 0.6, 0.8, 0.9, 0.7),
        GridPoint(0.1, 0.6, 0.8, 0.95, 0.1),
    ]
    assert best(points, (0.05, 0.6)) == points[2]
    assert best(points[:2], (0.05, 0.6)) == points[1]
    assert best(points[:2], (9.0, 9.0)) == points[0]
    assert "| **0.05** | **0.6** |" in grid_table(points[:2], points[1])
