"""Speed and agreement of the embedding backends (EMBEDDING_BACKEND) on real news, in one run.

For torch, onnx and onnx-int8: passages per second over real passages (cut by the product's own
splitter, embedded as the index embeds them), single-query latency over real questions, cosine
agreement with torch's vectors, and the start-up of a fresh query process (import, load, first
query) with its peak memory. Ratios are against torch measured in the same run.

    .venv/bin/python -m benchmarks.embedding_backends
    .venv/bin/python -m benchmarks.embedding_backends --passages 200 --output benchmarks/results/embedding_backends.md
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks.provenance import commit
from index import Embedder, IndexSettings
from index.articles.article import Article
from index.articles.files import read_articles
from index.embedding.model import SentenceTransformerEmbedder
from index.embedding.model_input import document_text
from index.embedding.onnx_model import OnnxEmbedder
from index.passages.cutting import ChunkingOptions, split_passages

ROOT = Path(__file__).resolve().parent.parent

SHARED = ROOT.parent / "shared" / "eval" / "realtimeqa-news"
BACKENDS = ("torch", "onnx", "onnx-int8")
FALLBACK_QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "What did Macron say about sending Western troops to Ukraine?",
    "Who attended the gathering of European leaders in Paris?",
]
# A fresh process as the bot starts: import the package, load the embedder, answer a question.
_CHILD = """
import time
started = time.perf_counter()
from index import IndexSettings, load_embedder
load_embedder(IndexSettings(_env_file=None)).encode_query("Who signed the agreements?")
print(time.perf_counter() - started)
"""
# Runs the child alone, so RUSAGE_CHILDREN is that one child's peak, not the largest so far.
_WRAPPER = """
import resource, subprocess, sys
out = subprocess.run([sys.executable, "-c", sys.argv[1]], capture_output=True, text=True)
if out.returncode:
    sys.exit(out.stderr)
print(out.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def real_passages(count: int, corpus: Path, embedder: Embedder) -> tuple[list[str], str]:
    """`count` passages as the index embeds them (title, then passage), and where they came from."""
    source = corpus if corpus.is_file() else ROOT / "seeds"
    note = str(source) if corpus.is_file() else f"seeds/ ({corpus} is not there)"
    chunking = ChunkingOptions(**_chunking(IndexSettings(_env_file=None)))  # type: ignore[call-arg]
    passages: list[str] = []
    for article in read_articles([source]):
        if not isinstance(article, Article):
            continue
        for span in split_passages(article.text, embedder.count_tokens, chunking):
            passages.append(document_text(article.title, article.text[span.start : span.end]))
        if len(passages) >= count:
            break
    return passages[:count], note


def _chunking(settings: IndexSettings) -> dict[str, int]:
    return {
        "max_tokens": settings.passage_max_tokens,
        "min_tokens": settings.passage_min_tokens,
        "overlap_sentences": settings.passage_overlap_sentences,
    }


def real_questions(count: int, path: Path) -> list[str]:
    if not path.is_file():
        return FALLBACK_QUESTIONS
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["question"] for line in handle if line.strip()][:count]


def load(backend: str, models_dir: Path, batch_size: int) -> tuple[Embedder, float]:
    """The embedder, its export made (not timed below) and the seconds that took."""
    started = time.perf_counter()
    if backend == "torch":
        embedder: Embedder = SentenceTransformerEmbedder(
            "packaged:all-MiniLM-L6-v2", batch_size=batch_size
        )
    else:
        onnx = OnnxEmbedder(
            "packaged:all-MiniLM-L6-v2",
            backend=backend,  # type: ignore[arg-type]
            batch_size=batch_size,
            models_dir=models_dir,
        )
        onnx.export()
        embedder = onnx
    embedder.warm_up()
    return embedder, time.perf_counter() - started


