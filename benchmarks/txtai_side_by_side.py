"""Side by side with txtai on the same passages: build time, search time, article hit@5.

Both build from nothing in a process of their own, timed from start to exit (imports, model
load and writing to disk included), with the packaged all-MiniLM-L6-v2 in torch fp32:

- ours: `python -m index rebuild ARTICLES.jsonl` on an empty data folder (empty embedding cache).
  It splits the articles into passages, which txtai is spared;
- txtai: `Embeddings(path=<packaged model>, method="sentence-transformers", hybrid=True,
  content=True)`, `index()` of the very texts our build embedded (title + passage, read back from
  its metadata.sqlite), then `save()`. `hybrid=True` is txtai's BM25 (k1 1.2, b 0.75, its own
  tokenizer, scores normalized) beside a flat inner-product FAISS index, fused 0.5/0.5.

Then each of RealTimeQA's 103 questions, after one untimed warm-up each: our `NewsIndex.search`
(top 5, one passage per article, the recency prior from the question's date, bold sentence) and
txtai's `search(question, 5)` in turn. Article hit@5: a top-5 passage comes from a gold article.

    ../venv-txtai/bin/python -m benchmarks.txtai_side_by_side             # 300 articles
    ../venv-txtai/bin/python -m benchmarks.txtai_side_by_side --articles 120
    ../venv-txtai/bin/python -m benchmarks.txtai_side_by_side --output benchmarks/results/txtai.md

txtai lives in a venv of its own, with this package:
`python3 -m venv ../venv-txtai && ../venv-txtai/bin/pip install torch==2.13.0 txtai -e .`
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.corpora import (
    REALTIMEQA_ARTICLES,
    realtimeqa_questions,
    realtimeqa_subset,
    write_jsonl,
)
from benchmarks.provenance import commit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Build:
    """A build process: wall and CPU seconds (its own and its workers'), its last output line."""

    seconds: float
    cpu_seconds: float
    report: str


@dataclass(frozen=True)
class Side:
    """One engine's figures."""

    name: str
    build: Build
    search_ms: list[float]
    hits: list[bool]

    @property
    def median_ms(self) -> float:
        return float(np.median(self.search_ms))

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(self.search_ms, 95))

    @property
    def hit_rate(self) -> float:
        return sum(self.hits) / len(self.hits)


def build_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "DATA_DIR": str(data_dir),
        "EMBEDDING_BACKEND": "torch",
    }


def timed(command: list[str], env: dict[str, str]) -> Build:
    """The CPU time says how much of the wall time other work on the machine took from it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    lines = done.stdout.strip().splitlines()
    return Build(seconds, cpu, lines[-1] if lines else "")


def our_passages(data_dir: Path) -> list[tuple[str, str]]:
    """(article id, the text the model embedded) of every passage of the build under `data_dir`."""
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
            (indexed.article.id, document_text(indexed.article.title, text))
            for indexed in reader.indexed_articles()
            for text in indexed.passage_texts()
        ]
    finally:
        reader.close()


def txtai_config() -> dict[str, object]:
    from index.embedding.model import PACKAGED_MODEL, resolve_model_path

    return {
        "path": resolve_model_path(PACKAGED_MODEL),
        "method": "sentence-transformers",
        "hybrid": True,
        "content": True,
    }


def txtai_build(texts_file: Path, out: Path) -> None:
    """The txtai build process: index the texts (row number = id) and save; prints index()'s s."""
    from txtai import Embeddings

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    embeddings = Embeddings(**txtai_config())
    started = time.perf_counter()
    embeddings.index((row, text, None) for row, text in enumerate(texts))
    seconds = time.perf_counter() - started
    embeddings.save(str(out))
    print(f"index() {seconds:.1f} s")


def build_both(work: Path, articles: list[dict]) -> tuple[list[tuple[str, str]], Build, Build]:
    """Our build of the articles, then txtai's of the passages it made: (passages, ours, txtai)."""
    corpus = write_jsonl(articles, work / "articles.jsonl")
    ours = timed([sys.executable, "-m", "index", "rebuild", str(corpus)], build_env(work / "ours"))
    passages = our_passages(work / "ours")
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps([text for _, text in passages]), encoding="utf-8")
    txtai = timed(
        [sys.executable, __file__, "--txtai-build-only", str(texts_file), str(work / "txtai")],
        build_env(work / "unused"),
    )
    return passages, ours, txtai


def search_both(
    work: Path, passages: list[tuple[str, str]], questions: Sequence[dict]
) -> dict[str, tuple[list[float], list[bool]]]:
    """Both indexes loaded from disk, each question through both in turn."""
    from txtai import Embeddings

    from index import IndexSettings, NewsIndex

    settings = IndexSettings(_env_file=None, data_dir=work / "ours")  # type: ignore[call-arg]
    ours = NewsIndex(settings)
    undated = NewsIndex(settings.model_copy(update={"search_recency_weight": 0.0}), ours.embedder)
    theirs = Embeddings()
    theirs.load(str(work / "txtai"))

    def ours_search(question: dict) -> list[str]:
        hits = ours.search(question["question"], k=5, min_score=-1.0, as_of=asked(question))
        return [hit.article_id for hit in hits]

    def undated_search(question: dict) -> list[str]:
        return [hit.article_id for hit in undated.search(question["question"], k=5, min_score=-1.0)]

    def txtai_search(question: dict) -> list[str]:
        return [passages[int(r["id"])][0] for r in theirs.search(question["question"], 5)]

    engines = {"ours": ours_search, "undated": undated_search, "txtai": txtai_search}
    return timed_searches(questions, engines)


