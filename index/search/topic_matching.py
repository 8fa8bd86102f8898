"""Which passage of each article is closest to each topic, for alerts: `best_passages` is the
pure half, `match_articles` and `article_words` read the live version for it.

Alerts compare a few topic vectors with every passage of a few new articles; an article's score
for a topic is its best passage's, so one on-topic paragraph in a long story is enough. A short
topic ("floods", one or two words: `is_short_topic`) is matched by the article's lead passage
alone: measured on RealTimeQA, the best passage of any article lands near a one-word topic too
often, while the lead says what the story is about (`benchmarks.alert_topic_length`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedding.model_input import document_text
from index.lexical import term_coverage, topic_words, words_of_text
from index.store.version import IndexVersion


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


def is_short_topic(topic: str, most_words: int) -> bool:
    """Whether a topic has from one to `most_words` words it is about (`topic_words`, as the
    benchmark counts them); never with `most_words` 0, nor for a topic of filler words only."""
    return 1 <= len(topic_words(topic)) <= most_words


def lead_rows(pairs: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """The first (row, article id) of each article in `pairs` (by article, then ordinal): its
    lead passage."""
    seen: set[str] = set()
    leads = []
    for row, article_id in pairs:
        if article_id not in seen:
            seen.add(article_id)
            leads.append((row, article_id))
    return leads


def match_articles(
    snapshot: IndexVersion,
    article_ids: Sequence[str],
    topics: np.ndarray,
    topic_texts: Sequence[str] | None = None,
    lexical_weight: float = 0.0,
    lead_only: bool = False,
) -> dict[str, list[BestPassage]]:
    """For each article, its closest passage to every topic (one row of `topics` each).

    With `topic_texts` and a `lexical_weight`, a passage scores its cosine plus the weight
    times the share of the topic's words it contains (title included), so that names and
    places a topic spells out count. With `lead_only`, each article's first passage is the
    only one scored (for short topics). Articles no longer in the live version are left out.
    No model call: the passages' vectors come from the index itself.
    """
    pairs = snapshot.passage_rows(article_ids)
    if lead_only:
        pairs = lead_rows(pairs)
    if not pairs or len(topics) == 0:
        return {}
    rows = [row for row, _ in pairs]
    vectors = snapshot.passage_vectors(rows)
    matrix = np.asarray(topics, dtype=np.float32).reshape(len(topics), -1)
    cosines = vectors @ matrix.T
    scores = cosines
    if topic_texts is not None and lexical_weight:
        records = snapshot.passages(rows)
        coverage = np.array(
            [
                [term_coverage(topic, document_text(records[row].title, records[row].text))
                 for topic in topic_texts]
                for row in rows
            ],
            dtype=np.float32,
        ).reshape(cosines.shape)  # fmt: skip
        scores = cosines + lexical_weight * coverage
    return best_passages(rows, [article_id for _, article_id in pairs], scores, cosines)


def article_words(snapshot: IndexVersion, article_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """The words of each article's title and text as the word index has them, for word
    filters (`index.lexical.words_of_text`); articles not in the live version are left out."""
    pairs = snapshot.passage_rows(article_ids)
    records = snapshot.passages([row for row, _ in pairs])
    words: dict[str, set[str]] = {}
    for row, article_id in pairs:
        record = records.get(row)
        if record is not None:
            found = words.setdefault(article_id, set(words_of_text(record.title)))
            found |= words_of_text(record.text)
    return {article_id: frozenset(found) for article_id, found in words.items()}
