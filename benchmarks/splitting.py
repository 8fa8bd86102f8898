"""Splitting articles into passages: in this process against worker processes, in one run.

.venv/bin/python -m benchmarks.splitting                  # the first 600 RealTimeQA articles
.venv/bin/python -m benchmarks.splitting --limit 0        # all 3,636
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from index import IndexSettings, load_embedder
from index.articles.article import Article
from index.articles.files import read_articles
from index.passages.cutting import ChunkingOptions
from index.passages.parallel import split_many

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "realtimeqa-news" / "articles.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=600, help="first N articles (0: all)")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} is not there (the shared evaluation data is optional)")
        return 0
    settings = IndexSettings()
    embedder = load_embedder(settings)
    articles = [a for a in read_articles([args.corpus]) if isinstance(a, Article)]
    texts = [a.text for a in articles[: args.limit or None]]
    options = ChunkingOptions(settings.passage_max_tokens, settings.passage_min_tokens)
    tokenizer = getattr(embedder, "counting_tokenizer", None)
    timings = {}
    for name, workers in (("in this process", 1), (f"{os.cpu_count()} worker processes", None)):
        started = time.perf_counter()
        split = split_many(
            texts, embedder.count_tokens, options, tokenizer=tokenizer, workers=workers
        )
        timings[name] = time.perf_counter() - started
    passages = sum(len(s) for s in split)
    print(f"{len(texts):,} articles, {passages:,} passages\n")
    print("| splitting | seconds | articles/s |")
    print("|---|---|---|")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.1f} | {len(texts) / seconds:.0f} |")
    alone, pooled = timings.values()
    print(f"\nworkers: {alone / pooled:.2f}x faster (start-up of the workers included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
