"""Topic matching: best passage per article and topic, literal term coverage, short topics and
their lead passages (pure), and `match_articles(lead_only=True)` on a real index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.lexical import term_coverage, tokenize, topic_words
from index.search.topic_matching import BestPassage, best_passages, is_short_topic, lead_rows
from tests.conftest import write_article
from tests.stores import both_stores

RIVER_TITLE = "River bursts its banks in northern town"
RIVER_BODY = (
    "The river burst its banks overnight after three days of torrential rain, swamping the "
    "town centre and forcing hundreds of residents from their homes. Rescue crews in boats "
    "reached families trapped on upper floors as the water rose above the doors of shops.\n\n"
    "The council opened two schools as emergency shelters. Forecasters warned that more rain "
    "was expected over the weekend and that rivers across the region would stay high."
)
"""About floods from its first word, without ever saying "flood"."""
BUDGET_TITLE = "City council approves new budget for schools and roads"
BUDGET_BODY = (
    "The city council on Monday approved a budget that raises spending on schools by five "
    "percent and sets aside money to repair roads and bridges across the city. The mayor said "
    "the plan would not raise local taxes. Opposition councillors said the school money was "
    "too little and came too late for crowded classrooms.\n\n"
    "The budget also funds two new libraries and longer opening hours for public swimming pools. "
    "Council staff will be paid three percent more from April, ending a long dispute over wages. "
    "Bus fares stay the same for another year, the transport committee said.\n\n"
    "A smaller sum goes to the parks department, which plans to plant trees along the main "
    "avenues and refurbish playgrounds in the eastern districts over the next two years.\n\n"
    "The finance committee said the city's debt would fall for a third year in a row, and that "
    "the reserve fund would keep enough money for two months of running costs. Councillors will "
    "vote on the tax rates for businesses in March, after a consultation with shop owners.\n\n"
    "Some of the money will repair the riverside sports hall, which floods left under a metre of "
    "water last spring, when the river rose after a week of storms."
)
"""A budget story that names floods only in its last paragraph."""


def test_best_passage_per_article_and_topic() -> None:
    scores = np.array(
        [
            [0.125, 0.875],  # row 10, article a
            [0.75, 0.25],  # row 11, article a
            [0.375, 0.5],  # row 20, article b
        ],
        dtype=np.float32,
    )
    found = best_passages([10, 11, 20], ["a", "a", "b"], scores)
    # Binary fractions: exact in float32, so whole records compare equal.
    assert found["a"] == [
        BestPassage("a", 0, 11, 0.75, 0.75),
        BestPassage("a", 1, 10, 0.875, 0.875),
    ]
    assert [(b.topic, b.row) for b in found["b"]] == [(0, 20), (1, 20)]


def test_chosen_by_score_reported_with_its_cosine() -> None:
    cosines = np.array([[0.5], [0.625]], dtype=np.float32)
    scores = cosines + np.array([[0.25], [0.0]], dtype=np.float32)  # row 1 names the topic
    (best,) = best_passages([1, 2], ["a", "a"], scores, cosines)["a"]
    assert (best.row, best.score, best.cosine) == (1, 0.75, 0.5)
    with pytest.raises(ValueError, match="same shape"):
        best_passages([1, 2], ["a", "a"], scores, cosines[:1])


def test_ties_go_to_the_earlier_passage() -> None:
    scores = np.array([[0.5], [0.5], [0.5]], dtype=np.float32)
    assert best_passages([7, 3, 9], ["a", "a", "a"], scores)["a"][0].row == 7


def test_an_articles_passages_need_not_be_adjacent() -> None:
    scores = np.array([[0.2], [0.9], [0.6]], dtype=np.float32)
    found = best_passages([0, 1, 2], ["a", "b", "a"], scores)
    assert found["a"][0].row == 2
    assert found["b"][0].row == 1


def test_no_passages_no_articles() -> None:
    assert best_passages([], [], np.zeros((0, 3), dtype=np.float32)) == {}


@pytest.mark.parametrize(
    ("rows", "article_ids", "shape"),
    [([0, 1], ["a", "a"], (3, 2)), ([0, 1], ["a"], (2, 2)), ([0], ["a"], (1,))],
)
def test_mismatched_shapes_are_refused(
    rows: list[int], article_ids: list[str], shape: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError):
        best_passages(rows, article_ids, np.zeros(shape, dtype=np.float32))


@given(
    st.lists(st.sampled_from("abc"), min_size=1, max_size=20).flatmap(
        lambda owners: st.tuples(
            st.just(owners),
            st.lists(
                st.lists(st.floats(-1, 1, width=32), min_size=2, max_size=2),
                min_size=len(owners),
                max_size=len(owners),
            ),
        )
    )
)
def test_best_score_is_the_maximum_over_the_articles_passages(
    case: tuple[list[str], list[list[float]]],
) -> None:
    owners, values = case
    scores = np.array(values, dtype=np.float32)
    found = best_passages(list(range(len(owners))), owners, scores)
    assert set(found) == set(owners)
    for article_id, per_topic in found.items():
        mine = scores[[i for i, owner in enumerate(owners) if owner == article_id]]
        assert [b.score for b in per_topic] == pytest.approx(mine.max(axis=0).tolist())
        assert all(owners[b.row] == article_id for b in per_topic)


def test_coverage_is_the_share_of_topic_words_present() -> None:
    topic = "Russian attacks on Estonia and Latvia"
    assert term_coverage(topic, "Russian jets were seen over Estonia on Monday.") == pytest.approx(
        2 / 4
    )
    assert term_coverage(topic, "Latvia and Estonia report Russian attacks") == 1.0
    assert term_coverage(topic, "The weather in Paris") == 0.0


def test_coverage_ignores_case_stopwords_punctuation_and_plurals() -> None:
    assert term_coverage("What did DUDA say about the states?", "duda: 'a state of...'") == 1.0
    assert term_coverage("Which countries?", "one country") == 1.0
    assert term_coverage("Estonia attacked", "attacks on Estonia") == 1.0  # as the word index stems


def test_coverage_words_are_the_word_index_words() -> None:
    """Alerts and search agree on what a word is: a topic's words are what BM25 indexes."""
    topic = "What did the French president say about Russia's new attacks?"
    assert topic_words(topic) <= set(tokenize([topic])[0])
    assert topic_words(topic) == {"french", "presid", "russia", "attack"}


