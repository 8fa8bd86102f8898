"""Choosing the bold sentence: the sentence of a cited passage that answers the question.

Each sentence scores its cosine to the question plus BOLD_SENTENCE_LEXICAL_WEIGHT times the share
of the question's words it holds (rare words of the passage weigh more), so the sentence that
names what was asked wins a near tie. With the model's measured cue weights
(`bold_sentence_weights.json`, BOLD_SENTENCE_CUES on) the score also weighs what
`answer_cues` sees; for the packaged model, the kind of thing asked for (a name, a number, a
date, a place, a cause the question lacks) and a sentence that is itself a question. The
other cues are measured and weigh nothing: they won on SQuAD and lost on news
(`benchmarks/bold_sentence_weights.py`). The cosines come from the sentence vectors
stored with the version (no model call); a version without them (format 1) embeds its sentences
now, each read after the one before it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from index.embedding.model_input import document_text
from index.lexical import sentence_words
from index.passages.sentences import sentence_spans
from index.search.answer_cues import CUE_NAMES, sentence_cues
from index.store.metadata import PassageRecord
from index.store.version import IndexVersion

Span = tuple[int, int]
WEIGHTS_PATH = Path(__file__).with_name("bold_sentence_weights.json")


@dataclass(frozen=True, slots=True)
class SentenceWeights:
    """How a model's sentence scores are weighed: cosine, the question's words, each cue."""

    cosine: float = 1.0
    overlap: float = 1.5
    cues: Mapping[str, float] | None = None
    """Weight of each `answer_cues.SentenceCues` field; None: the cues are not read."""


def sentence_weights(model: str, lexical_weight: float, use_cues: bool) -> SentenceWeights:
    """The fitted weights of `model` when `use_cues` and it has some, else cosine plus
    `lexical_weight` × the question's words (the choice before cues were measured)."""
    fitted = _fitted(WEIGHTS_PATH).get(model) if use_cues else None
    return fitted or SentenceWeights(1.0, lexical_weight, None)


@cache
def _fitted(path: Path) -> dict[str, SentenceWeights]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    found: dict[str, SentenceWeights] = {}
    for model, record in data["models"].items():
        weights = record["weights"]
        unknown = set(weights) - {"cosine", "overlap", *CUE_NAMES}
        if unknown:
            raise ValueError(f"{path}: unknown sentence weights {sorted(unknown)} for {model}")
        cues = {name: float(weights.get(name, 0.0)) for name in CUE_NAMES}
        found[model] = SentenceWeights(float(weights["cosine"]), float(weights["overlap"]), cues)
    return found


class BoldSentence:
    """Picks each cited passage's bold sentence for a question (or a topic, for alerts)."""

    def __init__(
        self,
        embed_sentences: Callable[[Sequence[str]], np.ndarray],
        *,
        weights: SentenceWeights,
        in_context: bool,
    ) -> None:
        self._embed_sentences = embed_sentences
        self._weights = weights
        self._in_context = in_context

    def best(
        self,
        snapshot: IndexVersion,
        query: np.ndarray,
        query_text: str,
        records: Sequence[PassageRecord],
    ) -> list[Span]:
        """For each passage, the span (in its text) of the sentence that answers the question."""
        if not snapshot.has_sentence_vectors:
            return self.embedded(query, query_text, [(r.title, r.text) for r in records])
        scores, spans = stored_cosines(snapshot, query, records)
        return choose(
            scores, query_text, [(r.title, r.text) for r in records], spans, self._weights
        )

    def embedded(
        self, query: np.ndarray, query_text: str, passages: Sequence[tuple[str, str]]
    ) -> list[Span]:
        """`best` for passages whose sentences have no stored vectors (a format 1 version, or a
        passage no longer in the index): each sentence is split and embedded now (read in
        context, with BOLD_SENTENCE_IN_CONTEXT)."""
        spans = [sentence_spans(text) or [(0, len(text))] for _, text in passages]
        groups = [
            [text[a:b] for a, b in group] for (_, text), group in zip(passages, spans, strict=True)
        ]
        if self._in_context:
            read = [
                document_text(title, sentence)
                for (title, _), group in zip(passages, groups, strict=True)
                for sentence in sentences_in_context(group)
            ]
        else:
            read = [sentence for group in groups for sentence in group]
        if not read:
            return []
        scores = self._embed_sentences(read) @ query.reshape(-1)
        return choose(scores, query_text, passages, spans, self._weights)


