"""Time words as a window on the published date, against the recency prior alone, on RealTimeQA.

    DATA_DIR=/path/to/data .venv/bin/python -m benchmarks.time_windows
    .venv/bin/python -m benchmarks.time_windows --part tune --limit 5
    .venv/bin/python -m benchmarks.time_windows --output benchmarks/results/time_windows.md

RealTimeQA's questions carry the date of their quiz. The standard evaluation (`python -m
evaluation --dataset realtimeqa`) searches them as of that date, so only the recency prior favours
the week's articles: condition (a). Most quiz questions already say "this week" (or "on Tuesday",
"this month"): (a′) reads those words as the bot now does. (b)–(e) replace a question's own time
words with a phrase ("… this week"; two windows in one question would read as none). Every
reading is `read_question` asked at 23:59 UTC on the quiz day, zone UTC, no outlets, and the
search runs inside the window it names, with the recency prior (as of the quiz day) or without.
Printed per part (report, tune): article and answer hit@1, answer hit@3, the questions won and
lost against (a), how many questions got a window, how many of those keep a gold article inside
it (of all, and of those whose answer is in their article), and the questions whose window held
nothing at all.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.provenance import commit
from evaluation.datasets import (
    DATASETS,
    SHARED_EVAL,
    Question,
    describe_part,
    open_dataset,
    question_parts,
)
from evaluation.metrics import contains_answer
from evaluation.scoring import news_metrics
from evaluation.splits import REPORT, TUNE
from index import IndexSettings, NewsIndex, load_embedder
from index.search.hits import Hit
from index.search.question_reading import QuestionReading, read_question
from index.store.metadata import ArticleSummary
from index.store.passage_filter import PassageFilter, moment_seconds

UTC_ZONE = ZoneInfo("UTC")
DEPTH = 10
"""Hits kept per question, as the standard evaluation keeps them for news questions."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One way of asking every question: searched as it is (`read` False, no phrase), read for
    its own time words (`read`), or with its own time words replaced by `phrase`; and whether
    the recency prior stays on. Without `window`, the words read are dropped from the search
    but no window is applied: what the changed words alone do."""

    name: str
    phrase: str | None = None
    read: bool = False
    recency: bool = True
    window: bool = True


CONDITIONS = (
    Condition("(a) as asked, recency prior alone (before)"),
    Condition("(a′) as asked, its own time words read", read=True),
    Condition("(a″) as (a′), the words dropped but no window", read=True, window=False),
    Condition("(b) + “this week”", "this week"),
    Condition("(c) + “in the past week”", "in the past week"),
    Condition("(d) + “in the past two weeks”", "in the past two weeks"),
    Condition("(e) + “this week”, no recency prior", "this week", recency=False),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One question asked one way: its hits, the window read (None: none), and whether one of
    its gold articles lies inside that window."""

    hits: list[Hit]
    window: PassageFilter | None
    gold_in_window: bool
    """True as well when no window was read."""
    strays: bool
    """Whether a hit came from outside the window (a store that does not apply it)."""


def quiz_evening(asked: date) -> datetime:
    """When a quiz question is taken to be asked: 23:59 UTC on the quiz day, so "this week" and
    "the past week" both reach to the end of that day and take in its articles."""
    return datetime.combine(asked, time(23, 59), tzinfo=UTC)


def asked_with(question: str, phrase: str | None) -> str:
    """The question with a time phrase appended, as a reader might add it."""
    return question if phrase is None else f"{question} {phrase}"


def time_reading(question: str, asked: date, condition: Condition) -> QuestionReading | None:
    """How the bot reads the question asked this way on the quiz day; None when it is searched
    as it is. A phrase replaces the question's own time words: most quiz questions already say
    "this week", and two windows in one question read as none."""
    if condition.phrase is None and not condition.read:
        return None
    now = quiz_evening(asked)
    own = read_question(question, now=now, zone=UTC_ZONE, outlets=[])
    if condition.phrase is None:
        return own
    stem = own.text if own.window is not None else question
    return read_question(asked_with(stem, condition.phrase), now=now, zone=UTC_ZONE, outlets=[])