def test_a_topic_without_content_words_covers_nothing() -> None:
    assert term_coverage("what is it?", "what is it? it is what it is") == 0.0
    assert term_coverage("", "anything") == 0.0


def test_coverage_matches_whole_words_only() -> None:
    assert term_coverage("Iran", "Ukraine and Iraq") == 0.0


@given(st.text(max_size=60), st.text(max_size=200))
def test_coverage_is_a_share(topic: str, passage: str) -> None:
    assert 0.0 <= term_coverage(topic, passage) <= 1.0
    assert term_coverage(topic, f"{topic} {passage}") in (0.0, 1.0)


@pytest.mark.parametrize(
    ("topic", "short"),
    [
        ("floods", True),
        ("Ukraine grain", True),
        ("what about the floods?", True),  # question filler is not what a topic is about
        ("Russian attacks on Estonia", False),
        ("the of and", False),  # no word it is about
        ("", False),
    ],
)
def test_short_topics_have_one_or_two_words_they_are_about(topic: str, short: bool) -> None:
    assert is_short_topic(topic, 2) is short


@given(st.text(max_size=60), st.integers(0, 5))
def test_short_topics_are_counted_by_topic_words_and_0_turns_them_off(
    topic: str, most_words: int
) -> None:
    assert is_short_topic(topic, most_words) == (1 <= len(topic_words(topic)) <= most_words)
    assert not is_short_topic(topic, 0)
    if is_short_topic(topic, most_words):
        assert is_short_topic(topic, most_words + 1)


def test_the_lead_row_is_each_articles_first() -> None:
    pairs = [(5, "a"), (6, "a"), (9, "b"), (2, "c"), (3, "c")]
    assert lead_rows(pairs) == [(5, "a"), (9, "b"), (2, "c")]
    assert lead_rows([]) == []


@given(st.lists(st.tuples(st.integers(0, 99), st.sampled_from("abcd")), max_size=30))
def test_one_lead_per_article_the_first_listed(pairs: list[tuple[int, str]]) -> None:
    leads = lead_rows(pairs)
    assert [a for _, a in leads] == list(dict.fromkeys(a for _, a in pairs))
    assert all(pairs[[a for _, a in pairs].index(a)] == (row, a) for row, a in leads)


@pytest.mark.slow
@both_stores
def test_lead_only_scores_each_articles_first_passage(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """A short topic is matched by the lead: the river story's lead is close to "floods"
    without the word; the budget story's last paragraph names floods, its lead does not."""
    folder = tmp_path / "new"
    write_article(folder, "river.md", RIVER_TITLE, RIVER_BODY)
    write_article(folder, "budget.md", BUDGET_TITLE, BUDGET_BODY)
    IndexWriter(settings, embedder).rebuild([folder])
    index = NewsIndex(settings, embedder)
    ids = {a.title: a.id for a in index.articles_indexed_since("")}
    river, budget = ids[RIVER_TITLE], ids[BUDGET_TITLE]
    topics = ["floods", "school budget"]
    vectors = np.stack([index.embed_topic(t) for t in topics])
    leads = index.lead_passages([river, budget])
    assert len(index.snapshot().passage_rows([budget])) >= 2, "more than its lead"

    best = index.match_articles([river, budget], vectors, topics, 0.1)
    lead = index.match_articles([river, budget], vectors, topics, 0.1, lead_only=True)
    assert {b.row for b in lead[budget]} == {leads[budget]}
    assert {b.row for b in lead[river]} == {leads[river]}
    assert best[budget][0].row != leads[budget], "anywhere, floods are best matched further down"
    assert best[budget][0].score > lead[budget][0].score + 0.2
    assert lead[budget][0].score < 0.2 < 0.4 < lead[river][0].score
    assert lead[river][0] == best[river][0]  # a story of one passage
    assert lead[budget][1].score > 0.5, "the budget story's lead is about the budget"
    vector = index.snapshot().passage_vectors([leads[budget]])[0]
    assert lead[budget][0].cosine == pytest.approx(float(vector @ vectors[0]), abs=1e-5)
    assert index.match_articles(["no-such-article"], vectors, lead_only=True) == {}
