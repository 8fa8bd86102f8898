"""`add` and `remove` on VECTOR_STORE=milvus write in the live collections (index.store.milvus.in_place),
on real Milvus Lite: only the affected articles' rows change, the answers are a fresh
rebuild's, readers follow each write and never see one half done, and a write killed at any
step leaves the previous state served until the next write cleans up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.errors import IndexCorruptError
from index.search.news_index import Hit
from index.store.milvus import in_place as milvus_upsert
from index.store.milvus.collections import MilvusStore
from index.store.milvus.version import MilvusVersion
from tests.conftest import PROJECT_ROOT, SEEDS, write_article

pytestmark = pytest.mark.slow

SEED = "000_73da1f60caab5eee"
QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "Where did lava flow in Iceland?",
    "What did Duda sign?",
    "Nato eastern flank talks in Warsaw",
    "How many people were evacuated from Grindavik?",
    "defence spending",
]
VOLCANO = (
    "A volcano on the Reykjanes peninsula in Iceland erupted again on Saturday night. "
    "Lava flowed towards the evacuated town of Grindavik, and the Blue Lagoon spa was closed. "
    "Scientists said the eruption was the fourth since December."
)
BUDGET = (
    "Polish President Andrzej Duda signed the 2024 budget on Wednesday after weeks of "
    "dispute with the new government over public media. The budget raises defence spending."
)
BUDGET_EDITED = (
    "Polish President Andrzej Duda signed the 2024 budget on Wednesday, ending weeks of "
    "dispute with the government of Donald Tusk over public media. The budget raises defence "
    "spending to four percent of output, the highest share in Nato."
)
SUMMIT = (
    "European leaders met in Warsaw to discuss support for Ukraine and the defence of "
    "Nato's eastern flank; Poland's prime minister hosted the talks."
)


def _milvus(settings: IndexSettings, **update: Any) -> IndexSettings:
    return settings.model_copy(update={"vector_store": "milvus", **update})


def _answers(index: NewsIndex) -> list[list[tuple[object, ...]]]:
    """What a reader is shown for each question: citations, offsets, bold sentences, scores."""
    return [
        [_shown(h) for h in index.search(q, k=4, min_score=-1.0, min_confidence=0.0)]
        for q in QUESTIONS
    ]


def _shown(h: Hit) -> tuple[object, ...]:
    return (
        h.article_id, h.title, h.start, h.end, h.bold_sentence, round(h.score, 4), h.passage_number,
        h.passages_in_article, h.published,
    )  # fmt: skip


def _state(index: NewsIndex) -> tuple[object, ...]:
    """Everything a reader sees: answers, listing (sorted: its order is by first indexing,
    which a fresh rebuild does not keep) and counts."""
    listing = sorted((a.id, a.passages, a.title) for a in index.list_articles())
    stats = index.stats()
    return _answers(index), listing, (stats.articles, stats.passages)


def _as_rebuilt(settings: IndexSettings, embedder: Embedder) -> tuple[object, ...]:
    """What must equal a fresh rebuild's: dense answers in order; hybrid answers as a set (the
    same passages, cosines and bold sentences), since Milvus Lite keeps BM25's statistics per
    data file and an in-place write's rows are a file of their own until Lite merges it, so
    BM25 can order near ties otherwise; and listing and counts."""
    dense = _answers(NewsIndex(settings.model_copy(update={"search_mode": "dense"}), embedder))
    hybrid = _state(NewsIndex(settings, embedder))
    return dense, [sorted(hits) for hits in hybrid[0]], hybrid[1], hybrid[2]  # type: ignore[index]


def _rows(settings: IndexSettings, article_id: str) -> tuple[list[int], np.ndarray]:
    version = NewsIndex(settings).snapshot()
    rows = [row for row, _ in version.passage_rows([article_id])]
    return rows, version.passage_vectors(rows)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    write_article(folder, "budget.md", "Poland's budget is signed", BUDGET)
    write_article(folder, "summit.md", "Leaders meet in Warsaw", SUMMIT)
    return folder


def _fresh(settings: IndexSettings, embedder: Embedder, paths: list[Path], prefix: str) -> Any:
    """A fresh rebuild of `paths` beside the index (another collection prefix): what the index
    should answer after its in-place writes."""
    fresh = _milvus(settings, milvus_collection_prefix=prefix)
    IndexWriter(fresh, embedder).rebuild(paths)
    return _as_rebuilt(fresh, embedder)


def test_add_and_remove_change_only_the_affected_articles_rows(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """Same collection, same alias target; an unchanged article keeps its rows and vectors;
    the model reads only the new passages (the embedding cache is emptied first, as on a
    writer of another machine); the answers are those of a fresh rebuild of the same
    articles, after an added, a changed and a removed article."""
    settings = _milvus(settings)
    writer = IndexWriter(settings, embedder)
    built = writer.rebuild([SEEDS, corpus])
    store = MilvusStore(settings)
    collection = built.collection
    assert collection is not None and store.live_collection() == collection
    seed_rows, seed_vectors = _rows(settings, SEED)
    summit_rows, _ = _rows(settings, "summit")
    os.remove(settings.resolved_cache_path)

    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_EDITED)
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)
    added = writer.add([corpus, volcano])
    assert added.collection == collection and store.live_collection() == collection
    assert len(added.added) == 1 and added.added[0].startswith("volcano")
    assert added.updated == ["budget"] and added.unchanged == 1
    new_passages = sum(a.passages for a in NewsIndex(settings).list_articles()
                       if a.id in {"budget", added.added[0]})  # fmt: skip
    assert added.embedded == new_passages, "only the new and changed articles are embedded"
    rows, vectors = _rows(settings, SEED)
    assert rows == seed_rows and np.array_equal(vectors, seed_vectors), "untouched"
    assert _rows(settings, "summit")[0] == summit_rows
    assert min(_rows(settings, "budget")[0]) > max(seed_rows + summit_rows), "new row ids"
    index = NewsIndex(settings, embedder)
    before_remove = _state(index)
    expected = _fresh(settings, embedder, [SEEDS, corpus, volcano], "fresh_add")
    assert _as_rebuilt(settings, embedder) == expected

    removed = writer.remove(["summit"])
    assert removed.removed == ["summit"] and removed.collection == collection
    assert removed.embedded == 0
    assert store.live_collection() == collection
    assert _rows(settings, SEED)[0] == seed_rows
    os.remove(corpus / "summit.md")
    expected = _fresh(settings, embedder, [SEEDS, corpus, volcano], "fresh_remove")
    assert _as_rebuilt(settings, embedder) == expected
    after = _state(index)
    assert after != before_remove and after == _state(NewsIndex(settings, embedder)), (
        "the reader opened before follows the writes"
    )
    names = [n for n in store.client.list_collections() if n.startswith("newsbot_")]
    assert sorted(names) == sorted(collection + s for s in ("", "_sentences", "_articles"))

    manifest = store.manifest(collection)
    assert manifest.revision == 2 and manifest.articles == 3 and manifest.retired
    passages = store.client.query(collection, filter="", output_fields=["count(*)"])
    assert passages[0]["count(*)"] > manifest.passages, "retired rows wait for the next write"
    shown = NewsIndex(settings, embedder).snapshot()
    assert shown.passages(summit_rows) == {} and not any(shown.sentences(summit_rows).values()), (
        "stored but retired: not shown when asked for by row either"
    )
    writer.add([SEEDS])  # unchanged: nothing is written
    assert store.manifest(collection).revision == 2
    writer.add([write_article(tmp_path / "more", "x.md", "Another story", SUMMIT)])
    manifest = store.manifest(collection)
    passages = store.client.query(collection, filter="", output_fields=["count(*)"])
    assert not manifest.retired and passages[0]["count(*)"] == manifest.passages, (
        "the next write deleted them"
    )
    assert IndexWriter(settings, embedder).rebuild([SEEDS]).collection != collection, (
        "a rebuild still writes a new version and swaps the alias"
    )


def _recorded(store: MilvusStore, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every query the process's Milvus client is asked from now on (collection, filter,
    fields); and a whole read of the live version fails the test."""
    calls: list[dict[str, Any]] = []
    query = store.client.query

    def recording(collection: str, **kwargs: Any) -> Any:
        calls.append({"collection": collection, **kwargs})
        return query(collection, **kwargs)

    def whole(self: MilvusVersion) -> None:
        raise AssertionError("an in-place write read the whole version")

    monkeypatch.setattr(store.client, "query", recording)
    monkeypatch.setattr(MilvusVersion, "indexed_articles", whole)
    return calls