def gold_inside(
    gold: set[str], window: PassageFilter | None, articles: Mapping[str, ArticleSummary]
) -> bool:
    """Whether one of the gold articles is let through by the window, by the very moment the
    stores filter on (no window lets everything through)."""
    if window is None:
        return True
    return any(
        window.passes_record(found.published, found.first_indexed_at, found.source)
        for found in (articles.get(article_id) for article_id in gold)
        if found is not None
    )


def gold_age_days(question: Question, articles: Mapping[str, ArticleSummary]) -> float | None:
    """Days from the youngest gold article's moment to the end of the quiz day; None when the
    question has no date or no gold article is indexed."""
    if question.asked is None:
        return None
    moments = [
        moment_seconds(found.published, found.first_indexed_at)
        for found in (articles.get(article_id) for article_id in question.gold_articles)
        if found is not None
    ]
    if not moments:
        return None
    end_of_day = quiz_evening(question.asked).timestamp() + 60
    return (end_of_day - max(moments)) / 86400


def ask(
    index: NewsIndex,
    question: Question,
    condition: Condition,
    articles: Mapping[str, ArticleSummary],
) -> Outcome:
    """One question searched as the standard evaluation searches it, inside the window the
    condition's reading names."""
    text, window = question.text, None
    reading = (
        None if question.asked is None else time_reading(question.text, question.asked, condition)
    )
    if reading is not None:
        text = reading.text
        window = reading.passage_filter if condition.window else None
    hits = index.search(
        text, k=DEPTH, min_score=-1.0, min_confidence=0.0, bold_sentence=False,
        as_of=question.asked, passage_filter=window,
    )  # fmt: skip
    strays = any(not gold_inside({h.article_id}, window, articles) for h in hits)
    return Outcome(hits, window, gold_inside(question.gold_articles, window, articles), strays)


@dataclass(frozen=True, slots=True)
class Row:
    """One condition's figures on one part."""

    name: str
    article_hit: float
    answer_hit: float
    answer_hit3: float
    gained: int
    lost: int
    windows: int
    gold_kept: int
    answerable_kept: int
    answerable: int
    empty: int
    outside: int
    questions: int


def row(
    name: str,
    questions: Sequence[Question],
    outcomes: Sequence[Outcome],
    baseline: Sequence[Outcome],
) -> Row:
    """The figures of one condition on some questions, with the answer hits won and lost
    against the baseline's (same questions, same order)."""
    metrics = news_metrics(questions, [o.hits for o in outcomes])
    won = lost = 0
    for question, mine, theirs in zip(questions, outcomes, baseline, strict=True):
        if question.answers:
            now, before = (_answer_first(q.hits, question.answers) for q in (mine, theirs))
            won += now and not before
            lost += before and not now
    answerable = [o for q, o in zip(questions, outcomes, strict=True) if q.answers]
    return Row(
        name=name,
        article_hit=metrics["article hit@1"],
        answer_hit=metrics["answer hit@1"],
        answer_hit3=metrics["answer hit@3"],
        gained=won,
        lost=lost,
        windows=sum(o.window is not None for o in outcomes),
        gold_kept=sum(o.window is not None and o.gold_in_window for o in outcomes),
        answerable_kept=sum(o.window is not None and o.gold_in_window for o in answerable),
        answerable=sum(o.window is not None for o in answerable),
        empty=sum(not o.hits for o in outcomes),
        outside=sum(o.strays for o in outcomes),
        questions=len(outcomes),
    )


def _answer_first(hits: Sequence[Hit], answers: Sequence[str]) -> bool:
    return bool(hits) and contains_answer(hits[0].text, answers)


