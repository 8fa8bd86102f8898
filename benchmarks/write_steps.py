"""Where the seconds of one `IndexWriter.add` go: the steps of the write path, timed by
wrapping the functions that do them for the length of one write.

A call is counted once, under the outermost timed step it runs in (the cache lookups of story
placement count as story placement); what no step covers is reported as the rest.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from index import writer as index_writer
from index.store.faiss import writer as faiss_writer
from index.store.faiss.writer import FaissVersionWriter
from index.store.manifest import Manifest
from index.store.metadata import MetadataReader
from index.store.publish import IndexLayout
from index.writer import IndexWriter

STEPS: tuple[tuple[str, object, str], ...] = (
    ("split and embed before the lock (cache)", IndexWriter, "_prepare"),
    ("read the live version's named articles", FaissVersionWriter, "read_live"),
    ("place in stories (neighbours read)", IndexWriter, "_in_stories"),
    ("embed the new passages (cache)", IndexWriter, "_embed"),
    ("read unread story members", faiss_writer, "_unread_members"),
    ("copy and change metadata.sqlite", faiss_writer, "append_metadata"),
    ("read passages.faiss", faiss_writer, "load_faiss"),
    ("add to the HNSW graph", faiss_writer, "append_faiss"),
    ("write passages.faiss", faiss_writer, "save_faiss"),
    ("write passages.faiss, hashed as written", faiss_writer, "save_faiss_hashed"),
    ("sentence vectors part", faiss_writer, "append_sentence_vectors"),
    ("count the sentences", MetadataReader, "sentence_count"),
    ("words of the new passages", faiss_writer, "tokenize"),
    ("word index segment", faiss_writer, "append_word_index"),
    ("wait for the hashing thread", faiss_writer, "_done"),
    ("check the previous files (sizes, SHA-256)", Manifest, "verify_files"),
    ("SHA-256 of the new files", faiss_writer, "file_digests"),
    ("publish (fsync, rename, link)", IndexLayout, "publish"),
    ("remove old versions", IndexLayout, "collect_garbage"),
    ("question model export", index_writer, "export_question_model"),
)
REST = "the rest"

Steps = dict[str, float]
"""Seconds by step."""


@contextmanager
def timed_steps() -> Iterator[Steps]:
    """Seconds per step (`STEPS`) of the writes made inside; construct the writer inside too,
    as it binds some of these methods when made."""
    seconds: Steps = {}
    depth = 0

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            nonlocal depth
            if depth:
                return function(*args, **kwargs)
            depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth -= 1
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - started

        return run

    originals = [(owner, name, getattr(owner, name)) for _, owner, name in STEPS]
    for (label, _, _), (owner, name, function) in zip(STEPS, originals, strict=True):
        setattr(owner, name, timed(label, function))
    try:
        yield seconds
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


def with_rest(seconds: Steps, total: float) -> Steps:
    """The steps in `STEPS` order, and what they leave of `total`."""
    steps = {label: seconds[label] for label, _, _ in STEPS if label in seconds}
    return {**steps, REST: total - sum(steps.values())}