def test_an_in_place_write_reads_only_the_articles_it_names(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """No text but the changed article's, no passage but the named articles', no count of
    every collection's rows: what an add or a remove reads grows with what it names, not with
    the corpus."""
    settings = _milvus(settings)
    writer = IndexWriter(settings, embedder)
    collection = writer.rebuild([SEEDS, corpus]).collection
    assert collection is not None
    store = MilvusStore(settings)
    articles = {
        r["id"]: r["row"]
        for r in store.client.query(collection + "_articles", filter="", output_fields=["id"])
    }
    calls = _recorded(store, monkeypatch)
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_EDITED)
    added = writer.add([corpus])
    assert not [c for c in calls if "count(*)" in c["output_fields"]], "no scan of every row"
    assert added.updated == ["budget"] and added.unchanged == 1 and added.collection == collection
    assert (added.articles, added.passages) == (3, NewsIndex(settings).stats().passages)
    texts = [c for c in calls if "text" in c["output_fields"]]
    assert [c["filter"] for c in texts] == [f"row in [{articles['budget']}] and revision <= 0"], (
        "only the changed article's text, for the rewrite check"
    )
    spans = [c for c in calls if c["collection"] == collection and "start" in c["output_fields"]]
    named = sorted([articles["budget"], articles["summit"]])
    assert [c["filter"] for c in spans] == [
        f"article_row in [{', '.join(map(str, named))}] and revision <= 0"
    ], "the passages of the named articles only"

    calls.clear()
    removed = writer.remove(["summit", "not-there"])
    assert removed.removed == ["summit"] and removed.unchanged == 2
    assert not [c for c in calls if "text" in c["output_fields"]], "a remove reads no text"
    spans = [c for c in calls if c["collection"] == collection and "start" in c["output_fields"]]
    assert len(spans) == 1 and f"article_row in [{articles['summit']}]" in spans[0]["filter"]
    expected = _fresh(settings, embedder, [SEEDS, corpus], "fresh")
    assert _as_rebuilt(settings, embedder) != expected, "summit is still in the corpus folder"
    os.remove(corpus / "summit.md")
    assert _as_rebuilt(settings, embedder) == _fresh(settings, embedder, [SEEDS, corpus], "fr2")


