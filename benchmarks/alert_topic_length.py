"""Alert recall by topic length: the quiz question, and the two- and one-word topics a chat
following the same news would type (`benchmarks/short_topics.json`, written from the
questions alone), on the tune and report parts of the quiz weeks (`evaluation.splits`).

Candidates for short topics are chosen on the tune part and reported on the report part:
a lower threshold for them, the topic's vector moved towards its nearest passages in the index
(pseudo-relevance feedback, `expand_topic`), and the article's lead
passage in place of its best one. The best on the tune part then gets a threshold per
sensitivity (`sensitivity_thresholds`): the product's `ALERT_SHORT_THRESHOLD_*`.
`benchmarks.alert_calibration` prints this section.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import numpy as np

from evaluation.splits import quiz_week, split_in_time
from index.lexical import topic_words

TOPICS_FILE = Path(__file__).resolve().parent / "short_topics.json"
LENGTHS = ("question", "2 words", "1 word")
EXPANSIONS = ((3, 0.3), (5, 0.5), (10, 0.5), (10, 1.0), (20, 1.0))  # (neighbour passages, weight)
LEAD_WEIGHTS = (0.1,)
"""Other lexical weights tried on the tune part (w 0, 0.1, 0.2, 0.3, 0.5 for the best passage,
the lead passage and their mean); only the tune part's best is kept here."""
SUBSCRIBED_BEFORE = timedelta(days=7)
"""Feedback passages come from articles published a week before the quiz: what a chat that
subscribed then would have had in its index."""


@dataclass(frozen=True)
class Corpus:
    """The index as the benchmark reads it: one entry per passage row, in row order."""

    vectors: np.ndarray  # passages x dimension, unit length
    words: list[frozenset[str]]  # each passage's words with its article's title
    owner: np.ndarray  # article position of each passage
    lead: np.ndarray  # True for each article's first passage
    published: list[date | None]  # per article position
    articles: int


@dataclass(frozen=True)
class TopicSet:
    """Topics of one length: their texts, quiz dates, gold articles and part."""

    texts: list[str]
    dates: list[date | None]
    gold: np.ndarray  # articles x topics
    part: list[str]  # "tune" or "report" per topic


