"""Readers' votes as evaluation questions (`evaluation.feedback`): the figures on hand-made
runs, and the round trip from votes in the bot's database, through `python -m bot feedback
export`, into `python -m evaluation` on a small index of the seed article."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.votes import DOWN, UP, AnswerVotes
from bot.settings import BotSettings
from evaluation import run
from evaluation.datasets import load_questions
from evaluation.feedback import (
    FEEDBACK_METRICS,
    feedback_metrics,
    feedback_questions,
    rejected_articles,
)
from index import Embedder, IndexWriter, NewsIndex
from tests.bot.rendering_helpers import make_hit
from tests.conftest import PROJECT_ROOT, SEEDS

SEED_ID = "000_73da1f60caab5eee"
AGREEMENTS = "Which countries signed long-term security agreements with Ukraine?"
VOLCANO = "Did the volcano in Iceland erupt again?"


def write_lines(path: Path, records: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_votes_are_a_question_kind_of_their_own(tmp_path: Path) -> None:
    exported = write_lines(
        tmp_path / "feedback.jsonl",
        [
            {"id": "k1-0", "question": "Who signed?", "article_ids": ["a", "b"],
             "rejected_article_ids": [], "up": 2, "down": 0, "index_version": "v1",
             "date": "2026-03-01", "answers": []},
            {"id": "k2-1", "question": "Which volcano?", "article_ids": [],
             "rejected_article_ids": ["c"], "up": 0, "down": 1, "index_version": "v1",
             "date": "2026-03-02", "answers": []},
        ],
    )  # fmt: skip
    questions = load_questions(exported)
    assert questions.kind == "feedback"
    approved, rejected = questions.questions
    assert (approved.id, approved.gold_articles, rejected_articles(approved)) == (
        "k1-0", {"a", "b"}, set(),
    )  # fmt: skip
    assert (rejected.gold_articles, rejected_articles(rejected)) == (set(), {"c"})
    assert str(rejected.asked) == "2026-03-02", "searched as of the day it was asked"
    news = write_lines(tmp_path / "news.jsonl", [{"question": "Who?", "article_ids": ["a"]}])
    assert load_questions(news).kind == "news", "news questions are still news"


def test_feedback_figures_approved_first_and_rejected_still_cited() -> None:
    exported = [
        {"question": "q1", "article_ids": ["a"], "rejected_article_ids": []},
        {"question": "q2", "article_ids": ["b"], "rejected_article_ids": []},
        {"question": "q3", "article_ids": [], "rejected_article_ids": ["c"]},
        {"question": "q4", "article_ids": [], "rejected_article_ids": ["d"]},
        {"question": "tie", "article_ids": [], "rejected_article_ids": []},
    ]
    questions = feedback_questions(exported).questions
    cited = [["a", "x"], ["x", "y", "b"], ["c"], ["x", "d", "c"], ["a"]]
    runs = [[make_hit(article_id=a, rank=r) for r, a in enumerate(ids, 1)] for ids in cited]
    assert feedback_metrics(questions, runs) == {
        "article hit@1": 0.5, "article hit@3": 1.0,
        "rejected still first": 0.5, "rejected hit@3": 1.0,
    }  # fmt: skip
    only_approved = feedback_metrics(questions[:2], runs[:2])
    assert list(only_approved) == list(FEEDBACK_METRICS)
    assert math.isnan(only_approved["rejected still first"]), "no rejected answer measures it"


@pytest.mark.slow
def test_votes_exported_by_the_bot_are_measured_by_the_evaluation(
    isolated_environment: Path, embedder: Embedder, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    front, body = (SEEDS / f"{SEED_ID}.txt").read_text("utf-8").split("---\n")[1:]
    meta = dict(line.split(": ", 1) for line in front.strip().splitlines())
    corpus = write_lines(
        tmp_path / "corpus" / "articles.jsonl",
        [
            {"id": SEED_ID, "title": meta["title"], "published": meta["published"], "text": body},
            {"id": "volcano", "title": "Iceland volcano erupts again", "published": "2024-03-01",
             "text": "A volcano on the Reykjanes peninsula in Iceland erupted again on Saturday. "
                     "Lava reached the edge of Grindavik, which had been evacuated."},
        ],
    )  # fmt: skip
    settings = BotSettings(_env_file=None, data_dir=isolated_environment)  # type: ignore[call-arg]
    IndexWriter(settings, embedder).rebuild([corpus])
    index = NewsIndex(settings, embedder)
    version = index.stats().build_id

    store = SubscriptionStore(settings.database)  # what a running bot would have recorded
    votes = AnswerVotes(store.engine, kept=100)
    good = index.search(AGREEMENTS)
    assert good[0].article_id == SEED_ID
    votes.record("good", 0, 42, AGREEMENTS, good, version)
    votes.record("bad", 0, -100, VOLCANO, good, version)  # cited the wrong story
    votes.record("tie", 0, -100, AGREEMENTS, good, version)
    votes.record("quiet", 0, 42, AGREEMENTS, good, version)  # nobody voted
    for user, vote in ((1, UP), (2, UP)):
        votes.vote("good", 0, 42, user, vote)
    for user, vote in ((1, DOWN), (2, DOWN), (3, UP)):
        votes.vote("bad", 0, -100, user, vote)
    for user, vote in ((1, UP), (2, DOWN)):
        votes.vote("tie", 0, -100, user, vote)
    store.close()

    exported = tmp_path / "feedback.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "feedback", "export", "--output", str(exported)],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},  # this checkout's bot
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"3 voted answers written to {exported}\n"
    today = datetime.now(UTC).date().isoformat()
    lines = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    assert lines == [
        {"id": "good-0", "question": AGREEMENTS, "article_ids": [SEED_ID],
         "rejected_article_ids": [], "up": 2, "down": 0, "index_version": version,
         "date": today, "answers": []},
        {"id": "bad-0", "question": VOLCANO, "article_ids": [],
         "rejected_article_ids": [SEED_ID], "up": 1, "down": 2, "index_version": version,
         "date": today, "answers": []},
        {"id": "tie-0", "question": AGREEMENTS, "article_ids": [], "rejected_article_ids": [],
         "up": 1, "down": 1, "index_version": version, "date": today, "answers": []},
    ]  # fmt: skip

    questions = load_questions(exported)
    figures, _, runs = run.run_config(index, questions, 5)
    assert [hits[0].article_id for hits in runs] == [SEED_ID, "volcano", SEED_ID]
    assert figures == {
        "article hit@1": 1.0, "article hit@3": 1.0,
        "rejected still first": 0.0,  # the volcano question now cites the volcano first
        "rejected hit@3": 1.0,  # with two articles, both are cited
    }  # fmt: skip

    assert run.main(["--corpus", str(corpus), "--questions", str(exported)]) == 0
    out = capsys.readouterr().out
    assert "3 questions over 2 articles" in out
    assert "| article hit@1 | article hit@3 | rejected still first | rejected hit@3 |" in out
    assert "| product | 1.000 | 1.000 | 0.000 | 1.000 |" in out.split("#### All 3 questions")[1]
