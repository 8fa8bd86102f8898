"""Fusion learned as a small linear model, against the product's fixed weights, on held-out
questions.

    DATA_DIR=/path/to/data .venv/bin/python -m benchmarks.learned_fusion
    .venv/bin/python -m benchmarks.learned_fusion --output benchmarks/results/retrieval.md

Every question's candidates (the product's dense and BM25 candidates, as `NewsIndex.search`
gathers them) get five features: cosine, BM25 over the question's best BM25, the recency prior,
the share of the question's words in the article's title, and the best cosine of one of the
passage's stored sentence vectors. A logistic regression (scikit-learn) is fitted on the tune
part's candidates (label: the passage holds the answer), and its weights rank the report part's.
The baseline is the product's own formula (`cosine + 0.5 x BM25 share + 0.3 x recency`) ranked
by the same code in the same run, one passage per article, so the two differ in weights alone.
Printed per data set and part: answer hit@1 and article hit@5 (RealTimeQA), passage hit@1
(XQuAD, whose passages are each their own article).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks.provenance import commit
from evaluation.datasets import Question, open_dataset, question_parts
from evaluation.metrics import contains_answer
from index import IndexSettings, NewsIndex, load_embedder
from index.lexical import term_coverage
from index.search.fusion import recency_prior
from index.search.news_index import MIN_CANDIDATES, _Question
from index.search.query import prepare_query

ROOT = Path(__file__).resolve().parent.parent

FEATURES = ("cosine", "BM25 share", "recency", "title words", "best sentence")
PRODUCT = np.array([1.0, 0.5, 0.3, 0.0, 0.0])


@dataclass(slots=True)
class Candidates:
    question: Question
    part: str
    articles: list[str]
    rows: list[int]  # each candidate's passage row in the index
    features: np.ndarray  # one row per candidate
    holds: np.ndarray  # bool per candidate


def gather(index: NewsIndex, question: Question, part: str, settings: IndexSettings) -> Candidates:
    """The question's candidates and their features, as search gathers them."""
    prepared = prepare_query(question.text, settings.search_max_query_chars)
    assert prepared is not None
    snapshot = index.snapshot()
    depth = max(MIN_CANDIDATES, 5 * settings.search_max_per_article * 8)
    vector, dense = index._encode_and_search(_Question(prepared, snapshot, depth))
    cosines, _ = index._candidates(snapshot, prepared, vector, dense, depth, "hybrid")
    lexical = dict(snapshot.lexical_search(prepared, depth))
    top = max(lexical.values(), default=0.0) or 1.0
    rows = list(cosines)
    records = snapshot.passages(rows)
    rows = [r for r in rows if r in records]
    spans = snapshot.sentences(rows)
    sentence_rows = [s for r in rows for s, _, _ in spans[r]]
    vectors = snapshot.sentence_vectors(sentence_rows) if sentence_rows else np.zeros((0, 384))
    sentence_cosine = dict(zip(sentence_rows, (vectors @ vector.reshape(-1)).tolist(), strict=True))
    day = question.asked or datetime.now(UTC).date()
    features, holds, articles = [], [], []
    for row in rows:
        record = records[row]
        best = max((sentence_cosine[s] for s, _, _ in spans[row]), default=cosines[row])
        features.append([
            cosines[row], lexical.get(row, 0.0) / top,
            recency_prior(record.published, day, settings.search_recency_half_life_days),
            term_coverage(prepared, record.title), best,
        ])  # fmt: skip
        holds.append(
            contains_answer(record.text, question.answers)
            if question.answers
            else record.article_id in question.gold_articles
        )
        articles.append(record.article_id)
    return Candidates(question, part, articles, rows, np.array(features), np.array(holds))


def ranked_articles(c: Candidates, weights: np.ndarray) -> list[tuple[str, bool]]:
    """(article, its best passage holds the answer) by score, one passage per article."""
    scores = c.features @ weights
    seen: set[str] = set()
    ranked = []
    for i in np.argsort(-scores, kind="stable"):
        if c.articles[i] not in seen:
            seen.add(c.articles[i])
            ranked.append((c.articles[i], bool(c.holds[i])))
    return ranked


def metrics(found: Sequence[Candidates], weights: np.ndarray) -> dict[str, float]:
    answer, article = [], []
    for c in found:
        ranked = ranked_articles(c, weights)
        if c.question.answers:
            answer.append(bool(ranked) and ranked[0][1])
        if c.question.gold_articles:
            article.append(any(a in c.question.gold_articles for a, _ in ranked[:5]))
    out = {"answer hit@1": float(np.mean(answer)) if answer else float("nan")}
    if article:
        out["article hit@5"] = float(np.mean(article))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="realtimeqa,xquad")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    base = IndexSettings()
    embedder = load_embedder(base)
    lines = [
        f"## Learned linear fusion against the product's weights, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        f"`{shlex.join(['benchmarks/learned_fusion.py', *sys.argv[1:]])}`; features: "
        f"{', '.join(FEATURES)}.",
    ]
    for dataset in args.datasets.split(","):
        data = open_dataset(dataset, base, embedder)
        questions, settings, index = data.questions, data.settings, data.index
        parts = question_parts(questions)
        found = [
            gather(index, questions.questions[p], part, settings)
            for part, positions in (("tune", parts.tune), ("report", parts.report))
            for p in positions
            if questions.questions[p].answers or questions.questions[p].gold_articles
        ]
        tune = [c for c in found if c.part == "tune" and len(c.holds)]
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit(np.vstack([c.features for c in tune]), np.concatenate([c.holds for c in tune]))
        learned = model.coef_[0] / model.coef_[0][0]  # the cosine's weight as 1, as the product
        lines += [
            "",
            f"### {dataset}: learned weights "
            + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, learned, strict=True)),
            "",
            "| part | ranking | " + " | ".join(metrics(found, PRODUCT)) + " |",
            "|---|---|" + "---:|" * len(metrics(found, PRODUCT)),
        ]
        for part in ("tune", "report"):
            chosen = [c for c in found if c.part == part]
            for name, weights in (("product", PRODUCT), ("learned", learned)):
                values = metrics(chosen, weights)
                lines.append(
                    f"| {part} ({len(chosen)} q) | {name} | "
                    + " | ".join(f"{v:.3f}" for v in values.values()) + " |"
                )  # fmt: skip
        print("\n".join(lines[-8:]), flush=True)
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