def published_day(text: str | None) -> date | None:
    """The day an article or quiz says it is from ("2022/06/16", "2022-06-16T…"), else None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        return None


def topic_sets(
    questions: Sequence[dict], short: dict[str, list[str]], position: dict[str, int], articles: int
) -> dict[str, TopicSet]:
    """One `TopicSet` per length. A short topic that several questions share ("floods" for two
    floods) is one topic whose gold is all their articles, in the part of its first question."""
    split = split_in_time(list(questions), lambda q: quiz_week(q["id"]) or q["id"])
    tune_ids = {q["id"] for q in split.tune}
    result: dict[str, TopicSet] = {}
    for length, text_of in (
        ("question", lambda q: q["question"]),
        ("2 words", lambda q: short[q["id"]][1]),
        ("1 word", lambda q: short[q["id"]][0]),
    ):
        order: dict[str, int] = {}
        texts: list[str] = []
        dates: list[date | None] = []
        parts: list[str] = []
        golds: list[set[int]] = []
        for q in questions:
            text = text_of(q)
            key = text.casefold()
            if key not in order:
                order[key] = len(texts)
                texts.append(text)
                dates.append(published_day(q.get("date")))
                parts.append("tune" if q["id"] in tune_ids else "report")
                golds.append(set())
            golds[order[key]] |= {position[a] for a in q["article_ids"] if a in position}
        gold = np.zeros((articles, len(texts)), dtype=bool)
        for t, members in enumerate(golds):
            gold[sorted(members), t] = True
        keep = [t for t in range(len(texts)) if gold[:, t].any()]  # a gold article indexed
        result[length] = TopicSet(
            [texts[t] for t in keep],
            [dates[t] for t in keep],
            gold[:, keep],
            [parts[t] for t in keep],
        )
    return result


def coverage(corpus: Corpus, texts: Sequence[str]) -> np.ndarray:
    """`index.lexical.term_coverage` of every passage (with its title) for every topic."""
    result = np.zeros((len(corpus.words), len(texts)), dtype=np.float32)
    for t, text in enumerate(texts):
        wanted = topic_words(text)
        if wanted:
            result[:, t] = [len(wanted & words) / len(wanted) for words in corpus.words]
    return result


def article_scores(
    corpus: Corpus, passage_scores: np.ndarray, lead_only: bool = False
) -> np.ndarray:
    """Each article's alert score per topic: its best passage's (or its lead passage's)."""
    scores = np.full((corpus.articles, passage_scores.shape[1]), -np.inf, dtype=np.float32)
    if lead_only:
        scores[corpus.owner[corpus.lead]] = passage_scores[corpus.lead]
    else:
        np.maximum.at(scores, corpus.owner, passage_scores)
    return scores


def expand_topic(vector: np.ndarray, neighbours: np.ndarray, weight: float) -> np.ndarray:
    """A topic's vector moved towards passages close to it: "floods" alone sits far from a story
    that says "the river burst its banks", and the index's passages about floods use those words.

    `vector + weight × the neighbours' mean`, back to unit length so a dot product stays a
    cosine; the vector itself without neighbours or with weight 0.
    """
    topic = np.asarray(vector, dtype=np.float32).reshape(-1)
    rows = np.asarray(neighbours, dtype=np.float32).reshape(-1, topic.shape[0])
    if weight == 0 or len(rows) == 0:
        return topic
    moved = topic + weight * rows.mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return topic if norm == 0 else (moved / norm).astype(np.float32)


def expanded_vectors(
    corpus: Corpus, topics: TopicSet, vectors: np.ndarray, neighbours: int, weight: float
) -> np.ndarray:
    """Each topic's vector moved towards its nearest passages among articles published a week
    before its quiz (the index a chat subscribing then would have), gold articles left out."""
    result = np.empty_like(vectors)
    cosines = corpus.vectors @ vectors.T
    for t, when in enumerate(topics.dates):
        allowed = np.array(
            [d is not None and when is not None and d < when - SUBSCRIBED_BEFORE
             for d in corpus.published]
        )  # fmt: skip
        allowed &= ~topics.gold[:, t]
        candidates = np.flatnonzero(allowed[corpus.owner])
        column = cosines[candidates, t]
        top = candidates[np.argsort(-column, kind="stable")[:neighbours]]
        result[t] = expand_topic(vectors[t], corpus.vectors[top], weight)
    return result


@dataclass(frozen=True)
class Figures:
    """Recall and false alerts of one candidate on one part at one threshold."""

    threshold: float
    recall: float
    false_per_100: float
    topics: int


def figures(scores: np.ndarray, gold: np.ndarray, threshold: float) -> Figures:
    """Share of topics alerted on a gold article, and other articles alerted per 100."""
    alerted = scores >= threshold
    hits = (alerted & gold).sum(axis=0)
    false = (alerted & ~gold).sum(axis=0)
    return Figures(
        round(threshold, 3),
        float((hits > 0).mean()),
        float(false.mean() / scores.shape[0] * 100),
        scores.shape[1],
    )


def tuned_threshold(scores: np.ndarray, gold: np.ndarray, budget: float) -> float:
    """The lowest threshold (0.005 grid) whose false alerts stay within the budget."""
    for threshold in np.arange(0.0, 1.6, 0.005):
        if figures(scores, gold, float(threshold)).false_per_100 <= budget:
            return round(float(threshold), 3)
    return 1.6


def part_of(topics: TopicSet, part: str) -> np.ndarray:
    return np.array([p == part for p in topics.part])


Scorer = Callable[[TopicSet, np.ndarray], np.ndarray]


def scorers(corpus: Corpus, weight: float) -> dict[str, Scorer]:
    """The candidates, each giving (articles x topics) alert scores for a set of topics."""

    def plain(
        topics: TopicSet, vectors: np.ndarray, lead_only: bool = False, w: float = weight
    ) -> np.ndarray:
        passage = corpus.vectors @ vectors.T + w * coverage(corpus, topics.texts)
        return article_scores(corpus, passage, lead_only)

    found: dict[str, Scorer] = {"best passage (today)": plain}
    for w in sorted({weight, *LEAD_WEIGHTS}, reverse=True):
        found[f"lead passage only, w {w:g}"] = partial(plain, lead_only=True, w=w)
    for w in LEAD_WEIGHTS:
        found[f"best passage, w {w:g}"] = partial(plain, w=w)
    for neighbours, strength in EXPANSIONS:

        def expanded(
            topics: TopicSet, vectors: np.ndarray, n: int = neighbours, s: float = strength
        ) -> np.ndarray:
            return plain(topics, expanded_vectors(corpus, topics, vectors, n, s))

        found[f"expanded: {neighbours} passages × {strength:g}"] = expanded
    return found


@dataclass(frozen=True)
class SensitivityThreshold:
    """A short-topic threshold tuned for one sensitivity, with what it does on each part."""

    sensitivity: str
    budget: float
    tune: Figures
    report: Figures
    report_by_length: dict[str, float]  # report recall per short length


def sensitivity_thresholds(
    by_length: dict[str, np.ndarray], topics: dict[str, TopicSet], budgets: dict[str, float]
) -> list[SensitivityThreshold]:
    """Per sensitivity, the lowest threshold whose false alerts on the tune part's short topics
    stay within its budget, and its figures on both parts: `by_length` holds one candidate's
    (articles x topics) scores per short length."""
    lengths = list(by_length)

    def pooled(part: str) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.hstack([by_length[ln][:, part_of(topics[ln], part)] for ln in lengths]),
            np.hstack([topics[ln].gold[:, part_of(topics[ln], part)] for ln in lengths]),
        )

    tune, held_out = pooled("tune"), pooled("report")
    result = []
    for sensitivity, budget in budgets.items():
        threshold = tuned_threshold(*tune, budget)
        by_part = {
            ln: figures(by_length[ln][:, part_of(topics[ln], "report")],
                        topics[ln].gold[:, part_of(topics[ln], "report")], threshold).recall
            for ln in lengths
        }  # fmt: skip
        result.append(
            SensitivityThreshold(
                sensitivity,
                budget,
                figures(*tune, threshold),
                figures(*held_out, threshold),
                by_part,
            )
        )
    return result