def timed_searches(
    questions: Sequence[dict], engines: Mapping[str, Callable[[dict], list[str]]]
) -> dict[str, tuple[list[float], list[bool]]]:
    """Each question through every engine in turn (so both meet the same load): ms and hit@5."""
    for search in engines.values():
        search(questions[0])  # warm-up, untimed
    found: dict[str, tuple[list[float], list[bool]]] = {name: ([], []) for name in engines}
    for question in questions:
        gold = set(question["article_ids"])
        for name, search in engines.items():
            started = time.perf_counter()
            article_ids = search(question)
            found[name][0].append((time.perf_counter() - started) * 1000)
            found[name][1].append(bool(gold.intersection(article_ids[:5])))
    return found


def asked(question: dict) -> dt.date:
    return dt.date.fromisoformat(str(question["date"])[:10].replace("/", "-"))


def table(ours: Side, txtai: Side, undated: Side) -> str:
    """Ratios are txtai / ours (above 1: ours is faster); hit@5 is txtai's minus ours."""
    rows = [
        "| | build s (CPU s) | search median ms | search p95 ms | article hit@5 |",
        "|---|---:|---:|---:|---:|",
    ]
    for side in (ours, undated, txtai):
        built = (
            "" if side is undated else f"{side.build.seconds:.1f} ({side.build.cpu_seconds:.0f})"
        )
        rows.append(
            f"| {side.name} | {built} | {side.median_ms:.1f} | {side.p95_ms:.1f} | "
            f"{side.hit_rate:.3f} |"
        )
    build = txtai.build.seconds / ours.build.seconds
    cpu = txtai.build.cpu_seconds / ours.build.cpu_seconds
    rows.append(
        f"| txtai / ours | {build:.2f}× ({cpu:.2f}×) | {txtai.median_ms / ours.median_ms:.2f}× | "
        f"{txtai.p95_ms / ours.p95_ms:.2f}× | {txtai.hit_rate - ours.hit_rate:+.3f} |"
    )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="RealTimeQA articles")
    parser.add_argument("--output", type=Path, help="append the result as markdown")
    parser.add_argument("--txtai-build-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.txtai_build_only:
        txtai_build(*args.txtai_build_only)
        return 0
    if not REALTIMEQA_ARTICLES.exists():
        print(
            f"skipped: {REALTIMEQA_ARTICLES} is not there (the shared evaluation data is optional)"
        )
        return 0
    if importlib.util.find_spec("txtai") is None:
        print(
            "skipped: txtai is not installed here; make its venv with `python3 -m venv "
            "../venv-txtai && ../venv-txtai/bin/pip install torch==2.13.0 txtai -e .`"
        )
        return 0

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="txtai-side-by-side-"))
    passages, ours_built, txtai_built = build_both(work, realtimeqa_subset(args.articles))
    questions = realtimeqa_questions()
    found = search_both(work, passages, questions)
    ours = Side("ours (`python -m index rebuild`, `NewsIndex.search`)", ours_built, *found["ours"])
    txtai = Side("txtai (`Embeddings(hybrid=True, content=True)`)", txtai_built, *found["txtai"])
    undated = Side("ours without the recency prior (txtai has none)", ours_built, *found["undated"])
    articles = len({article_id for article_id, _ in passages})
    notes = [
        f"- {articles} RealTimeQA articles → {len(passages):,} passages, {len(questions)} "
        f"questions, {os.cpu_count()} cores; torch {torch_version()}, txtai {txtai_version()}.",
        f"- ours: `{ours_built.report}`; txtai: {txtai_built.report} of its "
        f"{txtai_built.seconds:.1f} s.",
        f"- load average (1 min) at the start and the end: {load_before:.1f}, "
        f"{os.getloadavg()[0]:.1f} (other work on the machine; CPU s is the build's own).",
    ]
    report = "\n".join([table(ours, txtai, undated), "", *notes])
    print(report)
    if args.output:
        command = shlex.join(["python", "benchmarks/txtai_side_by_side.py", *sys.argv[1:]])
        heading = f"## Side by side with txtai, {articles} RealTimeQA articles ({dt.date.today()}, {commit()})"
        with args.output.open("a", encoding="utf-8") as out:
            out.write(f"\n{heading}\n\n`{command}`\n\n{report}\n")
    return 0


def torch_version() -> str:
    import torch

    return str(torch.__version__)


def txtai_version() -> str:
    from txtai.version import __version__

    return str(__version__)


if __name__ == "__main__":
    sys.exit(main())
