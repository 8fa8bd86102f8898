"""The lexical side of a version: a BM25 index (bm25s) over the same passages as FAISS.

A small embedding model blurs names, numbers and rare words ("Duda", "10-year"); BM25 keeps
them exact. Rows are the passage rows of the version, as in FAISS, and the index is built with
the version, so it is published, swapped and replaced together with the vectors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

# bm25s sets its own logger to DEBUG on import, so its "Building index from tokens" would reach
# any handler; its messages are only of use when debugging bm25s itself.
logging.getLogger("bm25s").setLevel(logging.WARNING)

LEXICAL_DIR = "bm25"
LEXICAL_ROWS_NAME = "bm25_rows.npy"
# BM25 parameters of the BEIR/Anserini baselines, which suit short passages.
K1 = 0.9
B = 0.4


@lru_cache(maxsize=1)
def _stem_words() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default token pattern
STOPWORDS = frozenset(STOPWORDS_EN)
"""What `bm25s.tokenize(stopwords="en")` leaves out, lowercased."""


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lowercased words of two or more characters, English stopwords out, Snowball-stemmed.

    The same words as `bm25s.tokenize(stopwords="en", stemmer=…)` (a test holds them equal), in
    a fraction of its time on a question: it builds three progress bars per call even when they
    are hidden, which cost more than the words.
    """
    stem = _stem_words().stemWords
    return [stem([w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]) for text in texts]


# Words of a question or a topic that say what kind of thing is asked, not what it is about:
# they are kept in the word index (BM25 weighs them little), but a topic's coverage leaves them
# out, or "What did Duda say about Ukraine?" would need "what", "did" and "say" in the passage.
_QUERY_FILLER_TEXT = """
about above after again against all also am any because been before being below between both
can could did do does doing down during each few from further had has have having he her here
hers herself him himself his how its itself just let me more most my myself new news nor now
off once only other our ours ourselves out over own recent recently said same say says she
should so some than theirs them themselves those through too under until up very we were what
when where which while who whom why would you your yours
"""


@lru_cache(maxsize=1)
def _query_filler() -> frozenset[str]:
    return frozenset(tokenize([_QUERY_FILLER_TEXT])[0])


@lru_cache(maxsize=8192)
def words_of_text(text: str) -> frozenset[str]:
    """The distinct words of a text as the word index holds them (see `tokenize`); cached, as
    topics and filter words are looked up again on every alert round."""
    (words,) = tokenize([text])
    return frozenset(words)


def topic_words(topic: str) -> frozenset[str]:
    """The words a topic is about: its indexed words without question and news filler."""
    return words_of_text(topic) - _query_filler()


def term_coverage(topic: str, text: str) -> float:
    """Share of the topic's words (`topic_words`) that occur in the text, from 0 to 1.

    A small embedding model places "Russian attacks on Estonia" close to any story about Russia
    and the Baltic; a name or a place that a topic spells out should count when it is literally
    there. Added to the cosine (`dense + w * coverage`), it lifts passages that name the topic's
    people and places. Words are compared as search's word index has them (lowercased,
    stopwords out, Snowball-stemmed), so "attacks" matches "attack" and alerts, filters and
    search agree on what a word is; 0.0 for a topic with no such word. Pass the article title
    with the passage when it should count too.
    """
    wanted = topic_words(topic)
    if not wanted:
        return 0.0
    return len(wanted & words_of_text(text)) / len(wanted)


def build_lexical(texts: Sequence[str], folder: Path, rows: np.ndarray | None = None) -> None:
    """Index `texts` and save it in the version folder: text i is passage row `rows[i]`, or
    row i without `rows` (saved only when they are not 0..n-1: a version with gaps).

    Always built whole: bm25s stores each document's term scores, which depend on every
    document (IDF, average length), and has no way to add documents to a saved index.
    A version without words (or without passages) gets none: readers then use vectors alone.
    """
    corpus = tokenize(texts)
    if not any(corpus):  # nothing but stopwords: BM25 has nothing to weigh
        return
    retriever = bm25s.BM25(k1=K1, b=B)
    retriever.index(corpus, show_progress=False)
    retriever.save(str(folder / LEXICAL_DIR), show_progress=False)
    if rows is not None and not np.array_equal(rows, np.arange(len(rows))):
        np.save(folder / LEXICAL_ROWS_NAME, np.asarray(rows, np.int64), allow_pickle=False)


def load_lexical_rows(folder: Path) -> np.ndarray | None:
    """The passage row of each document of the word index; None when document i is row i."""
    path = folder / LEXICAL_ROWS_NAME
    return np.load(path, allow_pickle=False) if path.is_file() else None


def load_lexical(folder: Path) -> bm25s.BM25 | None:
    """The version's BM25 index, or None for a version built before it existed."""
    path = folder / LEXICAL_DIR
    if not path.is_dir():
        return None
    # Read into memory, never memory-mapped: a file truncated under a mapping kills the process
    # with SIGBUS at the next search, where a read fails here with an error.
    return bm25s.BM25.load(str(path), mmap=False, show_progress=False)


def lexical_search(
    retriever: bm25s.BM25,
    query: str,
    depth: int,
    allowed: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """The `depth` best rows for the query as (row, BM25 score), best first; no zero scores.
    With `allowed` (a boolean mask over the rows), only rows it lets through; `rows` is each
    document's passage row when they are not 0..n-1 (`load_lexical_rows`)."""
    (words,) = tokenize([query])
    if not words or depth <= 0:
        return []
    scores = retriever.get_scores(words)
    if allowed is not None:
        scores = np.where(allowed if rows is None else allowed[rows], scores, 0.0)
    depth = min(depth, len(scores))
    top = np.argpartition(-scores, depth - 1)[:depth]
    ranked = top[np.argsort(-scores[top], kind="stable")]
    found = ranked if rows is None else rows[ranked]
    return [
        (int(row), float(scores[doc]))
        for row, doc in zip(found, ranked, strict=True)
        if scores[doc] > 0
    ]