def report(
    corpus: Corpus,
    topics: dict[str, TopicSet],
    vectors: dict[str, np.ndarray],
    weight: float,
    thresholds: dict[str, float],
    budgets: dict[str, float],
) -> list[str]:
    """The Markdown section: today's figures by length, then each candidate tuned and reported,
    then the best one's thresholds per sensitivity (`budgets`: most false alerts per 100)."""
    budget = budgets["normal"]
    lines = [
        "## Short topics",
        "",
        f"Each question again as the two- and one-word topics a chat following that news would "
        f"type (`{TOPICS_FILE.relative_to(TOPICS_FILE.parents[1])}`, written from the question "
        "alone; a short topic several questions share is one topic, gold on all their articles). "
        "Tune = the earlier quiz weeks, report = the later ones (`evaluation.splits`).",
        "",
        "### Today, by topic length",
        "",
        "| topic | part | topics | words | "
        + " | ".join(
            f"{name} ({value:.3f}) recall | false / 100" for name, value in thresholds.items()
        )
        + " |",
        "|---|---|---|---|" + "---|---|" * len(thresholds),
    ]
    today = scorers(corpus, weight)["best passage (today)"]
    for length, topic_set in topics.items():
        scores = today(topic_set, vectors[length])
        for part in ("tune", "report"):
            mask = part_of(topic_set, part)
            words = np.mean(
                [len(topic_words(t)) for t, m in zip(topic_set.texts, mask, strict=True) if m]
            )
            cells = []
            for value in thresholds.values():
                f = figures(scores[:, mask], topic_set.gold[:, mask], value)
                cells.append(f"{f.recall:.3f} | {f.false_per_100:.2f}")
            lines.append(
                f"| {length} | {part} | {int(mask.sum())} | {words:.1f} | "
                + " | ".join(cells)
                + " |"
            )
    lines += [
        "",
        "### Candidates for short topics",
        "",
        f"Each candidate's threshold is the lowest (0.005 grid) whose false alerts on the tune part's "
        f"short topics (one and two words together) stay within {budget:g} per 100 articles, "
        "today's figure for question topics at the normal threshold; then the same threshold on "
        "the report part.",
        "",
        "| candidate | threshold (tuned) | tune recall | tune false / 100 | report recall "
        "| report false / 100 | report recall 2 words | report recall 1 word |",
        "|---|---|---|---|---|---|---|---|",
    ]
    short = [length for length in LENGTHS if length != "question"]
    tune_recall: dict[str, float] = {}
    scores_of: dict[str, dict[str, np.ndarray]] = {}
    for name, scorer in scorers(corpus, weight).items():
        by_length = {length: scorer(topics[length], vectors[length]) for length in short}
        scores_of[name] = by_length
        pooled = {
            part: (
                np.hstack([by_length[ln][:, part_of(topics[ln], part)] for ln in short]),
                np.hstack([topics[ln].gold[:, part_of(topics[ln], part)] for ln in short]),
            )
            for part in ("tune", "report")
        }
        if name == "best passage (today)":
            today_tune = figures(*pooled["tune"], thresholds["normal"])
            today_report = figures(*pooled["report"], thresholds["normal"])
            lines.append(
                f"| today's normal threshold, untuned | {thresholds['normal']:.3f} "
                f"| {today_tune.recall:.3f} | {today_tune.false_per_100:.2f} "
                f"| {today_report.recall:.3f} | {today_report.false_per_100:.2f} | | |"
            )
        threshold = tuned_threshold(*pooled["tune"], budget)
        tune = figures(*pooled["tune"], threshold)
        tune_recall[name] = tune.recall
        rep = figures(*pooled["report"], threshold)
        per_length = [
            figures(by_length[ln][:, part_of(topics[ln], "report")],
                    topics[ln].gold[:, part_of(topics[ln], "report")], threshold).recall
            for ln in short
        ]  # fmt: skip
        lines.append(
            f"| {name} | {threshold:.3f} | {tune.recall:.3f} | {tune.false_per_100:.2f} "
            f"| {rep.recall:.3f} | {rep.false_per_100:.2f} | {per_length[0]:.3f} | {per_length[1]:.3f} |"
        )
    chosen = max(tune_recall, key=lambda name: tune_recall[name])  # ties: the earlier, today first
    lines += ["", f"Best on the tune part: **{chosen}**."]
    return lines + chosen_thresholds(
        chosen, sensitivity_thresholds(scores_of[chosen], topics, budgets)
    )


