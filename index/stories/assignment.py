"""Which story an article joins when it is indexed: the story of an earlier article about the
same event, or a new one (linked to the story it develops, if any). Pure functions.

Same event, not same topic: two articles are scored on how close their whole texts are (the
cosine of their article vectors), how many names and numbers of their leads they share, how
many title words, and how far apart they were published; the weights and thresholds are
calibrated on a labelled news-event data set (`benchmarks/stories.py`, `story_rules.json`).

An article joins the story of the earlier article it scores best with, if that score clears
`join` and the two are at most `window` apart. Otherwise it starts a story; if its best score
within `follow_window` clears `follow` (the same actors, a new development), the new story
names that one as its predecessor.

Articles are placed oldest first (ties by id), so the same articles give the same stories
whatever order a batch lists them in, and a story keeps the id its first article gave it:
stories never merge or split once placed, which is what lets alerts and answers keep them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.stories.fingerprint import StoryCard

RULES_FILE = Path(__file__).with_name("story_rules.json")
VECTOR_FLOOR = 0.3
"""Pairs whose article vectors are further apart than this are not scored at all: no calibrated
rule joins them (see `story_rules.json`), and skipping them keeps a placement cheap."""


@dataclass(frozen=True, slots=True)
class StoryRules:
    """How pairs of articles are scored, and the scores a story needs."""

    window: timedelta
    """How far apart two articles of one story may be published (STORY_WINDOW)."""
    follow_window: timedelta
    """How far back a new story looks for the story it develops."""
    bias: float
    vector_weight: float
    names_weight: float
    title_weight: float
    days_weight: float
    join: float
    """The pair score (0-1) above which an article joins an earlier one's story."""
    follow: float
    """The pair score above which a new story follows an earlier one (below `join`)."""

    def score(self, cosine: float, names: float, title: float, days: float) -> float:
        """The chance, as calibrated, that two articles report the same event."""
        logit = (
            self.bias
            + self.vector_weight * cosine
            + self.names_weight * names
            + self.title_weight * title
            + self.days_weight * days
        )
        return float(1.0 / (1.0 + np.exp(-logit)))


@lru_cache(maxsize=1)
def default_rules() -> StoryRules:
    """The calibrated rules (`story_rules.json`) with a 72-hour window."""
    return load_rules(RULES_FILE)


def load_rules(path: Path, window: timedelta | None = None) -> StoryRules:
    data = json.loads(path.read_text(encoding="utf-8"))
    return StoryRules(
        window=window or timedelta(hours=float(data["window_hours"])),
        follow_window=timedelta(hours=float(data["follow_window_hours"])),
        bias=float(data["bias"]),
        vector_weight=float(data["vector_weight"]),
        names_weight=float(data["names_weight"]),
        title_weight=float(data["title_weight"]),
        days_weight=float(data["days_weight"]),
        join=float(data["join"]),
        follow=float(data["follow"]),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    """An article's story: the id, and the story that story develops (or None)."""

    story_id: str
    predecessor: str | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    """An article already in a story."""

    card: StoryCard
    placement: Placement


def story_id_of(article_id: str) -> str:
    """A story's id, made from its first article's: the same articles give the same ids."""
    return "s" + hashlib.blake2b(article_id.encode("utf-8"), digest_size=6).hexdigest()


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """The Jaccard overlap of two word sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def pair_features(a: StoryCard, b: StoryCard) -> tuple[float, float, float, float]:
    """(vector cosine, names overlap, title overlap, days apart) of two articles."""
    days = abs((a.moment - b.moment).total_seconds()) / 86_400
    return (
        float(np.dot(a.vector, b.vector)),
        overlap(a.names, b.names),
        overlap(a.title_words, b.title_words),
        days,
    )


def canonical_order(cards: Iterable[StoryCard]) -> list[StoryCard]:
    return sorted(cards, key=lambda c: (c.moment, c.article_id))


def assign_stories(
    placed: Sequence[Placed], incoming: Sequence[StoryCard], rules: StoryRules
) -> dict[str, Placement]:
    """The placement of every incoming article (by article id), oldest first, each seeing the
    placed articles and the incoming ones placed before it.

    `placed` need only hold the articles within `follow_window` of the incoming ones: no
    other can be joined or followed.
    """
    timeline = _Timeline(placed)
    result: dict[str, Placement] = {}
    for card in canonical_order(incoming):
        placement = _place(card, timeline, rules)
        result[card.article_id] = placement
        timeline.add(Placed(card, placement))
    return result


def _place(card: StoryCard, timeline: _Timeline, rules: StoryRules) -> Placement:
    best_join: tuple[float, str] | None = None
    best_follow: tuple[float, str] | None = None
    reach = max(rules.window, rules.follow_window)
    for other, cosine in timeline.near(card, reach):
        if other.card.article_id == card.article_id:
            continue
        _, names, title, days = pair_features(card, other.card)
        score = rules.score(cosine, names, title, days)
        story = other.placement.story_id
        apart = abs(card.moment - other.card.moment)
        if apart <= rules.window and score >= rules.join:
            best_join = max(best_join or (score, story), (score, story))
        elif (
            other.card.moment <= card.moment
            and apart <= rules.follow_window
            and score >= rules.follow
        ):
            best_follow = max(best_follow or (score, story), (score, story))
    if best_join is not None:
        return timeline.placement_of(best_join[1])
    return Placement(story_id_of(card.article_id), best_follow[1] if best_follow else None)


class _Timeline:
    """Placed articles by moment, with their vectors stacked for one product per placement."""

    def __init__(self, placed: Sequence[Placed]) -> None:
        ordered = sorted(placed, key=lambda p: (p.card.moment, p.card.article_id))
        self._items: list[Placed] = list(ordered)
        self._moments = [p.card.moment for p in self._items]
        self._stories = {p.placement.story_id: p.placement for p in self._items}

    def add(self, item: Placed) -> None:
        at = bisect.bisect_right(self._moments, item.card.moment)
        self._items.insert(at, item)
        self._moments.insert(at, item.card.moment)
        self._stories.setdefault(item.placement.story_id, item.placement)

    def placement_of(self, story_id: str) -> Placement:
        return self._stories[story_id]

    def near(self, card: StoryCard, reach: timedelta) -> list[tuple[Placed, float]]:
        """Placed articles within `reach` of the card whose vectors clear VECTOR_FLOOR."""
        low = bisect.bisect_left(self._moments, card.moment - reach)
        high = bisect.bisect_right(self._moments, card.moment + reach)
        window = self._items[low:high]
        if not window:
            return []
        cosines = np.stack([p.card.vector for p in window]) @ card.vector
        return [(p, float(c)) for p, c in zip(window, cosines, strict=True) if c >= VECTOR_FLOOR]
