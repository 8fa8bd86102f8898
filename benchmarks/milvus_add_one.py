"""Adding one article to a Milvus Lite index: a whole new version against an in-place write.

    .venv/bin/python -m benchmarks.milvus_add_one --sizes seed
    flock /work/bench.lock .venv/bin/python -m benchmarks.milvus_add_one --sizes seed,rtqa --output benchmarks/results/milvus.md

The index is written once from passages and vectors already made (seed: `seeds/` indexed on
the spot; rtqa: the RealTimeQA evaluation index, ~54k passages, read from the folder
`python -m evaluation --dataset realtimeqa` builds, or `--rtqa-index DIR`), as a version
written before rows carried revisions. Then, in one run, through `IndexWriter.add` as the
command line calls it, with the new article's vectors already in the embedding cache (so
neither add spends time in the model):

1. **whole version**: adding one article to that version publishes a new version (the path
   every `add` took before in-place writes, still taken for such a version): every row is
   inserted again, unchanged vectors copied from the live version;
2. **in place**: the article is removed from the new version, then added again; both in place
   (rows inserted for the article only; its retired rows deleted by the next write).

Printed: seconds of each write (the whole `add` or `remove` call: reading what it needs of the
live version, which is all of it for a whole version and the articles it names for an in-place
write (`index.store.milvus.named`), reconciling, writing), the ratio, and what a reader's per-call
check costs (the alias and its manifest in one description, against the alias alone), and
what a reader pays for the new revision: loading it (checking its row counts), against counting
its shown rows with its filter as loading did before, in the same run; and a replica's first
question after the write, answered by the previous revision while the new one loads in the
background. The RealTimeQA index folder is only read.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.corpora import REALTIMEQA_ARTICLES
from benchmarks.provenance import commit
from evaluation.datasets import eval_settings
from index import Embedder, IndexSettings, IndexWriter, NewsIndex, load_embedder
from index.embedding.model_input import document_text
from index.store.factory import MilvusSource
from index.store.faiss.version import Snapshot
from index.store.milvus.collections import (
    ARTICLES_SUFFIX,
    SENTENCES_SUFFIX,
    MilvusStore,
    collection_of,
    disconnect,
)
from index.store.milvus.revisions import visible
from index.store.publish import IndexLayout
from tests.conftest import write_article

ROOT = Path(__file__).resolve().parent.parent

NEW_TITLE = "Iceland volcano erupts again"
NEW_TEXT = (
    "A volcano on the Reykjanes peninsula in Iceland erupted again on Saturday night. "
    "Lava flowed towards the evacuated town of Grindavik, and the Blue Lagoon spa was closed. "
    "Scientists said the eruption was the fourth since December, and that magma was still "
    "collecting under the ground. The town's 4,000 residents were evacuated in November."
)
QUESTION = "Where did the lava flow in Iceland?"


def source_version(name: str, embedder: Embedder, folder: Path, rtqa: Path | None) -> Path | None:
    """A FAISS version folder holding the corpus (built here for the seed)."""
    if name == "seed":
        settings = IndexSettings(_env_file=None, data_dir=folder / "seed-faiss")  # type: ignore[call-arg]
        IndexWriter(settings, embedder).rebuild([settings.seeds_dir])
        return IndexLayout(settings.resolved_index_dir).current_version()
    base = IndexSettings(_env_file=None)  # type: ignore[call-arg]
    index_dir = rtqa or eval_settings(base, REALTIMEQA_ARTICLES).resolved_index_dir
    return IndexLayout(index_dir).current_version()


def run(name: str, embedder: Embedder, folder: Path, rtqa: Path | None) -> list[str]:
    live = source_version(name, embedder, folder, rtqa)
    if live is None:
        return ["", f"### {name}: no index to read; skipped"]
    version = Snapshot(live, embedder.model_name, embedder.backend)
    items = version.indexed_articles()
    manifest = version.manifest
    vectors = version.passage_vectors(range(manifest.passages))
    sentences = version.sentence_vectors(range(manifest.sentences))
    texts = [document_text(i.article.title, t) for i in items for t in i.passage_texts()]
    version.close()
    settings = IndexSettings(  # type: ignore[call-arg]
        _env_file=None, data_dir=folder / name, vector_store="milvus"
    )
    new = write_article(folder / f"{name}-new", "volcano.md", NEW_TITLE, NEW_TEXT)
    warm = settings.model_copy(update={"milvus_collection_prefix": "warm"})
    IndexWriter(warm, embedder).add([new])  # its vectors into the cache
    store = MilvusStore(settings)
    started = time.perf_counter()
    old_format = dataclasses.replace(manifest, index_factory="FLAT", files={}, store="milvus")
    store.write_version(
        IndexLayout.new_build_id(), items, texts, vectors, sentences, old_format
    )  # a version without revisions: its next add publishes a whole version
    base_seconds = time.perf_counter() - started

    writer = IndexWriter(settings, embedder)
    whole = writer.add([new])
    assert whole.embedded == 0 and whole.added, whole
    reader = NewsIndex(settings, embedder)
    reader.search(QUESTION)  # a replica serving the version the in-place writes start from
    removed = writer.remove(whole.added)
    in_place = writer.add([new])
    assert in_place.collection == whole.collection and in_place.embedded == 0, in_place
    first_question = _timed(lambda: reader.search(QUESTION))
    loaded = _timed(reader.latest)
    assert reader.snapshot().counts() == (in_place.articles, in_place.passages)
    after = statistics.median(_timed(lambda: reader.search(QUESTION)) for _ in range(5))
    source = MilvusSource(settings)
    published = source.current()
    assert published is not None
    load = _timed(lambda: source.load(published))
    counted_shown = _shown_counts(store, collection_of(published))
    checks = [_timed(store.live_name) for _ in range(200)]
    aliases = [_timed(store.live_collection) for _ in range(200)]
    disconnect(settings)
    ratio = whole.seconds / in_place.seconds
    return [
        "",
        f"### {name}: {manifest.articles:,} articles, {manifest.passages:,} passages; one "
        f"article of {whole.passages - manifest.passages} passages added",
        "",
        "| write | seconds |",
        "|---|---:|",
        f"| the index written (untimed part of the comparison) | {base_seconds:.2f} |",
        f"| add one article, whole new version | {whole.seconds:.2f} |",
        f"| remove it, in place | {removed.seconds:.2f} |",
        f"| add it again, in place | {in_place.seconds:.2f} |",
        "",
        f"In place the add took {in_place.seconds:.2f} s against {whole.seconds:.2f} s for a "
        f"whole version: {ratio:.1f}x faster. A reader's check per call: alias and manifest "
        f"p50 {statistics.median(checks):.2f} ms, the alias alone "
        f"{statistics.median(aliases):.2f} ms.",
        "",
        "| a reader after the in-place add | ms |",
        "|---|---:|",
        f"| loading the new revision (collections already loaded; stored rows counted, against the manifest) "
        f"| {load:.0f} |",
        f"| baseline: counting the shown rows with the revision's filter | {counted_shown:.0f} |",
        f"| the first question after the write (INDEX_RELOAD_WAIT_SECONDS="
        f"{settings.index_reload_wait_seconds:g}) | {first_question:.0f} |",
        f"| until the new revision serves | {first_question + loaded:.0f} |",
        f"| a question once it serves (p50 of 5) | {after:.0f} |",
    ]


def _shown_counts(store: MilvusStore, collection: str) -> float:
    """Milliseconds to count the rows a revision shows the way loading did before: `count(*)`
    filtered with `visible`, on each of the version's three collections."""
    manifest = store.manifest(collection)
    started = time.perf_counter()
    for name, field in (
        (collection, "article_row"),
        (collection + SENTENCES_SUFFIX, "article_row"),
        (collection + ARTICLES_SUFFIX, "row"),
    ):
        store.client.query(name, filter=visible(manifest, field), output_fields=["count(*)"])
    return (time.perf_counter() - started) * 1000


def _timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,rtqa", help="seed, rtqa")
    parser.add_argument("--rtqa-index", type=Path, default=None, help="an index folder")
    parser.add_argument("--output", type=Path, default=None, help="append the tables here")
    args = parser.parse_args()
    embedder = load_embedder(IndexSettings(_env_file=None))  # type: ignore[call-arg]
    lines = [
        f"## Adding one article to Milvus Lite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"commit {commit()}",
        "",
        f"`{shlex.join(['benchmarks/milvus_add_one.py', *sys.argv[1:]])}`; {os.cpu_count()} "
        "cores shared with other work; Milvus Lite "
        f"{__import__('milvus_lite').__version__}, pymilvus {__import__('pymilvus').__version__}.",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as temporary:
        for size in args.sizes.split(","):
            found = run(size, embedder, Path(temporary), args.rtqa_index)
            print("\n".join(found), flush=True)
            lines += found
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