def test_a_size_that_changes_the_index_type_writes_a_whole_version(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """Past FAISS_EXACT_LIMIT an add writes a whole HNSW version, and below it a remove a FLAT
    one: the whole live version is read then, and the answers are a fresh rebuild's."""
    settings = _milvus(settings, faiss_exact_limit=3)
    writer = IndexWriter(settings, embedder)
    first = writer.rebuild([SEEDS])
    assert first.passages == 3
    store = MilvusStore(settings)
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)
    added = writer.add([volcano])
    assert added.collection != first.collection and added.passages == 4
    live = store.live_collection()
    assert live == added.collection and store.manifest(live).index_factory == "HNSW"
    assert _as_rebuilt(settings, embedder) == _fresh(settings, embedder, [SEEDS, volcano], "a")
    removed = writer.remove(added.added)
    assert removed.collection not in (None, added.collection) and removed.passages == 3
    assert store.manifest(removed.collection).index_factory == "FLAT"  # type: ignore[arg-type]
    assert _as_rebuilt(settings, embedder) == _fresh(settings, embedder, [SEEDS], "b")


@pytest.fixture
def stop_at() -> Iterator[dict[str, Any]]:
    """Replace the write's step hook with a callback of the test's."""
    calls: dict[str, Any] = {"steps": [], "check": None}

    def reached(step: str) -> None:
        calls["steps"].append(step)
        if calls["check"] is not None:
            calls["check"](step)

    milvus_upsert.reached = reached
    yield calls
    milvus_upsert.reached = milvus_upsert._nothing


def test_a_reader_sees_the_previous_state_at_every_step_and_the_new_one_after(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path,
    stop_at: dict[str, Any],
) -> None:  # fmt: skip
    """The writer is stopped at each step (deletes, half the inserts, all the inserts) and a
    reader, opened before, is asked then: it sees the previous state whole, no duplicate and
    no half article, and the new state once the manifest is published."""
    settings = _milvus(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    reader = NewsIndex(settings, embedder)
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_EDITED)
    writer.add([corpus])  # leaves the old budget retired, for the next write to delete
    for write in ("add", "remove"):
        before = _state(reader)
        seen: list[str] = []

        def check(step: str, before: object = before, seen: list[str] = seen) -> None:
            if step != "published":
                assert _state(reader) == before, step
                seen.append(step)

        stop_at["check"] = check
        if write == "add":
            volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)
            write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET)
            writer.add([corpus, volcano])
        else:
            writer.remove(["budget"])
        assert seen.count("deleting") == 3 and "inserting" in seen and "inserted" in seen
        stop_at["check"] = None
        after = _state(reader)
        assert after != before, "the reader picked the write up"
        ids = [a for a, _, _ in after[1]]  # type: ignore[index]
        assert len(ids) == len(set(ids)), "no article twice"
    assert "budget" not in ids and len(ids) == 3


