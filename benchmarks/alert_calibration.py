"""Calibrate the alert thresholds (strict / normal / broad) on RealTimeQA questions as topics.

Each quiz question stands for a subscription topic and its gold articles for the stories the
chat wants; every article of the index is scored as an alert would score it (its best passage),
and a grid of thresholds shows what each one costs in missed stories and false alerts. The same
is done for `dense + w * term_coverage` to see whether literal names and places help.

    .venv/bin/python -m benchmarks.alert_calibration
    .venv/bin/python -m benchmarks.alert_calibration --output benchmarks/results/alert_calibration.md

The index is the whole RealTimeQA corpus, built once with
`.venv/bin/python -m index rebuild ../shared/eval/realtimeqa-news/articles.jsonl --index-dir data/rtqa-index`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from benchmarks import alert_topic_length
from bot.settings import BotSettings
from index import IndexSettings, NewsIndex, index_exists
from index.embedding.model_input import document_text
from index.lexical import term_coverage, words_of_text
from index.search.topic_matching import best_passages
from index.store.faiss.vectors import passage_vectors

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_INDEX = ROOT / "data" / "rtqa-index"
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "realtimeqa-news" / "questions.jsonl"
REBUILD = (
    ".venv/bin/python -m index rebuild ../shared/eval/realtimeqa-news/articles.jsonl "
    "--index-dir data/rtqa-index"
)
WEIGHTS = (0.0, 0.1, 0.2, 0.3)
# Sensitivity → most false alerts per 100 new articles a chat should put up with.
RULES = {"strict": 0.5, "normal": 2.0, "broad": 5.0}
BUDGETS = (0.5, 1.0, 2.0, 5.0)
CAVEAT = (
    "The non-gold articles are mostly topical web results retrieved for these same questions, "
    "so some alerts counted as false are on topic: false alerts are an upper bound and precision "
    "a lower bound. The corpus is also far denser in these topics than a general news feed, "
    "and the topics are quiz questions rather than the short phrases users subscribe to."
)


@dataclass(frozen=True)
class Row:
    """What one threshold does, averaged over the topics."""

    threshold: float
    recall: float  # share of topics alerted on at least one gold article
    gold_share: float  # share of (topic, gold article) pairs alerted
    false_per_100: float  # non-gold articles alerted per topic, per 100 articles of the corpus
    precision: float | None  # gold alerts / all alerts, pooled over topics; None without alerts


def sweep(scores: np.ndarray, gold: np.ndarray, thresholds: np.ndarray) -> list[Row]:
    """One `Row` per threshold; `scores` and `gold` are (articles x topics)."""
    articles = scores.shape[0]
    rows = []
    for threshold in thresholds.tolist():
        alerted = scores >= threshold
        hits = (alerted & gold).sum(axis=0)
        false = (alerted & ~gold).sum(axis=0)
        total = int(hits.sum() + false.sum())
        rows.append(
            Row(
                threshold=round(threshold, 3),
                recall=float((hits > 0).mean()),
                gold_share=float(hits.sum() / gold.sum()),
                false_per_100=float(false.mean() / articles * 100),
                precision=float(hits.sum() / total) if total else None,
            )
        )
    return rows


def lowest_within(rows: list[Row], budget: float) -> Row | None:
    """The lowest threshold whose false alerts stay within the budget (the best recall there)."""
    allowed = [row for row in rows if row.false_per_100 <= budget]
    return min(allowed, key=lambda row: row.threshold) if allowed else None


def recall_within(rows: list[Row], budget: float) -> float:
    """The best recall any threshold reaches within the false-alert budget (0 when none does)."""
    row = lowest_within(rows, budget)
    return row.recall if row else 0.0


def table(rows: list[Row], marks: dict[float, str] | None = None) -> list[str]:
    marks = marks or {}
    lines = [
        "| threshold | topics alerted on gold (recall) | gold articles alerted "
        "| false alerts / 100 articles | precision | |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        precision = "–" if row.precision is None else f"{row.precision:.3f}"
        lines.append(
            f"| {row.threshold:.3f} | {row.recall:.3f} | {row.gold_share:.3f} "
            f"| {row.false_per_100:.2f} | {precision} | {marks.get(row.threshold, '')} |"
        )
    return lines


def article_scores(
    index: NewsIndex, topics: np.ndarray, question_texts: list[str]
) -> tuple[list[str], dict[float, np.ndarray], float]:
    """Every article's alert score per topic and weight, as (articles x topics) matrices."""
    snapshot = index.snapshot()
    article_ids = [article.id for article in index.list_articles(0, None)]
    pairs = snapshot.metadata.passage_rows(article_ids)
    rows = [row for row, _ in pairs]
    owners = [article_id for _, article_id in pairs]
    dense = passage_vectors(snapshot.vectors, rows) @ topics.T
    records = snapshot.metadata.passages(rows)
    started = time.perf_counter()
    coverage = np.zeros_like(dense)
    for i, row in enumerate(rows):
        record = records[row]
        text = document_text(record.title, record.text)
        coverage[i] = [term_coverage(question, text) for question in question_texts]
    coverage_seconds = time.perf_counter() - started
    position = {article_id: i for i, article_id in enumerate(article_ids)}
    by_weight = {}
    for weight in WEIGHTS:
        best = best_passages(rows, owners, dense + weight * coverage)
        matrix = np.zeros((len(article_ids), len(topics)), dtype=np.float32)
        for article_id, per_topic in best.items():
            matrix[position[article_id]] = [b.score for b in per_topic]
        by_weight[weight] = matrix
    check = index.match_articles(article_ids[:50], topics)
    for article_id, per_topic in check.items():
        expected = by_weight[0.0][position[article_id]]
        assert np.allclose([b.score for b in per_topic], expected, atol=1e-5), article_id
    return article_ids, by_weight, coverage_seconds


