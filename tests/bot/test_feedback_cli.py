"""`python -m bot feedback export` in a subprocess, on the data folder the bot would use (the
round trip into the evaluation: tests/evaluation/test_feedback.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.votes import UP, AnswerVotes, VotedAnswer
from bot.feedback_cli import question_record
from tests.bot.answers.test_votes import HITS, hit
from tests.conftest import PROJECT_ROOT


def feedback(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "feedback", *args], capture_output=True, text=True,
        timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip


@pytest.mark.slow
def test_export_writes_one_line_per_voted_answer_or_one_error_line(
    isolated_environment: Path, tmp_path: Path
) -> None:
    assert feedback("export").stdout == "", "no votes yet: nothing to write"
    store = SubscriptionStore(isolated_environment / "subscriptions.sqlite")
    votes = AnswerVotes(store.engine, kept=10)
    votes.record("k1", 2, -100, "Who signed “the” pact?", HITS, "build-1")
    votes.vote("k1", 2, -100, 7, UP)
    store.close()
    printed = feedback("export")
    assert printed.returncode == 0, printed.stderr
    (line,) = printed.stdout.splitlines()
    assert json.loads(line)["id"] == "k1-2" and "“the”" in line, "UTF-8 as it is"

    refused = feedback("export", "--output", str(tmp_path / "no such folder" / "out.jsonl"))
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        f"error: cannot write {tmp_path / 'no such folder' / 'out.jsonl'}: No such file or "
        "directory\n"
    )
    helped = feedback("export", "--help")
    assert "python -m bot feedback export --output feedback.jsonl" in helped.stdout


def test_an_answer_approves_or_rejects_its_articles_by_the_balance_of_votes() -> None:
    cited = [hit("macron", 1), hit("estonia", 2), hit("macron", 3)]
    passages = [{"article_id": h.article_id} for h in cited]

    def judged(up: int, down: int) -> tuple[object, object]:
        answer = VotedAnswer("k", 0, "Who?", passages, "v1", "2026-03-01T10:00:00+00:00", up, down)
        record = question_record(answer)
        return record["article_ids"], record["rejected_article_ids"]

    assert judged(2, 1) == (["macron", "estonia"], []), "each article once, best first"
    assert judged(1, 2) == ([], ["macron", "estonia"])
    assert judged(1, 1) == ([], []), "a tie says nothing"
    answer = VotedAnswer("k", 0, "Who?", passages, "v1", "2026-03-01T10:00:00+00:00", 3, 0)
    assert question_record(answer) == {
        "id": "k-0", "question": "Who?", "article_ids": ["macron", "estonia"],
        "rejected_article_ids": [], "up": 3, "down": 0, "index_version": "v1",
        "date": "2026-03-01", "answers": [],
    }  # fmt: skip
