"""Follow-up questions: does the citation still come from the story the conversation is about?

A reader who replies to an answer asks things like "and what did the mayor say?": alone, that
question names nothing. Each conversation of a follow-up set is replayed against one index, and
every follow-up (turn 2 on) is searched three ways:

- **as asked**: the question alone, as the bot searches it without context;
- **with context**: `NewsIndex.search(question, follow_up=FollowUp(previous_questions,
  cited_articles), follow_up_rules=...)`, with the previous one or two questions as asked and
  the (up to three) articles the bot cited for the previous turn, itself searched in its own
  context (the conversation is simulated, so a wrong turn carries over); skipped, with a
  message, where `index.search.follow_up` is missing;
- **rewritten**: the self-contained form of the question (where there is one).

After its last turn, each conversation is followed by a **topic switch**: the first question of
another conversation, about another story, self-contained, searched alone and in this
conversation's context (what `FollowUpRules.new_question_confidence` is for).

Two sets are read (the record's `index` field tells them apart):

- XQuAD (`benchmarks.followup_xquad`): questions of one Wikipedia article made follow-ups by a
  pronoun; searched in the evaluation index of the whole XQuAD English corpus
  (`evaluation.datasets`), whose articles are paragraphs: a citation counts for the XQuAD
  article its paragraph belongs to;
- CoQA's CNN stories with CoQAR rewrites (`benchmarks.followup_sets`), indexed with RealTimeQA
  news articles as distractors.

Per follow-up: **article hit@k**, a citation among the first k comes from the conversation's
story; **answer hit@k**, such a citation's passage also contains the answer's evidence (XQuAD's
answer, CoQA's rationale), both lower-cased with every run of non-letters and non-digits made
one space (turns without a span count for article hits only; a span cut by a passage boundary
is a miss). The recency prior is off.

Conversations are split by a hash of their id (`evaluation.splits`): 60% tune, 40% report.
`--grid` measures `FollowUpRules` over a grid (`benchmarks.followup_tuning`) on the part and
reports with the best; `--cited-bonus` and `--new-question-confidence` set them by hand.

    .venv/bin/python -m benchmarks.followups --data ../followup-data/xquad_conversations.jsonl \
        --part tune --grid
    .venv/bin/python -m benchmarks.followups --data ../followup-data/xquad_conversations.jsonl \
        --part report --cited-bonus 0.05 --new-question-confidence 0.6 \
        --output benchmarks/results/followups.md
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import math
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import provenance
from benchmarks.corpora import read_jsonl
from benchmarks.followup_index import DEPTH, Searched, normalise, open_index, searcher
from benchmarks.followup_tuning import GridPoint, best, grid_table
from evaluation.splits import REPORT, TUNE, split_by_hash
from index import NewsIndex
from index.search.news_index import Hit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "followup-data" / "conversations.jsonl"
TUNE_SHARE = 0.6
CONTEXT_QUESTIONS = 2
CITED = 3
"""Articles of the previous answer the context carries: the bot's answer cites up to three."""
AS_ASKED, WITH_CONTEXT, REWRITTEN = "as asked", "with context", "rewritten"
SWITCH_ALONE, SWITCH_IN_CONTEXT = "topic switch, alone", "topic switch, with context"
CONDITIONS = (AS_ASKED, WITH_CONTEXT, REWRITTEN, SWITCH_ALONE, SWITCH_IN_CONTEXT)
GRID_BONUS = (0.0, 0.02, 0.05, 0.1, 0.2)
GRID_CONFIDENCE = (0.5, 0.6, 0.7, 0.8, 1.01)


# --- Scoring (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TurnScore:
    """One follow-up searched one way: where its story and its evidence first appear (1-based
    rank among the first `DEPTH`, else None); `has_span` False when it has no evidence."""

    article_rank: int | None
    answer_rank: int | None
    has_span: bool


def score_turn(
    cited: Sequence[tuple[str, str]],
    story_id: str,
    span: str | None,
    article_of: Callable[[str], str] = str,
) -> TurnScore:
    """A turn's score from its citations, (article id, passage text) best first; `article_of`
    maps an indexed article to the story it belongs to (an XQuAD paragraph to its article)."""
    wanted = normalise(span) if span else ""
    article_rank = answer_rank = None
    for rank, (article_id, text) in enumerate(cited[:DEPTH], start=1):
        if article_of(article_id) != story_id:
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


