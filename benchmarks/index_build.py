"""Cold build, unchanged rebuild and query time of the index, on a corpus of your choice.

Each run uses a fresh index folder and a fresh embedding cache, so the first build is truly cold
and the second shows what the cache saves.

    .venv/bin/python -m benchmarks.index_build                       # 300 RealTimeQA articles
    .venv/bin/python -m benchmarks.index_build --limit 0             # the whole corpus
    .venv/bin/python -m benchmarks.index_build --corpus seeds/
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from index import IndexSettings, IndexWriter, NewsIndex, load_embedder

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "realtimeqa-news" / "articles.jsonl"
QUERIES = [
    "Which countries signed long-term security agreements with Ukraine?",
    "What did the Federal Reserve decide about interest rates?",
    "Who won the election?",
    "How many people died in the heat wave?",
]


def subset(corpus: Path, limit: int, folder: Path) -> Path:
    """The first `limit` records of a JSON Lines corpus (the corpus itself when limit is 0)."""
    if limit <= 0 or corpus.suffix != ".jsonl":
        return corpus
    out = folder / f"first-{limit}.jsonl"
    with corpus.open(encoding="utf-8") as source, out.open("w", encoding="utf-8") as target:
        for n, line in enumerate(source):
            if n >= limit:
                break
            target.write(line)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--limit", type=int, default=300, help="first N records of a .jsonl (0: all)"
    )
    parser.add_argument("--factory", default="Flat", help="FAISS index factory string")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} is not there (the shared evaluation data is optional)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="index-bench-"))
    settings = IndexSettings(_env_file=None, data_dir=work, faiss_index_factory=args.factory)  # type: ignore[call-arg]
    corpus = subset(args.corpus, args.limit, work)
    started = time.perf_counter()
    embedder = load_embedder(settings)
    load_seconds = time.perf_counter() - started
    writer = IndexWriter(settings, embedder, progress=True)

    cold = writer.rebuild([corpus])
    warm = writer.rebuild([corpus])
    index = NewsIndex(settings, embedder)
    stats = index.stats()
    index.search(QUERIES[0])
    timings = []
    for _ in range(5):
        for query in QUERIES:
            t = time.perf_counter()
            index.search(query)
            timings.append((time.perf_counter() - t) * 1000)
    vectors = index.snapshot().vectors
    query_vector = embedder.encode_query(QUERIES[0])
    t = time.perf_counter()
    for _ in range(50):
        vectors.search(query_vector, 64)
    faiss_ms = (time.perf_counter() - t) / 50 * 1000

    result = {
        "corpus": str(args.corpus),
        "articles": stats.articles,
        "passages": stats.passages,
        "model_load_s": round(load_seconds, 1),
        "cold_build_s": round(cold.seconds, 1),
        "cold_passages_per_s": round(cold.passages / cold.seconds, 1),
        "unchanged_rebuild_s": round(warm.seconds, 1),
        "unchanged_embedded": warm.embedded,
        "unchanged_vs_cold": f"{warm.seconds / cold.seconds:.1%}",
        "size_on_disk_mb": round(stats.size_bytes / 1e6, 1),
        "cache_mb": round(settings.resolved_cache_path.stat().st_size / 1e6, 1),
        "search_ms_median": round(statistics.median(timings), 1),
        "faiss_search_ms": round(faiss_ms, 2),
        "index_factory": args.factory,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
