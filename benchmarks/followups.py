"""Follow-up questions: does the citation still come from the story the conversation is about?

A reader who replies to an answer asks things like "and what did the mayor say?": alone, that
question names nothing. Each CNN conversation of CoQA (`benchmarks.followup_sets`) is replayed
against one index of all its stories plus RealTimeQA news articles as distractors, and every
follow-up (turn 2 on) is searched three ways:

- **as asked**: the question alone, as the bot searches it without context;
- **with context**: `NewsIndex.search(question, follow_up=FollowUp(previous_questions,
  cited_articles))`, with the previous one or two questions and the article the bot cited first
  for the previous turn, itself searched in its own context (the conversation is simulated, so a
  wrong turn carries over); skipped, with a message, where `index.search.follow_up` is missing;
- **rewritten**: CoQAR's human, self-contained rewrite of the question (where there is one):
  roughly the best a question rewriter could do.

Per follow-up: **article hit@k**, a citation among the first k comes from the conversation's
story; **answer hit@k**, such a citation's passage also contains CoQA's rationale (the evidence
span), both lower-cased with every run of non-letters and non-digits made one space (turns with
an "unknown" answer have no span and count for article hits only; a span cut by a passage
boundary is a miss). Stories carry no date, so the recency prior is off.

Conversations are split by a hash of their id (`evaluation.splits`): 60% tune, 40% report.
The index is built once under `$DATA_DIR/eval/` and reused while the corpus is unchanged.

    .venv/bin/python -m benchmarks.followups --data ../followup-data/conversations.jsonl --part tune
    .venv/bin/python -m benchmarks.followups --data ../followup-data/conversations.jsonl \
        --part report --output benchmarks/results/followups.md
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import math
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from benchmarks import provenance
from benchmarks.corpora import REALTIMEQA_ARTICLES, read_jsonl
from evaluation.datasets import ensure_index, eval_settings
from evaluation.splits import REPORT, TUNE, split_by_hash
from index import IndexSettings, NewsIndex, load_embedder
from index.search.news_index import Hit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "followup-data" / "conversations.jsonl"
TUNE_SHARE = 0.6
DEPTH = 3
CONTEXT_QUESTIONS = 2
AS_ASKED, WITH_CONTEXT, REWRITTEN = "as asked", "with context", "rewritten"
_NOT_WORD = re.compile(r"[^0-9a-z]+")


# --- Scoring (pure) ------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, every run of non-letters and non-digits one space, trimmed."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class TurnScore:
    """One follow-up searched one way: where its story and its evidence first appear (1-based
    rank among the first `DEPTH`, else None); `has_span` False when it has no evidence."""

    article_rank: int | None
    answer_rank: int | None
    has_span: bool


def score_turn(cited: Sequence[tuple[str, str]], story_id: str, span: str | None) -> TurnScore:
    """A turn's score from its citations, (article id, passage text) best first."""
    wanted = normalise(span) if span else ""
    article_rank = answer_rank = None
    for rank, (article_id, text) in enumerate(cited[:DEPTH], start=1):
        if article_id != story_id:
            continue
        article_rank = article_rank or rank
        if wanted and answer_rank is None and wanted in normalise(text):
            answer_rank = rank
    return TurnScore(article_rank, answer_rank, bool(wanted))


@dataclass(frozen=True, slots=True)
class Row:
    condition: str
    turns: int
    with_span: int
    article_hit1: float
    article_hit3: float
    answer_hit1: float
    answer_hit3: float


def summarise(condition: str, scores: Sequence[TurnScore]) -> Row:
    """Hit rates of one condition; answer hits over the turns that have a span."""

    def rate(hits: Iterable[bool], count: int) -> float:
        return sum(hits) / count if count else float("nan")

    spans = [s for s in scores if s.has_span]
    return Row(
        condition, len(scores), len(spans),
        rate((s.article_rank == 1 for s in scores), len(scores)),
        rate((s.article_rank is not None for s in scores), len(scores)),
        rate((s.answer_rank == 1 for s in spans), len(spans)),
        rate((s.answer_rank is not None for s in spans), len(spans)),
    )  # fmt: skip


def _figure(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.3f}"


def table(rows: Sequence[Row]) -> str:
    """A markdown table, one condition per row; "—" where a rate has no turns to count."""
    lines = [
        "| condition | follow-ups | with span | article hit@1 | article hit@3 "
        "| answer hit@1 | answer hit@3 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.condition} | {r.turns} | {r.with_span} | "
        + " | ".join(
            _figure(v) for v in (r.article_hit1, r.article_hit3, r.answer_hit1, r.answer_hit3)
        )
        + " |"
        for r in rows
    ]
    return "\n".join(lines)


# --- The corpus and its index ----------------------------------------------------------------------


def corpus_records(conversations: Sequence[dict], distractors: Sequence[dict]) -> list[dict]:
    """The stories as articles, then the distractors (none with a story's text)."""
    stories = [
        {"id": c["id"], "title": c["title"], "text": c["text"], "source": c["source"]}
        for c in conversations
    ]
    texts = {normalise(c["text"]) for c in conversations}
    return stories + [d for d in distractors if normalise(d.get("text") or "") not in texts]


def corpus_file(records: Sequence[dict], folder: Path) -> Path:
    """The records as JSON Lines named by their content, written only when missing, so that an
    unchanged corpus keeps its index (`ensure_index` stamps the file's size and time)."""
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path = folder / f"corpus-{hashlib.sha1(body.encode()).hexdigest()[:12]}.jsonl"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(body, "utf-8")
    return path


# --- Searching -----------------------------------------------------------------------------------------


