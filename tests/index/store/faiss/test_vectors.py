"""Which FAISS type a version gets: exact up to FAISS_EXACT_LIMIT passages, HNSW above it, with
its recall against exact search recorded; real builds, real FAISS files."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import faiss
import numpy as np
import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.cli import format_index_type
from index.settings import HNSW_EF_SEARCH
from index.store import hnsw_depth
from index.store.faiss.recall import build_recall
from index.store.faiss.vectors import (
    APPROXIMATE_FACTORY,
    build_faiss,
    load_faiss,
    resolve_factory,
    save_faiss,
    search_faiss_many,
    search_faiss_within,
)
from index.store.hnsw_depth import SMALL_GRAPH_EF_SEARCH
from index.store.manifest import MANIFEST_NAME, Manifest
from index.store.publish import IndexLayout
from tests.conftest import SEEDS, write_article

STORIES = {
    "volcano": ("Iceland volcano erupts again", "Lava flowed towards the evacuated town of "
                "Grindavik after the fourth eruption on the Reykjanes peninsula since December."),
    "budget": ("Poland's budget is signed", "President Andrzej Duda signed the 2024 budget after "
               "weeks of dispute with the new government over public media."),
    "rates": ("Central bank holds rates", "The central bank kept its main interest rate at 4.5% "
              "and said inflation was falling faster than expected."),
    "storm": ("Storm cuts power to thousands", "High winds brought down power lines across the "
              "north, leaving 40,000 homes without electricity overnight."),
    "match": ("Late goal wins the cup final", "A header in the 89th minute gave the visitors a "
              "2-1 win and their first cup in thirty years."),
    "rail": ("Rail strike called off", "Unions called off next week's rail strike after the "
             "operator offered a 6% pay rise over two years."),
    "wheat": ("Wheat prices climb", "Wheat futures rose for a third day as dry weather "
              "threatened harvests in the plains."),
    "probe": ("Probe reaches the Moon", "A lander touched down near the lunar south pole, the "
              "first to reach the region intact."),
}  # fmt: skip
QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "What did Duda sign?",
    "Where did the lava flow?",
    "How many homes lost power?",
    "Did the central bank change interest rates?",
    "Who won the cup?",
]

pytestmark = pytest.mark.slow


def corpus(tmp_path: Path) -> list[Path]:
    """The seed article and a few short stories: 11 passages."""
    folder = tmp_path / "stories"
    for name, (title, body) in STORIES.items():
        write_article(folder, f"{name}.md", title, body)
    return [SEEDS, folder]


def live_manifest(settings: IndexSettings) -> Manifest:
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    return Manifest.load(folder)


def top_hits(settings: IndexSettings, embedder: Embedder) -> list[list[tuple[str, int, float]]]:
    """Article, offset and score of the first five hits of every question."""
    index = NewsIndex(settings, embedder)
    return [
        [
            (h.article_id, h.start, round(h.score, 4))
            for h in index.search(q, k=5, min_score=-1, min_confidence=0.0)
        ]
        for q in QUESTIONS
    ]


def test_above_the_exact_limit_a_build_is_hnsw_with_its_recall_and_the_same_answers(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    paths = corpus(tmp_path)
    small = settings.model_copy(update={"faiss_exact_limit": 4})
    report = IndexWriter(small, embedder).rebuild(paths)
    assert report.passages > 4 and report.version is not None
    manifest = live_manifest(small)
    assert manifest.index_factory == APPROXIMATE_FACTORY == "HNSW32,Flat"
    assert manifest.recall_at_10 is not None and 0.0 <= manifest.recall_at_10 <= 1.0
    assert manifest.ef_search == SMALL_GRAPH_EF_SEARCH  # auto, for a graph this small
    assert isinstance(faiss.downcast_index(load_faiss(report.version)), faiss.IndexHNSWFlat)
    stats = NewsIndex(small, embedder).stats()
    assert not stats.exact and stats.recall_at_10 == manifest.recall_at_10
    assert format_index_type(stats).startswith("HNSW32,Flat (approximate: recall@10 ")

    exact = settings.model_copy(
        update={"index_dir": tmp_path / "exact", "faiss_index_factory": "Flat"}
    )
    IndexWriter(exact, embedder).rebuild(paths)
    assert (
        live_manifest(exact).index_factory == "Flat" and live_manifest(exact).recall_at_10 is None
    )
    for mode in ("dense", "hybrid"):
        found = top_hits(small.model_copy(update={"search_mode": mode}), embedder)
        assert found == top_hits(exact.model_copy(update={"search_mode": mode}), embedder), mode


def test_an_explicit_factory_is_used_at_every_size(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    flat = settings.model_copy(update={"faiss_index_factory": "Flat", "faiss_exact_limit": 0})
    IndexWriter(flat, embedder).rebuild([SEEDS])
    assert live_manifest(flat).index_factory == "Flat"
    assert NewsIndex(flat, embedder).stats().exact

    hnsw = settings.model_copy(
        update={"index_dir": tmp_path / "hnsw", "faiss_index_factory": "HNSW16,Flat"}
    )
    IndexWriter(hnsw, embedder).rebuild([SEEDS])
    manifest = live_manifest(hnsw)
    assert manifest.index_factory == "HNSW16,Flat" and manifest.recall_at_10 is not None
    assert NewsIndex(hnsw, embedder).search(QUESTIONS[0])[0].title.startswith("Macron says")


def test_growing_past_the_limit_changes_type_at_the_next_write(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings.model_copy(update={"faiss_exact_limit": 3}), embedder)
    seeded = writer.rebuild([SEEDS])
    assert seeded.passages == 3 and live_manifest(settings).index_factory == "Flat"
    index = NewsIndex(settings, embedder)
    assert index.stats().exact

    story = write_article(tmp_path / "inbox", "volcano.md", *STORIES["volcano"])
    writer.add([story])
    assert live_manifest(settings).index_factory == APPROXIMATE_FACTORY
    stats = index.stats()  # the running reader follows, to the new type
    assert not stats.exact and stats.passages == 4
    assert index.search(QUESTIONS[2])[0].title == "Iceland volcano erupts again"

    (volcano,) = {a.id for a in index.list_articles()} - {"000_73da1f60caab5eee"}
    writer.remove([volcano])
    assert live_manifest(settings).index_factory == "Flat" and index.stats().exact


def test_a_manifest_written_before_the_recall_was_measured_loads(
    settings: IndexSettings, embedder: Embedder
) -> None:
    hnsw = settings.model_copy(update={"faiss_exact_limit": 0, "faiss_hnsw_ef_search": 200})
    report = IndexWriter(hnsw, embedder).rebuild([SEEDS])
    assert report.version is not None and Manifest.load(report.version).ef_search == 200
    path = report.version / MANIFEST_NAME
    fields = json.loads(path.read_text("utf-8"))
    del fields["recall_at_10"], fields["ef_search"]
    path.write_text(json.dumps(fields), "utf-8")  # the manifest is not among its own checksums

    assert Manifest.load(report.version).recall_at_10 is None
    index = NewsIndex(hnsw.model_copy(update={"faiss_hnsw_ef_search": 300}), embedder)
    stats = index.stats()
    assert not stats.exact and stats.recall_at_10 is None and stats.ef_search is None
    assert faiss.downcast_index(index.snapshot().vectors).hnsw.efSearch == 300
    assert "recall not measured" in format_index_type(stats)
    assert index.search(QUESTIONS[0])[0].title.startswith("Macron says")


def test_auto_resolves_by_size_and_leaves_other_factories_alone() -> None:
    assert resolve_factory("auto", 100, 100) == "Flat"
    assert resolve_factory("auto", 101, 100) == APPROXIMATE_FACTORY
    assert resolve_factory("auto", 0, 0) == "Flat"
    assert resolve_factory("IVF64,Flat", 10, 100) == "IVF64,Flat"
    assert resolve_factory("Flat", 10**9, 0) == "Flat"


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 40, count)] + 0.5 * rng.standard_normal((count, 64))
    vectors = vectors.astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_recall_is_one_for_exact_search_and_counts_tied_copies() -> None:
    vectors = unit_vectors(3000)
    assert build_recall(build_faiss(vectors, "Flat"), vectors) == 1.0
    # Reprinted passages: every vector twice. Whichever copy a search returns counts.
    doubled = np.concatenate([vectors, vectors])
    assert build_recall(build_faiss(doubled, "Flat"), doubled) == 1.0


def test_recall_falls_for_a_coarse_approximation() -> None:
    vectors = unit_vectors(3000)
    coarse = build_faiss(vectors, "IVF64,Flat")  # nprobe 1: one cell of 64 is searched
    recall = build_recall(coarse, vectors)
    assert 0.0 < recall < 0.9
    faiss.extract_index_ivf(coarse).nprobe = 64  # every cell: exact again
    assert build_recall(coarse, vectors) == 1.0


def test_ef_search_is_set_on_load_and_a_search_keeps_the_thread_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors = unit_vectors(500)
    index = build_faiss(vectors, APPROXIMATE_FACTORY)
    faiss.downcast_index(index).hnsw.efSearch = 16
    save_faiss(index, tmp_path)
    assert faiss.downcast_index(load_faiss(tmp_path)).hnsw.efSearch == SMALL_GRAPH_EF_SEARCH
    loaded = load_faiss(tmp_path, ef_search=300)
    assert faiss.downcast_index(loaded).hnsw.efSearch == 300
    # auto goes by the size of the index loaded: 500 vectors count as a large graph here
    monkeypatch.setattr(hnsw_depth, "SMALL_GRAPH_PASSAGES", 499)
    assert faiss.downcast_index(load_faiss(tmp_path)).hnsw.efSearch == HNSW_EF_SEARCH

    seen: list[int] = []

    def search() -> None:
        before = faiss.omp_get_max_threads()
        assert search_faiss_many(loaded, vectors[7:8], 5)[0][0][0] == 7
        seen.extend([before, faiss.omp_get_max_threads()])

    thread = threading.Thread(target=search)  # OpenMP keeps a thread count per thread
    thread.start()
    thread.join()
    assert seen[0] == seen[1], "a question leaves the thread's OpenMP setting as it found it"


@pytest.mark.parametrize("factory", ["Flat", APPROXIMATE_FACTORY])
@pytest.mark.parametrize("share", [0.0005, 0.01, 0.3, 1.0])
def test_a_search_within_rows_finds_their_nearest(factory: str, share: float) -> None:
    """Among 20,000 vectors, the rows a filter lets through (from one row to all of them):
    the nearest of them, as exact search over them finds them (HNSW: nearly all)."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((20_000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = build_faiss(vectors, factory)
    allowed = rng.random(len(vectors)) < share
    allowed[123] = True
    queries = vectors[rng.choice(len(vectors), 20)] + 0.1
    found = search_faiss_within(index, queries, 10, allowed)
    rows = np.flatnonzero(allowed)
    overlap = []
    for query, result in zip(queries, found, strict=True):
        scores = vectors[rows] @ query
        expected = rows[np.argsort(-scores)[:10]]
        assert len(result) == min(10, len(rows))
        assert all(allowed[row] for row, _ in result)
        overlap.append(len({r for r, _ in result} & set(expected.tolist())) / len(expected))
    assert min(overlap) == 1.0 if factory == "Flat" else np.mean(overlap) >= 0.9
