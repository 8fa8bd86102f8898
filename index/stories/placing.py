"""Placing a write's articles in stories: the step between reconciling a write and publishing
it, the same for both stores (`index.writer.IndexWriter`).

An article that already has a story keeps it; one whose text changed keeps its story and gets a
new card; the others are placed by `index.stories.assignment` against the articles around
them, those of the write and the `neighbours` the store reads of its live version (a store
writing in place has not read the rest). Their vectors are the passage vectors the write has
already embedded: placing costs no model call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from index.store.metadata import ArticleStory, IndexedArticle
from index.stories.assignment import Placed, Placement, StoryRules, assign_stories
from index.stories.fingerprint import StoryCard, card_terms, make_card, story_moment, terms_card

PassageVectors = Callable[[Sequence[IndexedArticle]], list[np.ndarray]]
"""Each article's passage vectors, in order (from the embedding cache the write filled)."""
Neighbours = Callable[[datetime, datetime], list[IndexedArticle]]
"""Placed articles of the live version between two moments that the write did not read."""


def stored_card(item: IndexedArticle) -> StoryCard:
    """The card of an article placed by an earlier write, from what its version stored."""
    assert item.story is not None
    return terms_card(
        item.article.id,
        story_moment(item.article.published, item.first_indexed_at),
        item.article.source,
        item.story.terms,
        item.story.vector,
    )


def place_in_stories(
    items: Sequence[IndexedArticle],
    passage_vectors: PassageVectors,
    neighbours: Neighbours,
    rules: StoryRules,
    kept: Mapping[str, Placement] | None = None,
) -> list[IndexedArticle]:
    """`items` with every article placed. `kept` names articles whose text changed: they keep
    their story (alerts and answers may hold it) and only get a new card."""
    kept = kept or {}
    unplaced = [item for item in items if item.story is None]
    if not unplaced:
        return list(items)
    cards = {
        item.article.id: _card(item, vectors)
        for item, vectors in zip(unplaced, passage_vectors(unplaced), strict=True)
    }
    incoming = [card for article_id, card in cards.items() if article_id not in kept]
    placements: dict[str, Placement] = dict(kept)
    if incoming:
        reach = max(rules.window, rules.follow_window)
        low = min(c.moment for c in incoming) - reach
        high = max(c.moment for c in incoming) + reach
        around: dict[str, Placed] = {}
        for item in [*neighbours(low, high), *items]:
            if item.story is not None:
                card = stored_card(item)
                if low <= card.moment <= high:
                    placement = Placement(item.story.story_id, item.story.predecessor)
                    around[item.article.id] = Placed(card, placement)
        for article_id, placement in kept.items():
            if article_id in cards:
                around[article_id] = Placed(cards[article_id], placement)
        placements.update(assign_stories(list(around.values()), incoming, rules))
    return [
        item
        if item.story is not None
        else replace(item, story=_story(placements[item.article.id], cards[item.article.id]))
        for item in items
    ]


def _card(item: IndexedArticle, passage_vectors: np.ndarray) -> StoryCard:
    a = item.article
    return make_card(
        a.id, a.title, a.text, a.source, a.published, item.first_indexed_at, passage_vectors
    )


def _story(placement: Placement, card: StoryCard) -> ArticleStory:
    return ArticleStory(placement.story_id, placement.predecessor, card_terms(card), card.vector)
