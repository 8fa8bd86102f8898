"""Splitting many articles into passages on every core: pysbd is pure Python, one core at a time.

A cold build of thousands of articles spends minutes in sentence splitting before the model
runs; worker processes (spawned, so no thread state of the model is inherited) split articles
side by side, each counting tokens with its own copy of the model's tokenizer. Few articles are
split in-process: starting the workers costs a second or two.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from index.embedding.model import token_counts
from index.passages.cutting import ChunkingOptions, PassageSpan, TokenCounter, split_passages

if TYPE_CHECKING:
    from tokenizers import Tokenizer

POOL_MIN_ARTICLES = 64
"""Fewer articles than this are split in-process."""

_worker_counter: TokenCounter | None = None
_worker_options: ChunkingOptions | None = None


def split_many(
    texts: Sequence[str],
    count_tokens: TokenCounter,
    options: ChunkingOptions,
    *,
    tokenizer: Tokenizer | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> list[tuple[PassageSpan, ...]]:
    """The passages of each text, in order, split on `workers` processes when a `tokenizer`
    (picklable, counting as `count_tokens` does) lets the workers count tokens on their own."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    bar = partial(tqdm, total=len(texts), desc="Splitting", unit="article", disable=not progress)
    if tokenizer is None or workers < 2 or len(texts) < POOL_MIN_ARTICLES:
        split: Callable[[str], list[PassageSpan]] = partial(
            split_passages, count_tokens=count_tokens, options=options
        )
        return [tuple(split(text)) for text in bar(texts)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(tokenizer, options)
    ) as pool:
        return list(bar(pool.map(_split_in_worker, texts, chunksize=8)))


def _start_worker(tokenizer: Tokenizer, options: ChunkingOptions) -> None:
    global _worker_counter, _worker_options
    _worker_counter = partial(token_counts, tokenizer)
    _worker_options = options
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """A build killed with SIGKILL cannot stop its workers: each leaves as soon as it is orphaned."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _split_in_worker(text: str) -> tuple[PassageSpan, ...]:
    assert _worker_counter is not None and _worker_options is not None
    return tuple(split_passages(text, _worker_counter, _worker_options))