def startup(backend: str, models_dir: Path, data_dir: Path, runs: int) -> tuple[float, float]:
    """Median seconds to import, load and answer a first query in a fresh process, and its peak
    RSS in MB."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "EMBEDDING_BACKEND": backend,
        "MODELS_DIR": str(models_dir),
        "DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
    }
    seconds, peaks = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, _CHILD],
            capture_output=True, text=True, env=env, cwd=data_dir, check=True,
        )  # fmt: skip
        took, peak_kb = out.stdout.split()
        seconds.append(float(took))
        peaks.append(int(peak_kb) / 1024)
    return statistics.median(seconds), statistics.median(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=600, help="passages to embed")
    parser.add_argument("--questions", type=int, default=100, help="questions to time")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes over the passages")
    parser.add_argument("--startup-runs", type=int, default=3, help="fresh processes per backend")
    parser.add_argument("--corpus", type=Path, default=SHARED / "articles.jsonl")
    parser.add_argument("--questions-file", type=Path, default=SHARED / "questions.jsonl")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--output", type=Path, help="also append the result to this file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="embedding-backends-"))
    models_dir = work / "models"
    embedders = {}
    load_seconds = {}
    for backend in BACKENDS:
        embedders[backend], load_seconds[backend] = load(backend, models_dir, args.batch_size)
    passages, corpus_note = real_passages(args.passages, args.corpus, embedders["torch"])
    questions = real_questions(args.questions, args.questions_file)
    print(
        f"{len(passages)} passages from {corpus_note}; {len(questions)} questions", file=sys.stderr
    )

    rows = {}
    reference_docs = reference_queries = None
    for backend in BACKENDS:
        embedder = embedders[backend]
        rates, vectors = [], None
        for _ in range(args.repeats):
            started = time.perf_counter()
            vectors = embedder.encode_documents(passages)
            rates.append(len(passages) / (time.perf_counter() - started))
        latencies, queries = [], []
        for question in questions:
            started = time.perf_counter()
            queries.append(embedder.encode_query(question)[0])
            latencies.append((time.perf_counter() - started) * 1000)
        assert vectors is not None
        if backend == "torch":
            reference_docs, reference_queries = vectors, np.stack(queries)
        assert reference_docs is not None and reference_queries is not None
        doc_cos = (vectors * reference_docs).sum(axis=1)
        query_cos = (np.stack(queries) * reference_queries).sum(axis=1)
        rows[backend] = {
            "rate": statistics.median(rates),
            "p50": statistics.median(latencies),
            "p95": float(np.percentile(latencies, 95)),
            "doc_cos": (float(doc_cos.mean()), float(doc_cos.min())),
            "query_cos": (float(query_cos.mean()), float(query_cos.min())),
        }
        print(f"{backend}: {rows[backend]}", file=sys.stderr)

    starts = {b: startup(b, models_dir, work, args.startup_runs) for b in ("torch", "onnx-int8")}
    torch_row = rows["torch"]
    lines = [
        "| backend | passages/s | × torch | query p50 ms | query p95 ms | × torch (p50) "
        "| cosine to torch, passages (mean / min) | queries (mean / min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for backend, row in rows.items():
        lines.append(
            f"| {backend} | {row['rate']:.1f} | {row['rate'] / torch_row['rate']:.2f} "
            f"| {row['p50']:.2f} | {row['p95']:.2f} | {torch_row['p50'] / row['p50']:.2f} "
            f"| {row['doc_cos'][0]:.5f} / {row['doc_cos'][1]:.5f} "
            f"| {row['query_cos'][0]:.5f} / {row['query_cos'][1]:.5f} |"
        )
    lines += [
        "",
        "| fresh query process | import + load + first query, s (median) | peak RSS, MB |",
        "| --- | ---: | ---: |",
    ]
    for backend, (seconds, peak) in starts.items():
        lines.append(f"| {backend} | {seconds:.2f} | {peak:.0f} |")
    exports = ", ".join(f"{b} {load_seconds[b]:.1f} s" for b in BACKENDS if b != "torch")
    header = [
        "### Embedding backends: all-MiniLM-L6-v2 on CPU",
        "",
        f"- command: `{shlex.join(['python', f'benchmarks/{Path(__file__).name}', *sys.argv[1:]])}`",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}, commit {commit()}",
        f"- {len(passages)} passages from {corpus_note} (batches of {args.batch_size}, median "
        f"of {args.repeats} passes); {len(questions)} questions, one at a time",
        f"- machine: {os.cpu_count()} cores **shared with other work**: absolute figures vary "
        "from run to run; the ratios, measured in the same run, are the better guide",
        f"- first load in this process, including the ONNX export (made once, then kept in "
        f"MODELS_DIR): {exports}; torch {load_seconds['torch']:.1f} s",
    ]
    result = "\n".join(header) + "\n\n" + "\n".join(lines) + "\n"
    print(result)
    if args.output:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