def stored_cosines(
    snapshot: IndexVersion, query: np.ndarray, records: Sequence[PassageRecord]
) -> tuple[np.ndarray, list[list[Span]]]:
    """Every sentence's cosine to the question from the version's stored sentence vectors, and
    each passage's sentence spans (in its text), in the same order."""
    listed = snapshot.sentences([r.row for r in records])
    spans: list[list[Span]] = []
    rows: list[int] = []
    for record in records:
        found = listed.get(record.row) or []
        if not found:  # a passage always has a sentence; this one is damaged: none in bold
            spans.append([(0, 0)])
            rows.append(-1)
            continue
        spans.append([(a - record.start, b - record.start) for _, a, b in found])
        rows += [sentence for sentence, _, _ in found]
    known = [row for row in rows if row >= 0]
    found_cosines = snapshot.sentence_vectors(known) @ query.reshape(-1)
    cosines = dict(zip(known, found_cosines.tolist(), strict=True))
    return np.array([cosines.get(row, 0.0) for row in rows], dtype=np.float32), spans


def choose(
    cosines: np.ndarray,
    query_text: str,
    passages: Sequence[tuple[str, str]],
    spans: Sequence[Sequence[Span]],
    weights: SentenceWeights,
) -> list[Span]:
    """Each passage's best sentence (`sentence_scores`); `passages` are (title, text) pairs."""
    scores = sentence_scores(cosines, query_text, passages, spans, weights)
    best = best_in_groups(scores.tolist(), [len(group) for group in spans])
    return [group[i] for group, i in zip(spans, best, strict=True)]


def sentence_scores(
    cosines: np.ndarray,
    query_text: str,
    passages: Sequence[tuple[str, str]],
    spans: Sequence[Sequence[Span]],
    weights: SentenceWeights,
) -> np.ndarray:
    """Every sentence's score: its weighed cosine, share of the question's words and cues."""
    scores = weights.cosine * np.asarray(cosines, dtype=np.float32)
    if not weights.overlap and not weights.cues:
        return scores
    groups = [
        [text[a:b] for a, b in group] for (_, text), group in zip(passages, spans, strict=True)
    ]
    if weights.overlap:
        question, *words = map(sentence_words, [query_text, *(s for g in groups for s in g)])
        overlap: list[float] = []
        start = 0
        for group in groups:  # rarity is judged within each passage
            overlap += sentence_overlap(question, words[start : start + len(group)])
            start += len(group)
        scores = scores + weights.overlap * np.array(overlap, dtype=np.float32)
    if weights.cues:
        vector = np.array([weights.cues.get(name, 0.0) for name in CUE_NAMES], dtype=np.float32)
        cues = [
            cue.as_list()
            for (title, _), group in zip(passages, groups, strict=True)
            for cue in sentence_cues(query_text, title, group)
        ]
        if cues:
            scores = scores + np.array(cues, dtype=np.float32) @ vector
    return scores


def sentence_overlap(question: Sequence[str], sentences: Sequence[Sequence[str]]) -> list[float]:
    """How much of the question each sentence of one passage contains, from 0 to 1.

    Terms are weighed by how rare they are among the passage's sentences: a word in every
    sentence (the story's subject) says little about which one answers, a name or number found
    in one sentence says a lot. Terms come stemmed, so "signed" meets "signing".
    """
    wanted = set(question)
    if not wanted or not sentences:
        return [0.0] * len(sentences)
    present = [set(words) for words in sentences]
    count = len(sentences)
    weight = {
        term: math.log(1 + count / (1 + sum(term in words for words in present))) for term in wanted
    }
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & words) / total for words in present]


def sentences_in_context(sentences: Sequence[str]) -> list[str]:
    """Each sentence preceded by the one before it, as the model should read it.

    A sentence alone often leaves its subject to the one before ("All three lacked
    tentacles"); with that sentence in front, the model knows what it is about.
    """
    return [
        f"{sentences[i - 1]} {sentence}" if i else sentence for i, sentence in enumerate(sentences)
    ]


def best_in_groups(scores: Sequence[float], sizes: Sequence[int]) -> list[int]:
    """For consecutive groups of `sizes` in `scores`, the position of each group's best (first wins ties)."""
    best: list[int] = []
    start = 0
    for size in sizes:
        group = scores[start : start + size]
        best.append(max(range(size), key=lambda i: (group[i], -i)))
        start += size
    return best