def story_of(conversation: Mapping[str, Any]) -> str:
    """The story a conversation is about: its XQuAD article, or the CoQA story it is."""
    return str(conversation.get("article_id") or conversation["id"])


def cited_articles(hits: Sequence[Hit]) -> tuple[str, ...]:
    """The articles an answer of these hits cites, best first, at most `CITED`."""
    return tuple(dict.fromkeys(h.article_id for h in hits[:CITED]))


def topic_switches(conversations: Sequence[Mapping[str, Any]]) -> list[dict | None]:
    """For each conversation, a self-contained question about another story to ask after its
    last turn: the first question of the conversation half the list further on (wrapping),
    or of the next one after it about another story; None when every one is about this story."""
    count = len(conversations)
    found: list[dict | None] = []
    for position, conversation in enumerate(conversations):
        switch = None
        for step in range(count):
            other = conversations[(position + count // 2 + step) % count]
            if story_of(other) != story_of(conversation):
                first = other["turns"][0]
                switch = {"question": first["question"], "story": story_of(other),
                          "span_text": first["span_text"]}  # fmt: skip
                break
        found.append(switch)
    return found


def replay(
    conversation: Mapping[str, Any],
    search: Search,
    follow_up: type | None,
    article_of: Callable[[str], str] = str,
    switch: Mapping[str, Any] | None = None,
) -> dict[str, list[TurnScore]]:
    """Every follow-up of one conversation, searched each way; then, with context, the
    `switch` question about another story, searched alone and in the conversation's context."""
    turns = conversation["turns"]
    story = story_of(conversation)
    scores: dict[str, list[TurnScore]] = {name: [] for name in CONDITIONS}
    in_context = search(turns[0]["question"]) if follow_up else []

    def context(position: int) -> Any:
        assert follow_up is not None
        return follow_up(
            previous_questions=tuple(
                t["question"] for t in turns[max(0, position - CONTEXT_QUESTIONS) : position]
            ),
            cited_articles=cited_articles(in_context),
        )

    for position in range(1, len(turns)):
        turn = turns[position]
        span = turn["span_text"]
        alone = search(turn["question"])
        scores[AS_ASKED].append(score_turn(cited(alone), story, span, article_of))
        if turn["rewrite"]:
            rewritten = search(turn["rewrite"])
            scores[REWRITTEN].append(score_turn(cited(rewritten), story, span, article_of))
        if follow_up is not None:
            in_context = search(turn["question"], follow_up=context(position))
            scores[WITH_CONTEXT].append(score_turn(cited(in_context), story, span, article_of))
    if follow_up is not None and switch is not None:
        question, other, span = switch["question"], switch["story"], switch["span_text"]
        alone = search(question)
        scores[SWITCH_ALONE].append(score_turn(cited(alone), other, span, article_of))
        in_context = search(question, follow_up=context(len(turns)))
        scores[SWITCH_IN_CONTEXT].append(score_turn(cited(in_context), other, span, article_of))
    return scores


def measure(
    conversations: Sequence[Mapping[str, Any]],
    search: Search,
    follow_up: type | None,
    article_of: Callable[[str], str] = str,
    *,
    quiet: bool = False,
) -> list[Row]:
    pooled: dict[str, list[TurnScore]] = {name: [] for name in CONDITIONS}
    rewritten_asked: list[TurnScore] = []
    switches = topic_switches(conversations)
    for number, conversation in enumerate(conversations, start=1):
        scores = replay(conversation, search, follow_up, article_of, switches[number - 1])
        for name, found in scores.items():
            pooled[name].extend(found)
        follow_ups = zip(conversation["turns"][1:], scores[AS_ASKED], strict=True)
        rewritten_asked += [score for turn, score in follow_ups if turn["rewrite"]]
        if number % 10 == 0 and not quiet:
            print(f"  {number}/{len(conversations)} conversations", file=sys.stderr)
    rows = [summarise(AS_ASKED, pooled[AS_ASKED])]
    if follow_up is not None:
        rows.append(summarise(WITH_CONTEXT, pooled[WITH_CONTEXT]))
    rows.append(summarise(REWRITTEN, pooled[REWRITTEN]))
    rows.append(summarise(f"{AS_ASKED}, turns with a rewrite", rewritten_asked))
    if follow_up is not None:
        rows += [summarise(name, pooled[name]) for name in (SWITCH_ALONE, SWITCH_IN_CONTEXT)]
    return rows


# --- Command line ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.followups",
        description="Follow-up questions searched as asked, with context and rewritten.",
        epilog="Example: python -m benchmarks.followups --data "
        "../followup-data/xquad_conversations.jsonl --part tune --grid",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="conversations.jsonl")
    parser.add_argument("--part", choices=(TUNE, REPORT, "all"), default=TUNE)
    parser.add_argument(
        "--distractors", type=int, default=400,
        help="RealTimeQA articles indexed beside CoQA's stories (default 400; 0 for none; "
        "an XQuAD set is searched in the whole XQuAD corpus instead)",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, help="only the first N conversations of the part")
    parser.add_argument("--cited-bonus", type=float, help="FollowUpRules.cited_bonus")
    parser.add_argument(
        "--new-question-confidence", type=float, help="FollowUpRules.new_question_confidence"
    )
    parser.add_argument(
        "--grid", action="store_true",
        help="measure every FollowUpRules of the grid (for the tune part) and name the best",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, help="append the tables to this markdown file")
    return parser


def rules_class() -> type | None:
    module = sys.modules.get("index.search.follow_up")
    found = getattr(module, "FollowUpRules", None) if module else None
    return found if isinstance(found, type) else None


def tune(
    chosen: Sequence[dict], searched: Searched, follow_up: type, rules: type
) -> tuple[str, Any]:
    """The grid's table and the best rules (`benchmarks.followup_tuning`)."""
    points = []
    for bonus in GRID_BONUS:
        for confidence in GRID_CONFIDENCE:
            setting = rules(cited_bonus=bonus, new_question_confidence=confidence)
            rows = measure(chosen, searcher(searched.index, setting), follow_up,
                           searched.article_of, quiet=True)  # fmt: skip
            by_name = {row.condition: row for row in rows}
            context, switch = by_name[WITH_CONTEXT], by_name[SWITCH_IN_CONTEXT]
            points.append(GridPoint(bonus, confidence, context.answer_hit1,
                                    context.article_hit1, switch.answer_hit1))  # fmt: skip
            print(f"  {points[-1]}", file=sys.stderr)
    default = rules()
    top = best(points, (default.cited_bonus, default.new_question_confidence))
    found = rules(cited_bonus=top.cited_bonus, new_question_confidence=top.new_question_confidence)
    return grid_table(points, top), found


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.data.is_file():
        print(
            f"{args.data} is not there: make it with `python -m benchmarks.followup_sets` "
            "or `python -m benchmarks.followup_xquad` (see their docstrings); nothing to measure.",
            file=sys.stderr,
        )
        return 0
    conversations = list(read_jsonl(args.data))
    split = split_by_hash(conversations, lambda c: str(c["id"]), TUNE_SHARE)
    chosen = {TUNE: split.tune, REPORT: split.report, "all": conversations}[args.part]
    chosen = chosen[: args.limit] if args.limit else chosen
    searched = open_index(conversations, args.distractors)
    follow_up = follow_up_class()
    rules_type = rules_class() if follow_up else None
    if follow_up is None:
        print(
            "with context: skipped, index.search.follow_up.FollowUp (and NewsIndex.search's "
            "follow_up argument) is not there yet",
            file=sys.stderr,
        )
    rules = None
    if rules_type is not None:
        default = rules_type()
        rules = rules_type(
            cited_bonus=default.cited_bonus if args.cited_bonus is None else args.cited_bonus,
            new_question_confidence=default.new_question_confidence
            if args.new_question_confidence is None
            else args.new_question_confidence,
        )
    grid = ""
    if args.grid and follow_up is not None and rules_type is not None:
        grid_text, rules = tune(chosen, searched, follow_up, rules_type)
        grid = f"\n\nRules grid, *with context* on this part (best in bold):\n\n{grid_text}"
    rows = measure(chosen, searcher(searched.index, rules), follow_up, searched.article_of)
    name = "XQuAD's articles" if searched.article_of is not str else "CoQA's CNN stories"
    result = (
        f"### Follow-ups over {name}: {args.part} part, {len(chosen)} of "
        f"{len(conversations)} conversations; {searched.described}\n\n"
        f"- command: `python -m benchmarks.followups {shlex.join(sys.argv[1:] if argv is None else argv)}`\n"
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}, commit {provenance.commit()}\n"
        f"- search: product settings, recency prior off; first {DEPTH} citations per question"
        + ("" if follow_up else "; *with context* skipped (no `index.search.follow_up`)")
        + (f"\n- rules: {rules}" if rules is not None else "")
        + f"{grid}\n\n{table(rows)}\n"
    )  # fmt: skip
    print(result)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
