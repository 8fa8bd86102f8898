"""The word index on disk: a vocabulary and segments of term counts, appended to as articles come.

A version folder holds `word_index/`: `vocabulary.txt` (one word per line, a word's id is its
line), `segments.json` (the segments, oldest first) and one `.npz` file per segment. A segment
holds, for the passages it indexed, each passage's row and length in words, and each word's
postings (passage, count) grouped by word id. An `add` writes one small segment for its new
passages and links the others from the previous version (segments never change once written,
so versions share them). Small segments at the tail are merged as they pile up, each merge
leaving out the passages of replaced and removed articles, so a version keeps a handful of
segments; a whole write (`rebuild`, `compact`) writes one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.store.files import link_or_copy

WORD_INDEX_DIR = "word_index"
VOCABULARY_NAME = "vocabulary.txt"
SEGMENTS_NAME = "segments.json"
MERGE_FACTOR = 2
"""The tail merges while the segment before the last is at most this many times the last's
size: segments then grow geometrically, so there are O(log n) of them and each passage is
merged O(log n) times in its life."""


@dataclass(frozen=True, slots=True)
class Segment:
    """Term counts of some passages, grouped by word id (a sparse column-major matrix)."""

    rows: np.ndarray
    """int64: the passage row of each of the segment's documents."""
    lengths: np.ndarray
    """int32: how many words each document has."""
    term_starts: np.ndarray
    """int64, one more than the vocabulary had when written: word t's postings are
    `docs[term_starts[t]:term_starts[t + 1]]`."""
    docs: np.ndarray
    """int32: the document (position in `rows`) of each posting."""
    counts: np.ndarray
    """float32: how often the word occurs in that document."""

    @property
    def terms(self) -> int:
        return len(self.term_starts) - 1

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """(documents, counts) of a word; empty for a word the segment predates."""
        if term >= self.terms:
            return self.docs[:0], self.counts[:0]
        start, end = self.term_starts[term], self.term_starts[term + 1]
        return self.docs[start:end], self.counts[start:end]


def build_segment(
    token_lists: Sequence[Sequence[str]], rows: np.ndarray, vocabulary: dict[str, int]
) -> Segment:
    """The segment of these documents; words new to `vocabulary` are given the next ids there."""
    terms: list[int] = []
    docs: list[int] = []
    counts: list[int] = []
    for doc, tokens in enumerate(token_lists):
        for word, count in Counter(tokens).items():
            terms.append(vocabulary.setdefault(word, len(vocabulary)))
            docs.append(doc)
            counts.append(count)
    lengths = np.fromiter((len(t) for t in token_lists), np.int32, count=len(token_lists))
    return _grouped(
        np.asarray(rows, np.int64),
        lengths,
        np.asarray(terms, np.int64),
        np.asarray(docs, np.int32),
        np.asarray(counts, np.float32),
        len(vocabulary),
    )


def merge_segments(segments: Sequence[Segment], live: np.ndarray, terms: int) -> Segment:
    """One segment of the live documents of several (`live`: a mask over passage rows)."""
    rows, lengths, term_ids, docs, counts = [], [], [], [], []
    offset = 0
    for segment in segments:
        keep = live[segment.rows] if len(segment.rows) else np.zeros(0, bool)
        renumbered = np.full(len(segment.rows), -1, np.int64)
        renumbered[keep] = offset + np.arange(int(keep.sum()))
        posting_terms = np.repeat(np.arange(segment.terms), np.diff(segment.term_starts))
        kept = keep[segment.docs]
        rows.append(segment.rows[keep])
        lengths.append(segment.lengths[keep])
        term_ids.append(posting_terms[kept])
        docs.append(renumbered[segment.docs[kept]])
        counts.append(segment.counts[kept])
        offset += int(keep.sum())
    return _grouped(
        np.concatenate(rows).astype(np.int64),
        np.concatenate(lengths).astype(np.int32),
        np.concatenate(term_ids).astype(np.int64),
        np.concatenate(docs).astype(np.int32),
        np.concatenate(counts).astype(np.float32),
        terms,
    )


