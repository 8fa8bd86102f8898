"""Story assignment as pure functions: same event joins, same topic does not, and the result
depends on the articles, never on the order a batch lists them in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index.stories.assignment import (
    Placed,
    Placement,
    assign_stories,
    default_rules,
    story_id_of,
)
from index.stories.fingerprint import StoryCard

START = datetime(2026, 12, 1, 8, tzinfo=UTC)
DIMENSION = 8


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(DIMENSION, np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


FLOOD = unit(1.0, 0.05)
FLOOD_RETOLD = unit(1.0, 0.12)
OTHER_FLOOD = unit(0.55, 0.0, 0.83)  # closer than two real floods read (0.3-0.4)


def card(
    article_id: str,
    hours: float,
    vector: np.ndarray,
    names: str,
    title: str,
    source: str = "Wire",
) -> StoryCard:
    return StoryCard(
        article_id,
        START + timedelta(hours=hours),
        source,
        frozenset(names.split()),
        frozenset(title.split()),
        vector,
    )


def shrewsbury(article_id: str, hours: float, source: str = "BBC") -> StoryCard:
    return card(
        article_id, hours, FLOOD_RETOLD if source != "BBC" else FLOOD,
        "severn shrewsbury jane hill frankwell 200 12 environment agency",
        "sever shrewsburi flood", source,
    )  # fmt: skip


def valencia(article_id: str, hours: float) -> StoryCard:
    return card(
        article_id, hours, OTHER_FLOOD, "valencia spain aemet 500 three", "flood valencia kill"
    )


def test_two_outlets_telling_one_event_share_a_story_and_a_near_miss_does_not() -> None:
    rules = default_rules()
    placed = assign_stories(
        [], [shrewsbury("bbc", 0), shrewsbury("reuters", 6, "Reuters"), valencia("ap", 26)], rules
    )
    assert placed["bbc"] == placed["reuters"] == Placement(story_id_of("bbc"))
    assert placed["ap"].story_id == story_id_of("ap") != placed["bbc"].story_id


def test_a_late_copy_joins_the_story_already_placed() -> None:
    rules = default_rules()
    first = assign_stories([], [shrewsbury("bbc", 0)], rules)
    earlier = [Placed(shrewsbury("bbc", 0), first["bbc"])]
    late = assign_stories(earlier, [shrewsbury("reuters", 30, "Reuters")], rules)
    assert late["reuters"] == first["bbc"]


def test_a_copy_outside_the_window_starts_a_story_that_follows_the_first() -> None:
    rules = default_rules()
    hours = rules.window.total_seconds() / 3600
    first = Placed(shrewsbury("bbc", 0), Placement(story_id_of("bbc")))
    inside = assign_stories([first], [shrewsbury("in", hours - 0.01, "Reuters")], rules)
    outside = assign_stories([first], [shrewsbury("out", hours + 0.01, "Reuters")], rules)
    assert inside["in"].story_id == story_id_of("bbc")
    assert outside["out"] == Placement(story_id_of("out"), predecessor=story_id_of("bbc"))


def test_a_story_keeps_the_id_and_predecessor_of_its_first_article() -> None:
    rules = default_rules()
    first = Placed(shrewsbury("bbc", 0), Placement(story_id_of("bbc"), predecessor="s-earlier"))
    joined = assign_stories([first], [shrewsbury("reuters", 2, "Reuters")], rules)
    assert joined["reuters"] == Placement(story_id_of("bbc"), predecessor="s-earlier")


ARTICLES = [
    shrewsbury("bbc", 0),
    shrewsbury("reuters", 5, "Reuters"),
    shrewsbury("guardian", 40, "Guardian"),
    valencia("ap", 20),
    valencia("efe", 22),
    card("strike", 3, unit(0.0, 1.0), "dock felixstowe unite 48", "dock strike"),
    card("strike-end", 100, unit(0.0, 0.9, 0.3), "dock felixstowe unite", "dock strike end"),
]


@settings(max_examples=60, deadline=None)
@given(st.permutations(ARTICLES), st.integers(min_value=0, max_value=len(ARTICLES)))
def test_the_stories_depend_on_the_articles_not_on_how_they_are_listed(
    order: list[StoryCard], cut: int
) -> None:
    """One batch in any order, or two writes in time order, give the same stories."""
    rules = default_rules()
    reference = assign_stories([], ARTICLES, rules)
    assert assign_stories([], order, rules) == reference
    ordered = sorted(ARTICLES, key=lambda c: (c.moment, c.article_id))
    first = assign_stories([], ordered[:cut], rules)
    placed = [Placed(c, first[c.article_id]) for c in ordered[:cut]]
    second = assign_stories(placed, ordered[cut:], rules)
    assert {**first, **second} == reference


def test_every_placement_names_a_story_started_by_an_earlier_or_same_article() -> None:
    rules = default_rules()
    placed = assign_stories([], ARTICLES, rules)
    starters = {story_id_of(c.article_id): c.moment for c in ARTICLES}
    for c in ARTICLES:
        assert starters[placed[c.article_id].story_id] <= c.moment
