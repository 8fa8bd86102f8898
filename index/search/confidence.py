"""How likely a cited passage is to hold the answer, from all the evidence search has.

The cosine alone says little: on the seed article the right passages score 0.3, on RealTimeQA
"strong" cosines held the answer barely more often than "partial" ones. A citation's
`Evidence` (its cosine, its lead over the next candidate, its share of the best BM25 score, how
many of the question's words it and its best sentence hold, its rank) goes through a logistic
model fitted per embedding model on the tune parts of the evaluation data
(`benchmarks/confidence_calibration.py`, stored in `confidence_models.json`). The probability
gives the band (`BAND_RATES`: "strong" means that, on questions the model was not fitted on,
at least ~60% of such citations held the answer) and the "not covered" gate
(`ANSWER_MIN_CONFIDENCE`). A model never measured keeps the cosine bands of
`index.search.relevance`. Pure functions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from functools import cache
from itertools import pairwise
from pathlib import Path

from index.lexical import sentence_words, topic_words
from index.search.bold_sentence import sentence_overlap
from index.search.fusion import Candidate
from index.search.relevance import BAND_RATES, WEAK

MODELS_PATH = Path(__file__).with_name("confidence_models.json")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What search knows about one citation, each a number."""

    cosine: float
    margin: float
    """How far its ranking score leads the next candidate's (0 for the last one)."""
    lexical_share: float
    """Its BM25 score over the best BM25 score among the candidates (0: BM25 did not find it)."""
    coverage: float
    """Share of the question's words (stemmed, stopwords out) in its title and passage."""
    sentence_coverage: float
    """The largest share of the question's words in one of its sentences (rare ones weigh more)."""
    first: float
    """1 for the first citation, else 0."""


EVIDENCE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Evidence))


def evidence_words(question: str, title: str, sentences: Sequence[str]) -> tuple[float, float]:
    """`coverage` and `sentence_coverage` of a passage (given as its sentences): the question's
    words as a topic's (`topic_words`: "who", "did", "say" are not what it is about)."""
    wanted = topic_words(question)
    if not wanted:
        return 0.0, 0.0
    headline, *words = map(sentence_words, [title, *sentences])
    present = set(headline).union(*words)
    best = max(sentence_overlap(sorted(wanted), words), default=0.0)
    return len(wanted & present) / len(wanted), best


def citation_evidence(
    question: str,
    chosen: Sequence[Candidate],
    candidates: Sequence[Candidate],
    passages: Mapping[int, tuple[str, Sequence[str]]],
    lexical: Mapping[int, float],
    *,
    first: bool,
) -> list[Evidence]:
    """The evidence of each chosen candidate among all `candidates` of a search: `passages`
    gives each chosen row's title and sentences, `lexical` the BM25 scores; `first` says the
    first chosen is the answer's first citation (not a later page's)."""
    ranked = sorted(candidates, key=lambda c: (-c.order, c.row))
    following = {a.row: a.order - b.order for a, b in pairwise(ranked)}
    best_lexical = max(lexical.values(), default=0.0)
    found: list[Evidence] = []
    for position, candidate in enumerate(chosen):
        title, sentences = passages[candidate.row]
        coverage, sentence_coverage = evidence_words(question, title, sentences)
        found.append(
            Evidence(
                cosine=candidate.score,
                margin=following.get(candidate.row, 0.0),
                lexical_share=lexical.get(candidate.row, 0.0) / best_lexical
                if best_lexical
                else 0.0,
                coverage=coverage,
                sentence_coverage=sentence_coverage,
                first=float(first and position == 0),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class ConfidenceModel:
    """A fitted logistic model: weights over standardised evidence, and its intercept."""

    model: str
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    gate: float = 0.0
    """The measured ANSWER_MIN_CONFIDENCE default: below it, a citation is not shown."""

    def probability(self, evidence: Evidence) -> float:
        """The chance, as measured, that a citation with this evidence holds the answer."""
        z = self.intercept + sum(
            w * (x - m) / s
            for w, x, m, s in zip(
                self.weights, astuple(evidence), self.means, self.scales, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def band(probability: float) -> str:
    """The band a probability falls in (`BAND_RATES`, strongest first)."""
    return next((name for name, rate in BAND_RATES.items() if probability >= rate), WEAK)


def confidence_model(model: str, path: Path = MODELS_PATH) -> ConfidenceModel | None:
    """The fitted model of an EMBEDDING_MODEL value, None when it was never measured."""
    return _models(path).get(model)


@cache
def _models(path: Path) -> dict[str, ConfidenceModel]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    found: dict[str, ConfidenceModel] = {}
    for model, record in data["models"].items():
        if tuple(record["evidence"]) != EVIDENCE_NAMES:
            raise ValueError(f"{path}: {model} was fitted on other evidence; refit it")
        found[model] = ConfidenceModel(
            model,
            tuple(float(v) for v in record["means"]),
            tuple(float(v) or 1.0 for v in record["scales"]),
            tuple(float(v) for v in record["weights"]),
            float(record["intercept"]),
            float(record.get("gate", 0.0)),
        )
    return found