def corpus_of(index: NewsIndex) -> alert_topic_length.Corpus:
    """Every passage's vector and words, with its article, for the short-topic section."""
    snapshot = index.snapshot()
    articles = index.list_articles(0, None)
    position = {article.id: i for i, article in enumerate(articles)}
    pairs = snapshot.passage_rows(list(position))
    rows = [row for row, _ in pairs]
    records = snapshot.passages(rows)
    owner = np.array([position[article_id] for _, article_id in pairs])
    lead = np.zeros(len(rows), dtype=bool)
    seen: set[int] = set()
    for i, article in enumerate(owner.tolist()):
        lead[i] = article not in seen
        seen.add(article)
    return alert_topic_length.Corpus(
        vectors=snapshot.passage_vectors(rows),
        words=[words_of_text(document_text(records[r].title, records[r].text)) for r in rows],
        owner=owner,
        lead=lead,
        published=[alert_topic_length.published_day(a.published) for a in articles],
        articles=len(articles),
    )


def product_thresholds() -> tuple[dict[str, float], float]:
    """Today's thresholds per sensitivity and lexical weight: the settings' defaults."""
    fields = BotSettings.model_fields
    thresholds = {
        name: float(fields[f"alert_threshold_{name}"].default)
        for name in ("strict", "normal", "broad")
    }
    return thresholds, float(fields["alert_lexical_weight"].default)


def short_topic_section(
    index: NewsIndex,
    questions: list[dict],
    by_weight: dict[float, np.ndarray],
    gold: np.ndarray,
    kept: np.ndarray,
) -> list[str]:
    """Recall by topic length and the candidates for short topics (`alert_topic_length`)."""
    if not alert_topic_length.TOPICS_FILE.exists():
        return []
    thresholds, weight = product_thresholds()
    if weight not in by_weight:
        return [f"(short topics skipped: ALERT_LEXICAL_WEIGHT {weight} is not among {WEIGHTS})"]
    today_normal = alert_topic_length.figures(
        by_weight[weight][:, kept], gold[:, kept], thresholds["normal"]
    ).false_per_100
    budgets = {
        "strict": RULES["strict"],
        "normal": min(RULES["normal"], round(today_normal, 2)),  # no more than today's
        "broad": RULES["broad"],
    }
    corpus = corpus_of(index)
    position = {article.id: i for i, article in enumerate(index.list_articles(0, None))}
    topics = alert_topic_length.topic_sets(
        questions, alert_topic_length.load_short_topics(), position, corpus.articles
    )
    vectors = {
        length: np.stack([index.embed_topic(text) for text in topic_set.texts]).astype(np.float32)
        for length, topic_set in topics.items()
    }
    check_lead_scores(index, corpus, topics["1 word"], vectors["1 word"], position)
    return alert_topic_length.report(corpus, topics, vectors, weight, thresholds, budgets)


def check_lead_scores(
    index: NewsIndex,
    corpus: alert_topic_length.Corpus,
    topics: alert_topic_length.TopicSet,
    vectors: np.ndarray,
    position: dict[str, int],
) -> None:
    """The product's lead-passage scores (`match_articles(lead_only=True)`) are the benchmark's."""
    weight = float(BotSettings.model_fields["alert_short_lexical_weight"].default)
    lead = alert_topic_length.scorers(corpus, weight)[f"lead passage only, w {weight:g}"]
    expected = lead(topics, vectors)
    sample = list(position)[:50]
    found = index.match_articles(sample, vectors, topics.texts, weight, lead_only=True)
    for article_id, per_topic in found.items():
        scores = [b.score for b in per_topic]
        assert np.allclose(scores, expected[position[article_id]], atol=1e-5), article_id