def follow_up_class() -> type | None:
    """`index.search.follow_up.FollowUp` when the search takes one, else None."""
    try:
        module = importlib.import_module("index.search.follow_up")
    except ImportError:
        return None
    if "follow_up" not in inspect.signature(NewsIndex.search).parameters:
        return None
    found = getattr(module, "FollowUp", None)
    return found if isinstance(found, type) else None


Search = Callable[..., list[Hit]]


def cited(hits: Sequence[Hit]) -> list[tuple[str, str]]:
    return [(h.article_id, h.text) for h in hits]


def replay(
    conversation: Mapping[str, Any], search: Search, follow_up: type | None
) -> dict[str, list[TurnScore]]:
    """Every follow-up of one conversation, searched each way."""
    turns = conversation["turns"]
    story = conversation["id"]
    scores: dict[str, list[TurnScore]] = {AS_ASKED: [], WITH_CONTEXT: [], REWRITTEN: []}
    in_context = search(turns[0]["question"]) if follow_up else []
    for position in range(1, len(turns)):
        turn = turns[position]
        span = turn["span_text"]
        scores[AS_ASKED].append(score_turn(cited(search(turn["question"])), story, span))
        if turn["rewrite"]:
            scores[REWRITTEN].append(score_turn(cited(search(turn["rewrite"])), story, span))
        if follow_up is not None:
            context = follow_up(
                previous_questions=tuple(
                    t["question"] for t in turns[max(0, position - CONTEXT_QUESTIONS) : position]
                ),
                cited_articles=tuple(h.article_id for h in in_context[:1]),
            )
            in_context = search(turn["question"], follow_up=context)
            scores[WITH_CONTEXT].append(score_turn(cited(in_context), story, span))
    return scores


def measure(
    conversations: Sequence[Mapping[str, Any]], search: Search, follow_up: type | None
) -> list[Row]:
    pooled: dict[str, list[TurnScore]] = {AS_ASKED: [], WITH_CONTEXT: [], REWRITTEN: []}
    rewritten_asked: list[TurnScore] = []
    for number, conversation in enumerate(conversations, start=1):
        scores = replay(conversation, search, follow_up)
        for name, found in scores.items():
            pooled[name].extend(found)
        follow_ups = zip(conversation["turns"][1:], scores[AS_ASKED], strict=True)
        rewritten_asked += [score for turn, score in follow_ups if turn["rewrite"]]
        if number % 10 == 0:
            print(f"  {number}/{len(conversations)} conversations", file=sys.stderr)
    rows = [summarise(AS_ASKED, pooled[AS_ASKED])]
    if follow_up is not None:
        rows.append(summarise(WITH_CONTEXT, pooled[WITH_CONTEXT]))
    rows.append(summarise(REWRITTEN, pooled[REWRITTEN]))
    rows.append(summarise(f"{AS_ASKED}, turns with a rewrite", rewritten_asked))
    return rows


# --- Command line ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.followups",
        description="Follow-up questions searched as asked, with context and rewritten.",
        epilog="Example: python -m benchmarks.followups --data "
        "../followup-data/conversations.jsonl --part tune",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="conversations.jsonl")
    parser.add_argument("--part", choices=(TUNE, REPORT, "all"), default=TUNE)
    parser.add_argument(
        "--distractors", type=int, default=400,
        help="RealTimeQA articles indexed beside the stories (default 400; 0 for none)",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, help="only the first N conversations of the part")
    parser.add_argument("--output", type=Path, help="append the table to this markdown file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.data.is_file():
        print(
            f"{args.data} is not there: make it with `python -m benchmarks.followup_sets` "
            "(see its docstring); nothing to measure.",
            file=sys.stderr,
        )
        return 0
    conversations = list(read_jsonl(args.data))
    split = split_by_hash(conversations, lambda c: str(c["id"]), TUNE_SHARE)
    chosen = {TUNE: split.tune, REPORT: split.report, "all": conversations}[args.part]
    chosen = chosen[: args.limit] if args.limit else chosen
    distractors: list[dict] = []
    if args.distractors and REALTIMEQA_ARTICLES.is_file():
        distractors = list(islice(read_jsonl(REALTIMEQA_ARTICLES), args.distractors))
    elif args.distractors:
        print(f"no distractors: {REALTIMEQA_ARTICLES} is not there", file=sys.stderr)

    base = IndexSettings()
    records = corpus_records(conversations, distractors)
    corpus = corpus_file(records, base.data_dir / "eval" / "followups")
    settings = eval_settings(base, corpus)
    embedder = load_embedder(settings)
    ensure_index(settings, corpus, embedder)
    index = NewsIndex(settings.model_copy(update={"search_recency_weight": 0.0}), embedder)

    def search(question: str, **context: Any) -> list[Hit]:
        return index.search(
            question, k=DEPTH, min_score=-1.0, min_confidence=0.0, bold_sentence=False, **context
        )

    follow_up = follow_up_class()
    if follow_up is None:
        print(
            "with context: skipped, index.search.follow_up.FollowUp (and NewsIndex.search's "
            "follow_up argument) is not there yet",
            file=sys.stderr,
        )
    rows = measure(chosen, search, follow_up)
    result = (
        f"### Follow-ups over CoQA's CNN stories: {args.part} part, {len(chosen)} of "
        f"{len(conversations)} conversations; {len(conversations)} stories and "
        f"{len(records) - len(conversations)} distractors indexed\n\n"
        f"- command: `python -m benchmarks.followups {shlex.join(sys.argv[1:] if argv is None else argv)}`\n"
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}, commit {provenance.commit()}\n"
        f"- search: product settings, recency prior off; first {DEPTH} citations per question"
        + ("" if follow_up else "; *with context* skipped (no `index.search.follow_up`)")
        + f"\n\n{table(rows)}\n"
    )  # fmt: skip
    print(result)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