@pytest.mark.parametrize("vector_store", ["milvus"], indirect=True)
@pytest.mark.parametrize("step", ["deleting", "inserting", "inserted"])
def test_a_write_killed_at_a_step_leaves_the_previous_state_served(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path,
    milvus_server: str | None, step: str,
) -> None:  # fmt: skip
    """`python -m index add` is SIGKILLed by itself at a named step (its deletes, half its
    inserts, all of them but the manifest), on Milvus Lite's server as two processes would
    share it; the index keeps serving the previous state, and the next write cleans up."""
    settings = settings.model_copy(update={"milvus_uri": milvus_server})
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_EDITED)
    writer.add([corpus])  # retires the old budget: the next write deletes it first
    store = MilvusStore(settings)
    collection = store.live_collection()
    assert collection is not None
    reader = NewsIndex(settings, embedder)
    before = _state(reader)
    revision = store.manifest(collection).revision
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET)
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)
    script = (
        "import os, signal, sys\n"
        "from index.store.milvus import in_place as milvus_upsert\n"
        "from index.cli import main\n"
        f"def reached(step):\n    if step == {step!r}: os.kill(os.getpid(), signal.SIGKILL)\n"
        "milvus_upsert.reached = reached\n"
        f"sys.exit(main(['add', {str(corpus)!r}, {str(volcano)!r}, '-q']))\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert store.live_collection() == collection
    assert store.manifest(collection).revision == revision, "nothing published"
    if step != "deleting":
        left = store.client.query(
            collection, filter=f"revision > {revision}", output_fields=["count(*)"]
        )
        assert left[0]["count(*)"] > 0, "the killed write's rows are there, unseen"
    assert _state(reader) == before, "the reader still sees the previous state"
    assert _state(NewsIndex(settings, embedder)) == before, "and so does a new one"

    report = IndexWriter(settings, embedder).add([corpus, volcano])
    assert report.collection == collection
    for name, field in ((collection, "article_row"), (collection + "_articles", "row")):
        rows = store.client.query(name, filter="", output_fields=["row", field, "revision"])
        revisions = {r["revision"] for r in rows}
        assert max(revisions) == revision + 1, name
    manifest = store.manifest(collection)
    total = store.client.query(collection, filter="", output_fields=["count(*)"])
    retired_passages = sum(
        1 for r in store.client.query(collection, filter="", output_fields=["article_row"])
        if r["article_row"] in manifest.retired
    )  # fmt: skip
    assert total[0]["count(*)"] == manifest.passages + retired_passages, "no leftovers"
    expected = _fresh(settings, embedder, [SEEDS, corpus, volcano], "fresh")
    assert _as_rebuilt(settings, embedder) == expected
    assert _state(reader) == _state(NewsIndex(settings, embedder)), "the reader followed"


def test_a_revision_is_counted_from_its_stored_rows_and_exactly_when_they_differ(
    settings: IndexSettings, embedder: Embedder, corpus: Path
) -> None:
    """Loading compares the stored rows with what the manifest says is stored; when they
    differ, the hidden rows are counted: rows a reader does not see missing (as a killed
    write's clean-up leaves them) still load, a shown row missing is refused."""
    settings = _milvus(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_EDITED)
    writer.add([corpus])  # the old budget is retired, its rows still stored
    store = MilvusStore(settings)
    collection = store.live_collection()
    assert collection is not None
    manifest = store.manifest(collection)
    (retired,) = manifest.retired
    (stored,) = store.client.query(collection, filter="", output_fields=["count(*)"])
    assert manifest.stored is not None and manifest.stored[1] == stored["count(*)"]
    assert manifest.stored[1] > manifest.passages and manifest.stored[0] == manifest.articles + 1
    expected = _state(NewsIndex(settings, embedder))

    store.client.delete(collection, filter=f"article_row in [{retired}]")
    assert _state(NewsIndex(settings, embedder)) == expected, "hidden rows are not counted"

    shown = min(_rows(settings, "summit")[0])
    store.client.delete(collection, ids=[shown])
    with pytest.raises(IndexCorruptError, match=r"inconsistent \(\d+ passages.*rebuild"):
        NewsIndex(settings, embedder).search(QUESTIONS[0])