def shown(path: Path) -> str:
    """A path as the report shows it: relative to the repository when inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def git_head() -> str:
    """The short commit, marked when the working tree has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'unknown'}{' (plus uncommitted changes)' if dirty else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--output", type=Path, help="also write the report to this Markdown file")
    args = parser.parse_args()
    if not args.questions.exists():
        print(f"skipped: {args.questions} is not there (the shared evaluation data is optional)")
        return 0
    settings = IndexSettings(index_dir=args.index_dir)  # type: ignore[call-arg]
    if not index_exists(settings):
        print(f"skipped: no index in {args.index_dir}; build it first with\n  {REBUILD}")
        return 0
    started = time.perf_counter()
    index = NewsIndex(settings)
    questions = [json.loads(line) for line in args.questions.open(encoding="utf-8") if line.strip()]
    question_texts = [q["question"] for q in questions]
    topics = np.stack([index.embed_topic(text) for text in question_texts]).astype(np.float32)
    article_ids, by_weight, coverage_seconds = article_scores(index, topics, question_texts)
    position = {article_id: i for i, article_id in enumerate(article_ids)}
    gold = np.zeros((len(article_ids), len(questions)), dtype=bool)
    for t, question in enumerate(questions):
        for article_id in question["article_ids"]:
            if article_id in position:
                gold[position[article_id], t] = True
    if not gold.any():
        print(f"skipped: none of the questions' gold articles is in {args.index_dir}: {REBUILD}")
        return 0
    kept = gold.any(axis=0)

    report: list[str] = []
    fine = np.arange(0.0, 1.4, 0.005)
    budget_recall: dict[float, list[float]] = {}
    recommended: dict[float, dict[str, Row | None]] = {}
    tables: dict[float, list[Row]] = {}
    for weight, scores in by_weight.items():
        scores, topic_gold = scores[:, kept], gold[:, kept]
        tables[weight] = sweep(scores, topic_gold, np.arange(0.30, 0.70 + weight + 1e-9, 0.025))
        fine_rows = sweep(scores, topic_gold, fine)
        budget_recall[weight] = [recall_within(fine_rows, b) for b in BUDGETS]
        recommended[weight] = {
            name: lowest_within(tables[weight], limit) for name, limit in RULES.items()
        }
    best_weight = max(WEIGHTS, key=lambda w: (round(budget_recall[w][1], 6), -w))
    seconds = time.perf_counter() - started

    command = " ".join([".venv/bin/python", "benchmarks/alert_calibration.py", *sys.argv[1:]])
    report += [
        "# Alert threshold calibration (RealTimeQA questions as topics)",
        "",
        f"- command: `{command}`",
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}, commit {git_head()}",
        f"- index: {shown(args.index_dir)} — {len(article_ids)} articles, "
        f"model {index.stats().model}; {int(kept.sum())} topics with a gold article in the "
        f"index ({int(gold.sum())} topic/gold pairs)",
        "- score of an article for a topic: its best passage's `cosine + w × term_coverage`"
        " (coverage over the article title + passage, `index.lexical.term_coverage`)",
        f"- runtime: {seconds:.1f} s (of which term coverage {coverage_seconds:.1f} s for "
        f"{len(questions)} topics × every passage)",
        "",
        f"**Caveat.** {CAVEAT}",
        "",
        "## Does the lexical signal help?",
        "",
        "Best recall (share of topics alerted on a gold article) reachable within a false-alert "
        "budget, on a 0.005 threshold grid:",
        "",
        "| w | " + " | ".join(f"≤ {b:g} false / 100" for b in BUDGETS) + " |",
        "|---|" + "---|" * len(BUDGETS),
    ]
    for weight in WEIGHTS:
        cells = " | ".join(f"{r:.3f}" for r in budget_recall[weight])
        report.append(f"| {weight:.1f} | {cells} |")
    base, best = budget_recall[0.0][1], budget_recall[best_weight][1]
    report += [
        "",
        f"At ≤ 1 false alert per 100 articles, w = {best_weight:.1f} alerts on a gold article for "
        f"{best:.1%} of topics against {base:.1%} for the cosine alone "
        f"({round((best - base) * int(kept.sum()))} more of {int(kept.sum())} topics).",
    ]
    report += [
        "",
        "## Recommended thresholds",
        "",
        "Rule: the lowest threshold on the 0.025 grid whose false alerts stay within "
        + ", ".join(f"{name} ≤ {limit:g}" for name, limit in RULES.items())
        + " per 100 articles.",
        "",
        "| w | sensitivity | threshold | recall | false / 100 | precision |",
        "|---|---|---|---|---|---|",
    ]
    for weight in sorted({0.0, best_weight}):
        for name, row in recommended[weight].items():
            if row is None:
                report.append(f"| {weight:.1f} | {name} | – | | | |")
                continue
            precision = "–" if row.precision is None else f"{row.precision:.3f}"
            report.append(
                f"| {weight:.1f} | {name} | {row.threshold:.3f} | {row.recall:.3f} "
                f"| {row.false_per_100:.2f} | {precision} |"
            )
    for weight in WEIGHTS:
        marks: dict[float, str] = {}
        for name, row in recommended[weight].items():
            if row is not None:
                marks[row.threshold] = " ".join(filter(None, [marks.get(row.threshold), name]))
        report += ["", f"## w = {weight:.1f}", "", *table(tables[weight], marks)]
    report += ["", *short_topic_section(index, questions, by_weight, gold, np.asarray(kept))]
    text = "\n".join(report) + "\n"
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
