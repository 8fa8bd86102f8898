"""What sentence vectors cost at index time, and on disk: pooled from the passage's own forward
pass (what the index stores) against embedding each sentence after its title and previous one.

Both readings run in the same process on the same passages (the first articles of RealTimeQA, or
a corpus of your choice), so the ratio holds whatever the machine is doing; the bytes are those
of the stored form (int8 + one float32 scale) against float16 and float32.

    .venv/bin/python -m benchmarks.sentence_vectors
    .venv/bin/python -m benchmarks.sentence_vectors --limit 100 --corpus ../shared/eval/xquad-en/passages.jsonl
"""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

from index import IndexSettings, load_embedder
from index.articles.article import Article
from index.articles.files import read_articles
from index.embedding.model import encode_sentences_apart
from index.embedding.model_input import model_input
from index.passages.cutting import ChunkingOptions, split_passages

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "realtimeqa-news" / "articles.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=60, help="first N articles")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} is not there (the shared evaluation data is optional)")
        return 0
    settings = IndexSettings()
    embedder = load_embedder(settings)
    articles = [a for a in read_articles([args.corpus]) if isinstance(a, Article)][: args.limit]
    options = ChunkingOptions(settings.passage_max_tokens, settings.passage_min_tokens)
    pairs = [
        (a, s) for a in articles for s in split_passages(a.text, embedder.count_tokens, options)
    ]
    texts, sentences = model_input(pairs)
    embedder.encode_passages(texts[:8], sentences[:8])  # warm: load the model
    runs: dict[str, float] = {}
    for name, encode in (
        ("pooled from the passage's pass", embedder.encode_passages),
        ("each sentence after title and previous", partial(encode_sentences_apart, embedder)),
    ):
        started = time.perf_counter()
        encode(texts, sentences)
        runs[name] = time.perf_counter() - started
    count = sum(len(s) for s in sentences)
    dim = embedder.dimension
    print(
        f"{len(articles)} articles, {len(texts):,} passages, {count:,} sentences "
        f"({count / len(texts):.1f} per passage), backend {embedder.backend}\n"
    )
    print("| passage and sentence vectors | seconds | passages/s |")
    print("|---|---|---|")
    for name, seconds in runs.items():
        print(f"| {name} | {seconds:.1f} | {len(texts) / seconds:.1f} |")
    pooled, apart = runs.values()
    print(f"\npooling is {apart / pooled:.1f}x faster\n")
    print("| stored as | bytes per sentence | bytes per passage |")
    print("|---|---|---|")
    for name, size in (
        ("int8 + scale (stored)", dim + 4),
        ("float16", 2 * dim),
        ("float32", 4 * dim),
    ):
        print(f"| {name} | {size:,} | {size * count / len(texts):,.0f} |")
    print(f"| (the passage vector itself, float32) | | {4 * dim:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