def table(rows: Sequence[Row]) -> str:
    """A markdown table, one condition per row."""
    lines = [
        "| condition | article hit@1 | answer hit@1 | answer hit@3 | answer@1 won / lost vs (a) "
        "| window read | of those, gold article in window | answerable ones, gold in window "
        "| no hit at all |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, r in enumerate(rows):
        change = f"+{r.gained} / −{r.lost}" if number else "—"
        window = (
            f"{r.windows}/{r.questions} | {r.gold_kept}/{r.windows} | "
            f"{r.answerable_kept}/{r.answerable}"
            if r.windows
            else "— | — | —"
        )
        lines.append(
            f"| {r.name} | {r.article_hit:.3f} | {r.answer_hit:.3f} | {r.answer_hit3:.3f} | "
            f"{change} | {window} | {r.empty} |"
        )
    return "\n".join(lines)


def part_section(
    title: str,
    questions: Sequence[Question],
    outcomes: Mapping[str, Sequence[Outcome]],
    articles: Mapping[str, ArticleSummary],
) -> str:
    """A part's table, with how old its gold articles were on the quiz day."""
    baseline = outcomes[CONDITIONS[0].name]
    rows = [row(name, questions, found, baseline) for name, found in outcomes.items()]
    ages = [a for a in (gold_age_days(q, articles) for q in questions) if a is not None]
    age_line = (
        f"Youngest gold article's age at the end of the quiz day: median {statistics.median(ages):.1f} "
        f"days, max {max(ages):.1f}; {sum(a > 7 for a in ages)} of {len(ages)} older than 7 days, "
        f"{sum(a > 14 for a in ages)} older than 14."
        if ages
        else ""
    )
    outside = sum(r.outside for r in rows)
    check = (
        "Every hit lay inside its window."
        if outside == 0
        else f"**{outside} question(s) got a hit from outside the window.**"
    )
    return f"#### {title}\n\n{table(rows)}\n\n{age_line} {check}\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.time_windows",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="Example: python -m benchmarks.time_windows --part tune --limit 5",
    )
    parser.add_argument(
        "--part", choices=(TUNE, REPORT, "all"), default="all", help="which questions (default all)"
    )
    parser.add_argument("--output", type=Path, help="append the tables to a markdown file")
    parser.add_argument("--limit", type=int, help="only the first N questions of each part")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not (SHARED_EVAL / DATASETS["realtimeqa"][1]).is_file():
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    base = IndexSettings()
    embedder = load_embedder(base)
    data = open_dataset("realtimeqa", base, embedder)
    indexes = {
        True: data.index,
        False: NewsIndex(data.settings.model_copy(update={"search_recency_weight": 0.0}), embedder),
    }
    articles = {a.id: a for a in data.index.list_articles()}
    split = question_parts(data.questions)
    parts = {TUNE: split.tune, REPORT: split.report}
    chosen = [REPORT, TUNE] if args.part == "all" else [args.part]
    sections = []
    for part in chosen:
        positions = parts[part][: args.limit] if args.limit else parts[part]
        questions = [data.questions.questions[p] for p in positions]
        outcomes = {
            c.name: [ask(indexes[c.recency], q, c, articles) for q in questions] for c in CONDITIONS
        }
        for name, found in outcomes.items():
            print(f"{part} {name}: done ({len(found)} questions)", file=sys.stderr)
        title = f"{part.capitalize()} part ({describe_part(data.questions, positions)})"
        sections.append(part_section(title, questions, outcomes, articles))
    stats = data.index.stats()
    shown = shlex.join(sys.argv[1:] if argv is None else list(argv))
    header = (
        f"### realtimeqa-news: time windows over {stats.articles:,} articles "
        f"({stats.passages:,} passages)\n\n"
        f"- command: `python -m benchmarks.time_windows {shown}`\n"
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}, commit {commit()}\n"
        f"- product: search_mode={base.search_mode}, fusion={base.search_fusion}, "
        f"lexical weight={base.search_lexical_weight}, recency weight="
        f"{base.search_recency_weight} (half-life {base.search_recency_half_life_days:g} days); "
        "questions asked at 23:59 UTC on the quiz day, zone UTC, as_of = the quiz day\n"
    )
    result = header + "\n" + "\n".join(sections)
    print(result)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
