"""VECTOR_STORE=milvus on real Milvus Lite: the same answers as FAISS, versions behind an alias,
reuse of stored vectors, refusal of mismatched or incomplete versions."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import (
    Embedder,
    IndexCorruptError,
    IndexMismatchError,
    IndexSettings,
    IndexWriter,
    NewsIndex,
    index_exists,
)
from index.embedding.model_input import document_text
from index.store.milvus.collections import MANIFEST_PROPERTY, MilvusStore, connect, disconnect
from index.store.publish import IndexLayout
from tests.conftest import PROJECT_ROOT, SEEDS, write_article
from tests.index.test_cli import run_cli
from tests.stores import both_stores

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "Did Macron rule out sending troops?",
    "Where did lava flow in Iceland?",
    "What did Duda sign?",
    "Grindavik evacuation",
    "Nato eastern flank talks in Warsaw",
]
VOLCANO = (
    "A volcano on the Reykjanes peninsula in Iceland erupted again on Saturday night. "
    "Lava flowed towards the evacuated town of Grindavik, and the Blue Lagoon spa was closed. "
    "Scientists said the eruption was the fourth since December."
)


def _corpus(folder: Path) -> list[Path]:
    write_article(folder, "volcano.md", "Iceland volcano erupts", VOLCANO)
    write_article(
        folder, "budget.md", "Poland's budget is signed",
        "Polish President Andrzej Duda signed the 2024 budget on Wednesday after weeks of "
        "dispute with the new government over public media. The budget raises defence spending.",
    )  # fmt: skip
    write_article(
        folder, "summit.md", "Leaders meet in Warsaw",
        "European leaders met in Warsaw to discuss support for Ukraine and the defence of "
        "Nato's eastern flank; Poland's prime minister hosted the talks.",
    )  # fmt: skip
    return [SEEDS, folder]


def _on(settings: IndexSettings, store: str) -> IndexSettings:
    return settings.model_copy(update={"vector_store": store})


def test_both_stores_give_the_same_citations(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """Same passages, rows, cosines, ranking and bold sentences from FAISS and from Milvus."""
    paths = _corpus(tmp_path / "articles")
    results = {}
    for store in ("faiss", "milvus"):
        on = _on(settings, store)
        report = IndexWriter(on, embedder).rebuild(paths)
        assert report.articles == 4
        index = NewsIndex(on, embedder)
        results[store] = [
            [
                (h.row, h.article_id, h.start, h.end, h.bold_sentence, round(h.score, 4))
                for h in index.search(q, k=4, min_score=-1.0, min_confidence=0.0)
            ]
            for q in QUESTIONS
        ]
        listing = [(a.id, a.passages) for a in index.list_articles()]
        results[store + " listing"] = listing  # type: ignore[assignment]
    assert results["faiss"] == results["milvus"]
    assert all(results["faiss"]), "every question finds passages"
    assert results["faiss listing"] == results["milvus listing"]
    assert len(results["faiss listing"]) == 4


def test_bm25_in_milvus_scores_as_bm25s_does(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """The words are the product's own (stemmed, no stopwords) and k1, b are the same, so the
    lexical candidates match, scores within rounding."""
    paths = _corpus(tmp_path / "articles")
    faiss_settings, milvus_settings = _on(settings, "faiss"), _on(settings, "milvus")
    IndexWriter(faiss_settings, embedder).rebuild(paths)
    IndexWriter(milvus_settings, embedder).rebuild(paths)
    faiss_version = NewsIndex(faiss_settings, embedder).snapshot()
    milvus_version = NewsIndex(milvus_settings, embedder).snapshot()
    for query in ("signed agreements", "Duda budget", "lava flowing", "the"):
        by_faiss = faiss_version.lexical_search(query, 10)
        by_milvus = milvus_version.lexical_search(query, 10)
        assert [r for r, _ in by_faiss] == [r for r, _ in by_milvus], query
        assert [s for _, s in by_faiss] == pytest.approx([s for _, s in by_milvus], rel=1e-4)
    assert faiss_version.lexical_search("lava flowing", 10), "stemmed: flowed, lava"


@both_stores
def test_add_reuses_the_stored_vectors_of_unchanged_articles(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """FAISS takes them from the embedding cache; Milvus from the live version itself, so a
    writer with an empty cache (another machine) embeds only the new article."""
    writer = IndexWriter(settings, embedder)
    built = writer.rebuild([SEEDS])
    before = NewsIndex(settings, embedder).snapshot()
    seed_vectors = before.passage_vectors(range(built.passages))
    if settings.vector_store == "milvus":
        os.remove(settings.resolved_cache_path)
    added = writer.add([write_article(tmp_path / "in", "volcano.md", "Iceland volcano", VOLCANO)])
    assert added.articles == 2 and added.passages == built.passages + 1
    assert added.embedded == 1, "only the new article's passage"
    after = NewsIndex(settings, embedder).snapshot()
    rows = [row for row, article in after.passage_rows(["000_73da1f60caab5eee"])]
    assert np.array_equal(after.passage_vectors(rows), seed_vectors)
    hits = NewsIndex(settings, embedder).search(QUESTIONS[0])
    assert hits[0].bold_sentence != (0, 0) and "10-year" in hits[0].text


@pytest.mark.parametrize("field", ["dimension", "model"])
def test_a_milvus_version_of_another_model_or_dimension_is_refused(
    embedder: Embedder, isolated_environment: Path, field: str
) -> None:
    """What a model of another name, or a 768-dimension model of the same name, would have
    published: a complete, consistent version, but not ours."""
    settings = IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store="milvus")  # type: ignore[call-arg]
    report = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert report.collection is not None
    store = MilvusStore(settings)
    version = NewsIndex(settings, embedder).snapshot()
    items = version.indexed_articles()
    manifest = version.manifest
    dimension = 768 if field == "dimension" else manifest.dimension
    other = dataclasses.replace(
        manifest,
        build_id="20990101T000000000000Z-other0",
        dimension=dimension,
        model=manifest.model if field == "dimension" else "other/model",
    )
    rng = np.random.default_rng(0)
    items = [  # the other model's article vectors too
        dataclasses.replace(i, story=dataclasses.replace(i.story, vector=rng.random(dimension)))
        for i in items
        if i.story is not None
    ]
    texts = [document_text(i.article.title, t) for i in items for t in i.passage_texts()]
    store.write_version(
        other.build_id, items, texts,
        rng.random((manifest.passages, dimension), dtype=np.float32),
        rng.random((manifest.sentences, dimension), dtype=np.float32), other,
    )  # fmt: skip
    expected = "768 dimensions" if field == "dimension" else "other/model"
    with pytest.raises(IndexMismatchError, match=rf"{expected}.*rebuild"):
        NewsIndex(settings, embedder).search(QUESTIONS[0])
    with pytest.raises(IndexMismatchError):
        IndexWriter(settings, embedder).add([SEEDS])
    assert IndexWriter(settings, embedder).rebuild([SEEDS]).articles == 1, "a rebuild replaces it"
    assert NewsIndex(settings, embedder).search(QUESTIONS[0])


def test_counts_that_disagree_with_the_manifest_are_refused(
    embedder: Embedder, isolated_environment: Path
) -> None:
    settings = IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store="milvus")  # type: ignore[call-arg]
    report = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert report.collection is not None
    store = MilvusStore(settings)
    store.client.delete(report.collection, ids=[0])
    with pytest.raises(IndexCorruptError, match=r"inconsistent \(2 passages.*says 3.*rebuild"):
        NewsIndex(settings, embedder).search(QUESTIONS[0])


def test_a_half_written_collection_is_never_served_and_the_next_write_drops_it(
    embedder: Embedder, isolated_environment: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store="milvus")  # type: ignore[call-arg]
    first = IndexWriter(settings, embedder).rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    assert index.search(QUESTIONS[0])
    store = MilvusStore(settings)
    # What a write killed while inserting leaves: collections, some rows, no manifest, no alias.
    dead = "newsbot_20000101T000000000000Z_dead00"
    store._create(dead, 384, 0, "FLAT")
    store.client.insert(
        dead + "_sentences",
        [{"row": 0, "passage_row": 0, "article_row": 0, "vector": [0.0] * 384, "revision": 0}],
    )
    assert store.live_collection() == first.collection
    assert index.search(QUESTIONS[0]) and index.snapshot().name == first.collection
    second = IndexWriter(settings, embedder).rebuild(
        [SEEDS, write_article(tmp_path / "in", "volcano.md", "Iceland volcano", VOLCANO)]
    )  # a whole new version (an add would write in place)
    assert second.collection is not None and second.collection != first.collection
    names = store.client.list_collections()
    assert dead not in names and dead + "_sentences" not in names, "dropped by the next write"
    assert first.collection in names, "the previous version stays for readers still on it"
    # The new version damaged after its write: logged, and the one loaded keeps serving.
    store.client.alter_collection_properties(
        second.collection, properties={MANIFEST_PROPERTY: "{not json"}
    )
    with caplog.at_level(logging.ERROR):
        hits = index.search("Where did lava flow in Iceland?", min_score=-1, min_confidence=0.0)
    assert index.snapshot().name == first.collection and index.stats().articles == 1
    assert hits and all(h.article_id != "volcano" for h in hits)
    assert "the new one failed to load" in caplog.text and "cannot be read" in caplog.text


def test_old_versions_beyond_the_newest_two_are_dropped(
    embedder: Embedder, isolated_environment: Path, tmp_path: Path
) -> None:
    settings = IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store="milvus")  # type: ignore[call-arg]
    writer = IndexWriter(settings, embedder)
    made = [writer.rebuild([SEEDS]).collection]
    for i in range(3):  # rebuilds: an add would write in place
        write_article(tmp_path / "in", f"a{i}.md", f"Story {i}", f"Story {i}. {VOLCANO}")
        made.append(writer.rebuild([SEEDS, tmp_path / "in"]).collection)
    names = sorted(connect(settings).list_collections())
    kept = made[-2:]
    assert names == sorted(f"{n}{s}" for n in kept for s in ("", "_articles", "_sentences"))
    assert MilvusStore(settings).live_collection() == made[-1]


def test_index_exists_on_both_stores(settings: IndexSettings, embedder: Embedder) -> None:
    for store in ("faiss", "milvus"):
        on = _on(settings, store)
        assert not index_exists(on)
        IndexWriter(on, embedder).rebuild([SEEDS])
        assert index_exists(on)
    assert IndexLayout(settings.resolved_index_dir).current_version() is not None


def test_a_second_process_on_a_milvus_lite_folder_is_told_how_to_share_it(
    embedder: Embedder, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Milvus Lite serves one process per data folder (a lock file): the second one gets one
    line naming Lite's server mode, the way to share it."""
    settings = IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store="milvus")  # type: ignore[call-arg]
    IndexWriter(settings, embedder).rebuild([SEEDS])  # this process now serves the folder
    monkeypatch.setenv("VECTOR_STORE", "milvus")
    result = subprocess.run(
        [sys.executable, "-m", "index", "stats"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: the Milvus Lite data folder ") and "another process" in line
    assert "python -m milvus_lite server --data-dir" in line and "MILVUS_URI=" in line
    disconnect(settings)
    result = subprocess.run(
        [sys.executable, "-m", "index", "stats"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 0 and "milvus" in result.stdout, result.stderr


def _garble_vector_index(collection: Path, pattern: bytes) -> list[Path]:
    """Overwrite the middle of each vector index file of a Milvus Lite collection with
    `pattern`: the parquet data stays intact, but searches read the garbled floats."""
    files = sorted((collection / "partitions").glob("*/indexes/*.vector.flat.idx"))
    for path in files:
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 512] = (pattern * 512)[:512]
        path.write_bytes(bytes(data))
    return files


@pytest.mark.parametrize("pattern", [b"\x7f", b"\xff\xff\xff\x7f"], ids=["huge", "nan"])
def test_a_damaged_milvus_vector_index_is_refused_not_served(
    embedder: Embedder, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
    pattern: bytes,
) -> None:  # fmt: skip
    """Milvus Lite keeps no checksums of its index files: a garbled one loads, and a search
    returns scores no pair of unit vectors can have (1.7e+38, NaN). They are refused with the
    rebuild hint, by the command line in one line and by the library as IndexCorruptError."""
    monkeypatch.setenv("VECTOR_STORE", "milvus")
    run_cli("rebuild", "-q")
    settings = IndexSettings(_env_file=None, data_dir=isolated_environment, vector_store="milvus")  # type: ignore[call-arg]
    (collection,) = [
        p for p in (settings.resolved_index_dir / "milvus.db" / "collections").iterdir()
        if not p.name.endswith(("_articles", "_sentences"))
    ]  # fmt: skip
    assert _garble_vector_index(collection, pattern)

    damaged = run_cli("query", QUESTIONS[0], check_exit=1)
    (line,) = damaged.stderr.strip().splitlines()
    assert line.startswith("error: ") and "damaged" in line, line
    assert collection.name in line and "python -m index rebuild" in line
    assert not damaged.stdout
    with pytest.raises(IndexCorruptError, match=r"damaged.*python -m index rebuild"):
        NewsIndex(settings, embedder).search(QUESTIONS[0], min_score=-1.0, min_confidence=0.0)
