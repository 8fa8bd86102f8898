"""Which passage of each article is closest to each topic: the pure half of topic matching.

Alerts compare a few topic vectors with every passage of a few new articles; an article's score
for a topic is its best passage's, so one on-topic paragraph in a long story is enough.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+")
# Function words, question words and news filler: none of them names what a topic is about.
_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
let me more most my myself new news no nor not now of off on once only or other our ours
ourselves out over own recent recently s said same say says she should so some such than that
the their theirs them themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class BestPassage:
    """The passage (row) of an article that is closest to one topic, and how close."""

    article_id: str
    topic: int
    row: int
    score: float
    """What the passage was chosen by (cosine, plus the lexical signal when it is used)."""
    cosine: float
    """The passage's cosine similarity to the topic, the figure shown to readers."""


def best_passages(
    rows: Sequence[int],
    article_ids: Sequence[str],
    scores: np.ndarray,
    cosines: np.ndarray | None = None,
) -> dict[str, list[BestPassage]]:
    """Per article, for every topic (column of `scores`), its best-scoring passage row.

    `rows[i]` belongs to `article_ids[i]` and `scores[i, t]` is its similarity to topic `t`;
    `cosines` (same shape) are reported alongside when the scores are not plain cosines.
    Ties go to the earlier passage, so a lead paragraph wins over a repeat further down.
    """
    if scores.ndim != 2 or scores.shape[0] != len(rows) or len(rows) != len(article_ids):
        raise ValueError("one row of scores per passage is needed")
    if cosines is None:
        cosines = scores
    elif cosines.shape != scores.shape:
        raise ValueError("cosines and scores must have the same shape")
    positions: dict[str, list[int]] = {}
    for position, article_id in enumerate(article_ids):
        positions.setdefault(article_id, []).append(position)
    result: dict[str, list[BestPassage]] = {}
    for article_id, members in positions.items():
        block = scores[members]
        best = block.argmax(axis=0)
        result[article_id] = [
            BestPassage(
                article_id, topic, rows[members[i]], float(block[i, topic]),
                float(cosines[members[i], topic]),
            )
            for topic, i in enumerate(best.tolist())
        ]  # fmt: skip
    return result


def term_coverage(topic: str, passage: str) -> float:
    """Share of the topic's distinct content words that occur in the passage, from 0 to 1.

    A small embedding model places "Russian attacks on Estonia" close to any story about Russia
    and the Baltic; a name or a place that a topic spells out should count when it is literally
    there. Added to the cosine (`dense + w * coverage`), it lifts passages that name the topic's
    people and places. Words are lowercased `\\w+` tokens without stopwords and one-letter
    tokens, with a plural `s` removed, so "attacks" matches "attack"; 0.0 when the topic has no
    content word. Pass the article title with the passage when it should count too.
    """
    wanted = _content_terms(topic)
    if not wanted:
        return 0.0
    return len(wanted & _content_terms(passage)) / len(wanted)


@lru_cache(maxsize=4096)
def _content_terms(text: str) -> frozenset[str]:
    """The distinct content words of a text, lightly stemmed (cached: topics recur on every call)."""
    terms: set[str] = set()
    for token in _WORD.findall(text.lower()):
        if len(token) < 2 or token in _STOPWORDS:
            continue
        if len(token) > 4 and token.endswith("ies"):
            token = token[:-3] + "y"
        elif len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
            token = token[:-1]
        terms.add(token)
    return frozenset(terms)
