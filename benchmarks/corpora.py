"""The evaluation corpora as benchmarks read them: one choice of articles, shared by every script.

A benchmark over "300 RealTimeQA articles" must answer the 103 questions with their gold
articles in it, or its hit@5 says nothing: the subset is every gold article of the questions,
then distractors in file order up to the count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_EVAL = ROOT.parent / "shared" / "eval"
REALTIMEQA = SHARED_EVAL / "realtimeqa-news"
REALTIMEQA_ARTICLES = REALTIMEQA / "articles.jsonl"
REALTIMEQA_QUESTIONS = REALTIMEQA / "questions.jsonl"


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def realtimeqa_questions() -> list[dict]:
    return list(read_jsonl(REALTIMEQA_QUESTIONS))


def realtimeqa_subset(count: int) -> list[dict]:
    """`count` articles: the questions' gold articles first, then distractors in file order."""
    gold = {article_id for q in realtimeqa_questions() for article_id in q["article_ids"]}
    articles = list(read_jsonl(REALTIMEQA_ARTICLES))
    chosen = [a for a in articles if a["id"] in gold]
    chosen += [a for a in articles if a["id"] not in gold][: max(0, count - len(chosen))]
    return chosen[:count]


def write_jsonl(records: list[dict], path: Path) -> Path:
    """The records as one JSON Lines file, which `python -m index add` reads as articles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
