"""Cold build through the product's CLI against a plain sentence-transformers encode, in one run.

Every build is a process of its own, timed from start to exit (imports and model load included):

- baseline: `SentenceTransformer(<packaged model>).encode(...)` in torch fp32 (batch 32) of the very
  texts the product embeds (title + passage, read back from the product's first build), then
  `faiss.IndexFlatIP` and `write_index`. It does not split articles: the product does, so the
  comparison favours the baseline.
- the product: `python -m index rebuild ARTICLES.jsonl` on an empty data folder (empty embedding
  cache), once per backend; then the same command again, unchanged, as a share of the cold one.

    .venv/bin/python -m benchmarks.cold_build                       # 300 RealTimeQA articles
    .venv/bin/python -m benchmarks.cold_build --articles 60 --backends torch
    .venv/bin/python -m benchmarks.cold_build --output benchmarks/results/cold_build.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpora import REALTIMEQA_ARTICLES, realtimeqa_subset, write_jsonl
from benchmarks.provenance import commit

ROOT = Path(__file__).resolve().parent.parent

BACKENDS = ("torch", "onnx-int8")


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    passages: int


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def product_env(data_dir: Path, backend: str, models_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "DATA_DIR": str(data_dir),
        "MODELS_DIR": str(models_dir),
        "EMBEDDING_BACKEND": backend,
    }


def model_inputs(data_dir: Path) -> list[str]:
    """The texts the product embedded in its build under `data_dir`, in passage order."""
    from index import IndexSettings
    from index.embedding.model_input import document_text
    from index.store.metadata import MetadataReader
    from index.store.publish import IndexLayout

    settings = IndexSettings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    version = IndexLayout(settings.resolved_index_dir).current_version()
    assert version is not None, f"no index was built under {data_dir}"
    reader = MetadataReader(version)
    try:
        return [
            document_text(indexed.article.title, text)
            for indexed in reader.indexed_articles()
            for text in indexed.passage_texts()
        ]
    finally:
        reader.close()


def baseline(texts_file: Path, out: Path) -> None:
    """The plain way: load the model, encode every text, put the vectors in a flat index."""
    import faiss
    from sentence_transformers import SentenceTransformer

    from index.embedding.model import PACKAGED_MODEL, resolve_model_path

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    model = SentenceTransformer(resolve_model_path(PACKAGED_MODEL), device="cpu")
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    faiss.write_index(flat, str(out))


def table(runs: list[Run], base: Run) -> str:
    lines = [
        "| build | passages | seconds | passages/s | vs plain torch |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        speed = f"{base.seconds / run.seconds:.2f}×" if run is not base else "1.00×"
        lines.append(
            f"| {run.label} | {run.passages:,} | {run.seconds:.1f} | "
            f"{run.passages / run.seconds:.1f} | {speed} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="RealTimeQA articles")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated")
    parser.add_argument("--models-dir", type=Path, help="ONNX exports (default: a temp folder)")
    parser.add_argument("--output", type=Path, help="append the result as markdown")
    parser.add_argument("--baseline-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        baseline(*args.baseline_only)
        return 0
    if not REALTIMEQA_ARTICLES.exists():
        print(
            f"skipped: {REALTIMEQA_ARTICLES} is not there (the shared evaluation data is optional)"
        )
        return 0
    backends = [b for b in args.backends.split(",") if b]
    work = Path(tempfile.mkdtemp(prefix="cold-build-"))
    models_dir = args.models_dir or work / "models"
    corpus = write_jsonl(realtimeqa_subset(args.articles), work / "articles.jsonl")
    python = sys.executable
    cli = [python, "-m", "index", "-q", "rebuild", str(corpus)]

    for backend in backends:  # a one-off export, kept under the data folder, is not a build
        if backend != "torch":
            export = [python, "-m", "index", "-q", "export-model", "--backend", backend]
            subprocess.run(export, env=product_env(work / "x", backend, models_dir), check=True)

    runs: list[Run] = []
    unchanged: dict[str, float] = {}
    passages = 0
    for backend in backends:
        data_dir = work / backend
        env = product_env(data_dir, backend, models_dir)
        cold = timed(cli, env)
        if not passages:
            texts = model_inputs(data_dir)
            passages = len(texts)
            texts_file = work / "texts.json"
            texts_file.write_text(json.dumps(texts), encoding="utf-8")
            plain = [python, __file__, "--baseline-only", str(texts_file), str(work / "flat.faiss")]
            base = Run(
                "plain sentence-transformers torch + IndexFlatIP", timed(plain, env), passages
            )
            runs.append(base)
        runs.append(Run(f"`python -m index rebuild`, {backend}", cold, passages))
        unchanged[backend] = timed(cli, env)

    lines = [table(runs, base), ""]
    cold_by_backend = {b: r.seconds for b, r in zip(backends, runs[1:], strict=True)}
    for backend, seconds in unchanged.items():
        share = seconds / cold_by_backend[backend]
        lines.append(
            f"- unchanged rebuild, {backend}: {seconds:.1f} s, {share:.1%} of its cold build"
        )
    report = "\n".join(lines)
    print(report)
    if args.output:
        command = " ".join(["python", "benchmarks/cold_build.py", *sys.argv[1:]])
        heading = (
            f"## Cold build, {args.articles} RealTimeQA articles ({dt.date.today()}, {commit()})"
        )
        with args.output.open("a", encoding="utf-8") as out:
            out.write(f"\n{heading}\n\n`{command}`, {os.cpu_count()} cores.\n\n{report}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