def chosen_thresholds(chosen: str, tuned: list[SensitivityThreshold]) -> list[str]:
    """The best candidate's threshold per sensitivity, as a table and as the settings."""
    lines = [
        "",
        "### Thresholds for short topics",
        "",
        f"**{chosen}**, a threshold per sensitivity by the rule the question topics' thresholds "
        "follow: the lowest (0.005 grid) whose false alerts on the tune part's short topics stay "
        "within "
        + ", ".join(f"{t.sensitivity} ≤ {t.budget:g}" for t in tuned)
        + " per 100 articles (normal: today's figure for question topics, the issue's cap); "
        "then the same threshold on the report part.",
        "",
        "| sensitivity | budget | threshold | tune recall | tune false / 100 | report recall "
        "| report false / 100 | report recall 2 words | report recall 1 word |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t in tuned:
        lines.append(
            f"| {t.sensitivity} | {t.budget:g} | {t.tune.threshold:.3f} | {t.tune.recall:.3f} "
            f"| {t.tune.false_per_100:.2f} | {t.report.recall:.3f} | {t.report.false_per_100:.2f} "
            + " | ".join(f"{r:.3f}" for r in t.report_by_length.values()).join(["| ", " |"])
        )
    lines += [
        "",
        "As settings: "
        + ", ".join(
            f"`ALERT_SHORT_THRESHOLD_{t.sensitivity.upper()}={t.tune.threshold:g}`" for t in tuned
        )
        + ".",
    ]
    return lines


def load_short_topics(path: Path = TOPICS_FILE) -> dict[str, list[str]]:
    """Question id → [one-word topic, two-word topic]."""
    return json.loads(path.read_text(encoding="utf-8"))
