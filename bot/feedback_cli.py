"""`python -m bot feedback export`: readers' 👍 / 👎 as evaluation questions, one JSON line per
answer someone voted on.

An answer with more 👍 than 👎 approves the articles it cited (`article_ids`); one with more 👎
rejects them (`rejected_article_ids`); a tie does neither. `python -m evaluation` reads the file
as its "feedback" kind (`evaluation/feedback.py`), and measures under the current index how often
the approved articles are cited first, and how often the rejected ones still are. Nothing about
the readers is written: the counts only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.votes import AnswerVotes, VotedAnswer
from bot.settings import BotSettings

EPILOG = """examples:
  python -m bot feedback export                          # to standard output
  python -m bot feedback export --output feedback.jsonl
  python -m evaluation --corpus articles.jsonl --questions feedback.jsonl

Each line: {"id", "question", "article_ids", "rejected_article_ids", "up", "down",
"index_version", "date", "answers": []}; "date" is the day the answer was given (UTC)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot feedback",
        description="Readers' votes on answers (👍 / 👎), for the evaluation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export",
        help="the voted answers as evaluation questions, one JSON line each",
        description="Write every answer readers voted on as an evaluation question.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)"
    )
    return parser


def question_record(answer: VotedAnswer) -> dict[str, Any]:
    """A voted answer as an evaluation question: its cited articles (each once, best first)
    approved or rejected by the balance of its votes."""
    cited = list(dict.fromkeys(str(passage["article_id"]) for passage in answer.passages))
    balance = answer.up - answer.down
    return {
        "id": f"{answer.key}-{answer.page}",
        "question": answer.question,
        "article_ids": cited if balance > 0 else [],
        "rejected_article_ids": cited if balance < 0 else [],
        "up": answer.up,
        "down": answer.down,
        "index_version": answer.index_version,
        "date": answer.created_at[:10],
        "answers": [],
    }


def run(argv: Sequence[str], settings: BotSettings) -> int:
    args = build_parser().parse_args(list(argv))
    store = SubscriptionStore(settings.database)
    try:
        answers = AnswerVotes(store.engine, kept=settings.feedback_answers_kept).voted_answers()
        if args.output is None:
            _write(answers, sys.stdout)
            return 0
        try:
            with args.output.open("w", encoding="utf-8") as handle:
                written = _write(answers, handle)
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"{written} voted answers written to {args.output}")
        return 0
    finally:
        store.close()


def _write(answers: Iterable[VotedAnswer], out: TextIO) -> int:
    written = 0
    for answer in answers:
        out.write(json.dumps(question_record(answer), ensure_ascii=False) + "\n")
        written += 1
    return written
