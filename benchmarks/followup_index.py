"""The index a follow-up set is searched in: for XQuAD conversations the evaluation index of
the whole XQuAD corpus, for CoQA's the stories beside news distractors (`benchmarks.followups`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from benchmarks.corpora import REALTIMEQA_ARTICLES, read_jsonl
from benchmarks.followup_xquad import INDEX_NAME as XQUAD_INDEX
from evaluation.datasets import ensure_index, eval_settings, open_dataset
from index import IndexSettings, NewsIndex, load_embedder
from index.search.news_index import Hit

DEPTH = 3
"""Citations per question: the bot's answer cites up to three."""
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lower case, every run of non-letters and non-digits one space, trimmed: how texts are
    compared, for a distractor repeating a story and for an answer inside a citation."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


# --- The corpus ----------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class Searched:
    """An index opened for a follow-up set: its search, how its articles map to stories, and
    what it holds (for the table's heading)."""

    index: NewsIndex
    article_of: Callable[[str], str]
    described: str


def open_index(conversations: Sequence[dict], distractors: int) -> Searched:
    """XQuAD conversations: the evaluation index of the whole XQuAD corpus, whose articles are
    paragraphs (each mapped to its XQuAD article); CoQA's: its stories beside news distractors."""
    base = IndexSettings()
    embedder = load_embedder(base)
    if conversations and conversations[0].get("index") == XQUAD_INDEX:
        data = open_dataset("xquad", base, embedder)
        paragraphs = {str(p["id"]): str(p["article_id"]) for p in read_jsonl(data.corpus)}
        index = NewsIndex(data.settings.model_copy(update={"search_recency_weight": 0.0}),
                          embedder)  # fmt: skip
        articles = len(set(paragraphs.values()))
        return Searched(
            index, lambda article: paragraphs.get(article, article),
            f"the whole XQuAD English corpus indexed ({len(paragraphs)} paragraphs of "
            f"{articles} articles; a cited article is a paragraph)",
        )  # fmt: skip
    records: list[dict] = []
    if distractors and REALTIMEQA_ARTICLES.is_file():
        records = list(islice(read_jsonl(REALTIMEQA_ARTICLES), distractors))
    elif distractors:
        print(f"no distractors: {REALTIMEQA_ARTICLES} is not there", file=sys.stderr)
    records = corpus_records(conversations, records)
    corpus = corpus_file(records, base.data_dir / "eval" / "followups")
    settings = eval_settings(base, corpus)
    ensure_index(settings, corpus, embedder)
    index = NewsIndex(settings.model_copy(update={"search_recency_weight": 0.0}), embedder)
    return Searched(
        index, str, f"{len(conversations)} stories and "
        f"{len(records) - len(conversations)} distractors indexed",
    )  # fmt: skip


def searcher(index: NewsIndex, rules: Any) -> Callable[..., list[Hit]]:
    """The product's search for the first `DEPTH` citations, with these follow-up rules."""

    def search(question: str, **context: Any) -> list[Hit]:
        extra = {"follow_up_rules": rules} if "follow_up" in context and rules else {}
        return index.search(
            question, k=DEPTH, min_score=-1.0, min_confidence=0.0, bold_sentence=False,
            **context, **extra,
        )  # fmt: skip

    return search