def _grouped(
    rows: np.ndarray,
    lengths: np.ndarray,
    terms: np.ndarray,
    docs: np.ndarray,
    counts: np.ndarray,
    vocabulary_size: int,
) -> Segment:
    order = np.argsort(terms, kind="stable")
    starts = np.zeros(vocabulary_size + 1, np.int64)
    np.cumsum(np.bincount(terms, minlength=vocabulary_size), out=starts[1:])
    return Segment(rows, lengths, starts, docs[order], counts[order])


def save_segment(segment: Segment, path: Path) -> None:
    with open(path, "wb") as handle:
        np.savez(
            handle,
            rows=segment.rows,
            lengths=segment.lengths,
            term_starts=segment.term_starts,
            docs=segment.docs,
            counts=segment.counts,
        )


def load_segment(path: Path) -> Segment:
    with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
        segment = Segment(
            data["rows"], data["lengths"], data["term_starts"], data["docs"], data["counts"]
        )
    if not (
        len(segment.lengths) == len(segment.rows)
        and len(segment.docs) == len(segment.counts) == segment.term_starts[-1]
    ):
        raise ValueError(f"{path.name} has arrays of mismatched lengths")
    return segment


@dataclass(frozen=True, slots=True)
class SegmentList:
    """What `segments.json` says: the segment files, oldest first, and their sizes."""

    files: list[str]
    documents: list[int]
    next_number: int

    @classmethod
    def load(cls, folder: Path) -> SegmentList:
        data = json.loads((folder / SEGMENTS_NAME).read_text("utf-8"))
        return cls(list(data["files"]), list(data["documents"]), int(data["next_number"]))

    def save(self, folder: Path) -> None:
        data = {"files": self.files, "documents": self.documents, "next_number": self.next_number}
        (folder / SEGMENTS_NAME).write_text(json.dumps(data) + "\n", "utf-8")


def read_vocabulary(folder: Path) -> list[str]:
    text = (folder / VOCABULARY_NAME).read_text("utf-8")
    return text.split("\n")[:-1] if text else []


def _write_vocabulary(folder: Path, words: Iterable[str]) -> None:
    (folder / VOCABULARY_NAME).write_text("".join(f"{w}\n" for w in words), "utf-8")


def write_word_index(version: Path, token_lists: Sequence[Sequence[str]], rows: np.ndarray) -> None:
    """A word index of one segment for these documents (document i is passage row `rows[i]`)."""
    folder = version / WORD_INDEX_DIR
    folder.mkdir()
    vocabulary: dict[str, int] = {}
    segment = build_segment(token_lists, rows, vocabulary)
    save_segment(segment, folder / _segment_file(0))
    _write_vocabulary(folder, vocabulary)
    SegmentList([_segment_file(0)], [len(rows)], 1).save(folder)


def append_word_index(
    version: Path,
    previous: Path,
    token_lists: Sequence[Sequence[str]],
    rows: np.ndarray,
    live: Callable[[], np.ndarray],
) -> None:
    """The previous version's word index with these documents added: its segments linked, a
    new one for them, the tail merged (`MERGE_FACTOR`) without the rows the mask `live()`
    leaves out (asked only when segments are merged)."""
    source = previous / WORD_INDEX_DIR
    folder = version / WORD_INDEX_DIR
    folder.mkdir()
    listed = SegmentList.load(source)
    words = read_vocabulary(source)
    vocabulary = {word: term for term, word in enumerate(words)}
    new = build_segment(token_lists, rows, vocabulary)
    files, documents = list(listed.files), list(listed.documents)
    tail: list[Segment] = [new]
    tail_documents = len(rows)
    number = listed.next_number
    while files and documents[-1] <= MERGE_FACTOR * tail_documents:
        tail.insert(0, load_segment(source / files.pop()))
        tail_documents += documents.pop()
    for name in files:
        link_or_copy(source / name, folder / name)
    merged = tail[0] if len(tail) == 1 else merge_segments(tail, live(), len(vocabulary))
    name = _segment_file(number)
    save_segment(merged, folder / name)
    _write_vocabulary(folder, vocabulary)
    SegmentList([*files, name], [*documents, len(merged.rows)], number + 1).save(folder)


def _segment_file(number: int) -> str:
    return f"segment-{number:06d}.npz"
