"""`add` and `remove` on VECTOR_STORE=faiss append to the live version
(index.store.faiss.appending): new rows above the old ones, replaced and removed rows hidden,
the answers a fresh rebuild's; compaction past FAISS_COMPACT_SHARE and by `compact`. Real
model, real FAISS, SQLite and bm25s files."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.articles.article import Article
from index.embedding.sentence_vectors import dequantize
from index.errors import IndexCorruptError
from index.lexical.segments import WORD_INDEX_DIR, SegmentList
from index.passages.cutting import PassageSpan
from index.search.news_index import Hit
from index.store import manifest as manifest_module
from index.store.faiss import writer as faiss_writer
from index.store.faiss.appending import change, hidden_share
from index.store.faiss.sentence_codes import (
    CODES_NAME,
    MAX_PARTS,
    SentenceVectors,
    append_sentence_vectors,
    save_sentence_vectors,
    sentence_parts,
)
from index.store.faiss.vectors import VECTORS_NAME, load_faiss
from index.store.manifest import Manifest
from index.store.metadata import METADATA_NAME, ArticleStory, IndexedArticle, MetadataReader
from index.store.publish import IndexLayout
from tests.conftest import PROJECT_ROOT, SEEDS, today, write_article

QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "Where did lava flow in Iceland?",
    "What did Duda sign?",
    "Nato eastern flank talks in Warsaw",
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
BUDGET_REWRITTEN = (
    "The Polish parliament passed a law on public media after a long dispute. President "
    "Andrzej Duda vetoed an earlier version; the new one was signed on Friday in Warsaw."
)
SUMMIT = (
    "European leaders met in Warsaw to discuss support for Ukraine and the defence of "
    "Nato's eastern flank; Poland's prime minister hosted the talks."
)


def _appending(settings: IndexSettings) -> IndexSettings:
    """Never compact on its own: a corpus of a few articles passes any share at one update."""
    return settings.model_copy(update={"faiss_compact_share": 1.0})


def _shown(h: Hit) -> tuple[object, ...]:
    return (
        h.article_id, h.title, h.start, h.end, h.bold_sentence, round(h.score, 4),
        h.passage_number, h.passages_in_article, h.published,
    )  # fmt: skip


def _state(settings: IndexSettings, embedder: Embedder) -> tuple[object, ...]:
    """Everything a reader sees, rows aside: answers (hybrid and dense), listing, counts,
    stories."""
    answers = []
    for mode in ("hybrid", "dense"):
        index = NewsIndex(settings.model_copy(update={"search_mode": mode}), embedder)
        answers.append(
            [
                [_shown(h) for h in index.search(q, k=4, min_score=-1.0, min_confidence=0.0)]
                for q in QUESTIONS
            ]
        )
    index = NewsIndex(settings, embedder)
    listing = sorted(
        (a.id, a.passages, a.title, a.story_id is not None) for a in index.list_articles()
    )
    stats = index.stats()
    return answers, listing, (stats.articles, stats.passages)


def _manifest(settings: IndexSettings) -> Manifest:
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    return Manifest.load(folder)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    write_article(folder, "budget.md", "Poland's budget is signed", BUDGET)
    write_article(folder, "summit.md", "Leaders meet in Warsaw", SUMMIT)
    return folder


def _fresh(settings: IndexSettings, embedder: Embedder, tmp_path: Path, paths: list[Path]) -> Any:
    """What a rebuild of `paths` in a folder of its own answers."""
    fresh = settings.model_copy(update={"index_dir": tmp_path / "fresh"})
    IndexWriter(fresh, embedder).rebuild(paths)
    return _state(fresh, embedder)


def test_an_add_appends_and_answers_as_a_rebuild_does(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    whole = _manifest(settings)
    assert whole.revision is None
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)

    report = writer.add([volcano])

    assert report.added and report.embedded == 1
    manifest = _manifest(settings)
    assert manifest.revision == 1
    assert manifest.next_row == whole.passages + 1 == manifest.passages
    assert manifest.next_sentence == manifest.sentences
    assert manifest.build_id != whole.build_id
    assert _state(settings, embedder) == _fresh(
        settings, embedder, tmp_path, [SEEDS, corpus, volcano]
    )


def test_a_replaced_article_is_hidden_and_a_removed_one_too(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """Rows of replaced and removed articles stay in the files, hidden; new rows go above;
    searches, filtered or not, by meaning or by words, never reach the hidden ones."""
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    before = NewsIndex(settings, embedder).snapshot()
    old_rows = [row for row, _ in before.passage_rows(["budget"])]
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_REWRITTEN)

    writer.add([corpus])
    manifest = _manifest(settings)
    version = NewsIndex(settings, embedder).snapshot()
    new_rows = [row for row, _ in version.passage_rows(["budget"])]
    assert min(new_rows) >= before.counts()[1], "new rows above every row given before"
    assert manifest.stored_vectors()[0] - manifest.passages == len(old_rows)
    assert version.hidden == len(old_rows)  # type: ignore[attr-defined]
    assert not version.passages(old_rows), "the old rows are gone from the metadata"
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    assert len(SegmentList.load(folder / WORD_INDEX_DIR).files) == 2, "a segment appended"
    assert load_faiss(folder).ntotal == manifest.next_row
    seen = {row for q in QUESTIONS for row, _ in version.nearest(_query(embedder, q), 100)[0]}
    seen |= {row for q in QUESTIONS for row, _ in version.lexical_search(q, 100)}
    assert seen and not seen & set(old_rows)
    assert _state(settings, embedder) == _fresh(settings, embedder, tmp_path, [SEEDS, corpus])

    writer.remove(["summit"])
    manifest = _manifest(settings)
    assert manifest.revision == 2
    assert NewsIndex(settings, embedder).snapshot().hidden > len(old_rows)  # type: ignore[attr-defined]
    (corpus / "summit.md").unlink()
    assert _state(settings, embedder) == _fresh(settings, embedder, tmp_path, [SEEDS, corpus])


def _query(embedder: Embedder, question: str) -> np.ndarray:
    return np.asarray(embedder.encode_queries([question]), np.float32)


def test_compact_writes_the_version_whole_with_the_same_answers(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_REWRITTEN)
    writer.add([corpus])
    appended = _state(settings, embedder)
    assert _manifest(settings).next_row != _manifest(settings).passages

    report = writer.compact()

    assert report.action == "compact" and report.embedded == 0
    manifest = _manifest(settings)
    assert manifest.revision is None and manifest.next_row is None
    assert NewsIndex(settings, embedder).snapshot().hidden == 0  # type: ignore[attr-defined]
    assert _state(settings, embedder) == appended


def test_an_add_past_the_compact_share_writes_the_version_whole(
    settings: IndexSettings, embedder: Embedder, corpus: Path
) -> None:
    """Adding hides nothing, so it appends at any share; a replacement that would leave more
    than FAISS_COMPACT_SHARE of the stored vectors hidden writes the version whole."""
    settings = settings.model_copy(update={"faiss_compact_share": 0.01})
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "extra.md", "Volcano", VOLCANO)
    writer.add([corpus])
    assert _manifest(settings).revision == 1, "nothing hidden: appended"
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_REWRITTEN)

    writer.add([corpus])

    manifest = _manifest(settings)
    assert manifest.revision is None and manifest.next_row is None, "compacted"
    assert NewsIndex(settings, embedder).snapshot().hidden == 0  # type: ignore[attr-defined]


def test_rebuild_writes_the_version_whole(
    settings: IndexSettings, embedder: Embedder, corpus: Path
) -> None:
    writer = IndexWriter(_appending(settings), embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "extra.md", "Volcano", VOLCANO)
    writer.add([corpus])
    assert _manifest(settings).revision == 1
    writer.rebuild([SEEDS, corpus])
    assert _manifest(settings).revision is None


def _item(article_id: str, text: str, story: str | None = "s", origin: str = "o") -> IndexedArticle:
    article = Article(article_id, article_id.title(), text, origin=origin)
    placed = None if story is None else ArticleStory(story, None, "t", np.ones(4, np.float32))
    return IndexedArticle(article, (PassageSpan(0, len(text), 3, ((0, len(text)),)),), "t0", placed)


def test_change_sorts_articles_into_retired_changed_and_new() -> None:
    before = [_item("a", "one"), _item("b", "two"), _item("c", "three", story="x")]
    after = [
        _item("a", "one"),  # unchanged
        _item("b", "two", origin="moved"),  # same passages, new origin
        _item("d", "four", story="y"),  # new
        _item("c", "three, again", story="x"),  # replaced
    ]
    found = change(before, after)
    assert found.retired == ["c"]
    assert [i.article.id for i in found.changed] == ["b"]
    assert [i.article.id for i in found.new] == ["d", "c"]
    assert found.stories == {"s", "x", "y"}
    assert change(before, before[:1]).retired == ["b", "c"]


@given(
    st.lists(st.sampled_from("abcdef"), unique=True),
    st.lists(st.sampled_from("abcdef"), unique=True),
)
def test_change_accounts_for_every_article(old: list[str], now: list[str]) -> None:
    """Every live article is kept, changed, retired or given new rows, and only new ones
    (or new texts) get rows."""
    before = [_item(i, i * 2) for i in old]
    after = [_item(i, i * 3 if i in "ace" else i * 2) for i in now]
    found = change(before, after)
    new = {i.article.id for i in found.new}
    assert set(found.retired) == (set(old) - set(now)) | (set(old) & set(now) & set("ace"))
    assert new == (set(now) - set(old)) | (set(old) & set(now) & set("ace"))
    assert not found.changed


def test_hidden_share() -> None:
    assert hidden_share(0, 0) == 0.0
    assert hidden_share(10, 8) == pytest.approx(0.2)


def test_appended_metadata_counts_match_the_manifest(
    settings: IndexSettings, embedder: Embedder, corpus: Path
) -> None:
    writer = IndexWriter(_appending(settings), embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_REWRITTEN)
    writer.add([corpus])
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    manifest = Manifest.load(folder)
    reader = MetadataReader(folder)
    try:
        assert reader.counts() == (manifest.articles, manifest.passages)
        assert reader.sentence_count() == manifest.sentences
        assert reader.next_row() <= manifest.stored_vectors()[0]
        assert reader.story_counts() is not None
    finally:
        reader.close()


def test_an_hnsw_graph_takes_the_new_vectors(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """An approximate index is appended to as a flat one is, its recorded recall carried."""
    settings = _appending(settings).model_copy(update={"faiss_index_factory": "HNSW32,Flat"})
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    whole = _manifest(settings)
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_REWRITTEN)
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)

    writer.add([corpus, volcano])

    manifest = _manifest(settings)
    assert manifest.revision == 1 and manifest.index_factory == "HNSW32,Flat"
    assert manifest.recall_at_10 == whole.recall_at_10
    hits = NewsIndex(settings, embedder).search("Where did lava flow in Iceland?")
    assert hits and hits[0].article_id.startswith("volcano")
    assert _state(settings, embedder) == _fresh(
        settings, embedder, tmp_path, [SEEDS, corpus, volcano]
    )


@pytest.mark.slow
@pytest.mark.parametrize("step", ["metadata", "vectors", "manifest"])
def test_an_append_killed_at_a_step_leaves_the_previous_version_served(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path, step: str
) -> None:
    """`python -m index add` SIGKILLed by itself at a named step of its append (metadata
    copied and changed, vectors added, all but the manifest written): the previous version
    stays live and answers as before; the next write removes what it left and appends."""
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET_REWRITTEN)
    writer.add([corpus])  # the live version is itself an append, with hidden rows
    layout = IndexLayout(settings.resolved_index_dir)
    live = layout.current_version()
    before = _state(settings, embedder)
    write_article(corpus, "budget.md", "Poland's budget is signed", BUDGET)
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)
    script = (
        "import os, signal, sys\n"
        "from index.store.faiss import appending\n"
        "from index.cli import main\n"
        f"def reached(step):\n    if step == {step!r}: os.kill(os.getpid(), signal.SIGKILL)\n"
        "appending.reached = reached\n"
        f"sys.exit(main(['add', {str(corpus)!r}, {str(volcano)!r}, '-q']))\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "FAISS_COMPACT_SHARE": "1"},
    )  # fmt: skip

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert layout.current_version() == live
    assert [p for p in layout.versions.iterdir() if p.name.startswith(".staging-")]
    assert _state(settings, embedder) == before

    writer.add([corpus, volcano])
    assert not [p for p in layout.versions.iterdir() if p.name.startswith(".staging-")]
    assert _manifest(settings).revision == 2
    assert _state(settings, embedder) == _fresh(
        settings, embedder, tmp_path, [SEEDS, corpus, volcano]
    )


def test_a_compact_share_of_zero_writes_every_version_whole(
    settings: IndexSettings, embedder: Embedder, corpus: Path
) -> None:
    settings = settings.model_copy(update={"faiss_compact_share": 0.0})
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    write_article(corpus, "extra.md", "Volcano", VOLCANO)
    writer.add([corpus])
    assert _manifest(settings).revision is None


STRIKE = [
    ("strike-reuters", "Reuters", "Dock workers strike shuts Rotterdam port",
     "Dock workers in Rotterdam walked out on Monday, shutting Europe's largest port. The "
     "union said the strike over pay would last 48 hours; container ships queued offshore."),
    ("strike-bbc", "BBC News", "Rotterdam port shut by dockers' strike",
     "Europe's largest port, Rotterdam, was shut on Monday as dock workers began a 48-hour "
     "strike over pay. Container ships waited offshore, the port authority said."),
    ("strike-ap", "AP", "Strike at Rotterdam port strands container ships",
     "Container ships were stranded off Rotterdam on Monday after dock workers started a "
     "48-hour strike over pay at Europe's largest port, the union said."),
]  # fmt: skip


def _strike(number: int) -> Article:
    article_id, source, title, text = STRIKE[number]
    return Article(article_id, title, text, source=source, published=today())


def _stories(settings: IndexSettings, embedder: Embedder) -> list[tuple[object, ...]]:
    return sorted(
        (s.id, s.outlets, len(s.members), s.first_published, s.last_published, s.predecessor)
        for s in NewsIndex(settings, embedder).list_stories()
    )


def test_an_append_reads_only_what_it_names_and_keeps_whole_stories(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """An `add` reads only the articles it names and the story neighbours of new ones: an
    outlet joining a story of two unnamed articles still gets a story row naming all three,
    as a rebuild of the same articles gives."""
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    writer.add(articles=[_strike(0), _strike(1)])
    assert _manifest(settings).revision == 1, "appended"

    writer.add(articles=[_strike(2)])

    assert _manifest(settings).revision == 2
    (story,) = [s for s in NewsIndex(settings, embedder).list_stories() if len(s.members) > 1]
    assert sorted(story.outlets) == ["AP", "BBC News", "Reuters"]
    whole = settings.model_copy(
        update={"index_dir": tmp_path / "whole", "faiss_compact_share": 0.0}
    )  # every version written whole, from every article
    for step in ([SEEDS, corpus], [_strike(0), _strike(1)], [_strike(2)]):
        if step[0] is SEEDS:
            IndexWriter(whole, embedder).rebuild(step)  # type: ignore[arg-type]
        else:
            IndexWriter(whole, embedder).add(articles=step)  # type: ignore[arg-type]
    assert _manifest(whole).revision is None
    fresh = whole
    assert _stories(settings, embedder) == _stories(fresh, embedder)
    assert _state(settings, embedder)[1:] == _state(fresh, embedder)[1:]


def test_sentence_vectors_are_appended_as_parts_and_read_as_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(-127, 127, (40, 8), dtype=np.int8)
    scales = rng.random(40, dtype=np.float32)
    previous = tmp_path / "v0"
    previous.mkdir()
    save_sentence_vectors(previous, codes[:10], scales[:10])
    bounds = [10, 13, 20, 21, 40]
    for number, (low, high) in enumerate(itertools.pairwise(bounds), start=1):
        version = tmp_path / f"v{number}"
        version.mkdir()
        append_sentence_vectors(version, previous, codes[low:high], scales[low:high])
        previous = version
    assert len(sentence_parts(previous)) == 5
    assert (previous / CODES_NAME).samefile(tmp_path / "v0" / CODES_NAME), "linked, not copied"
    stored = SentenceVectors(previous, 8)
    assert len(stored) == 40
    np.testing.assert_array_equal(stored.vectors(range(40)), dequantize(codes, scales))


def test_past_max_parts_the_sentence_vectors_are_written_as_one(tmp_path: Path) -> None:
    previous = tmp_path / "v0"
    previous.mkdir()
    save_sentence_vectors(previous, np.zeros((1, 4), np.int8), np.ones(1, np.float32))
    for number in range(1, MAX_PARTS + 1):
        version = tmp_path / f"v{number}"
        version.mkdir()
        append_sentence_vectors(
            version, previous, np.full((1, 4), number, np.int8), np.ones(1, np.float32)
        )
        previous = version
    assert len(sentence_parts(previous)) == 1
    np.testing.assert_array_equal(
        SentenceVectors(previous, 4).vectors(range(MAX_PARTS + 1))[:, 0],
        dequantize(
            np.arange(MAX_PARTS + 1, dtype=np.int8).reshape(-1, 1).repeat(4, 1),
            np.ones(MAX_PARTS + 1, np.float32),
        )[:, 0],
    )


def test_damage_to_a_file_an_append_shares_is_found_in_both_versions(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """Files an append links keep the digests first recorded: garbling the shared sentence
    vectors is refused by a reader of the new version, and a garbled metadata file of the
    live version refuses the next append instead of being copied into it."""
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    first = IndexLayout(settings.resolved_index_dir).current_version()
    assert first is not None
    writer.add([write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)])
    second = IndexLayout(settings.resolved_index_dir).current_version()
    assert second is not None and second != first
    assert (second / CODES_NAME).samefile(first / CODES_NAME)
    data = bytearray((second / CODES_NAME).read_bytes())
    data[-8:] = bytes(255 - b for b in data[-8:])
    (second / CODES_NAME).write_bytes(bytes(data))  # the shared file: both versions
    with pytest.raises(IndexCorruptError, match="checksum differs"):
        NewsIndex(settings, embedder).search(QUESTIONS[0])

    writer.compact()  # whole again, from the metadata and the cache
    live = IndexLayout(settings.resolved_index_dir).current_version()
    assert live is not None
    metadata = live / "metadata.sqlite"
    data = bytearray(metadata.read_bytes())
    data[200:208] = bytes(255 - b for b in data[200:208])
    metadata.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum differs"):
        writer.add([write_article(tmp_path / "more", "summit.md", "Leaders meet", SUMMIT)])
    assert IndexLayout(settings.resolved_index_dir).current_version() == live


def test_an_append_hashes_its_large_files_on_another_thread(
    settings: IndexSettings,
    embedder: Embedder,
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The FAISS file and the metadata an append reads from the live version, and the new
    metadata, are each hashed once, on another thread while the write goes on (at a million
    passages they are gigabytes); the new FAISS file is hashed as it is written, never read
    back; the digests recorded are those of the files."""
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    hashed: list[tuple[str, bool]] = []
    sha256 = manifest_module.file_sha256

    def spied(path: Path) -> str:
        hashed.append((path.name, threading.current_thread() is threading.main_thread()))
        return sha256(path)

    monkeypatch.setattr(manifest_module, "file_sha256", spied)
    monkeypatch.setattr(faiss_writer, "file_sha256", spied)
    writer.add([write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)])

    large = sorted(h for h in hashed if h[0] in (VECTORS_NAME, METADATA_NAME))
    assert large == [(METADATA_NAME, False)] * 2 + [(VECTORS_NAME, False)]
    live = IndexLayout(settings.resolved_index_dir).current_version()
    assert live is not None
    monkeypatch.setattr(manifest_module, "file_sha256", sha256)
    Manifest.load(live).verify_files(live)


def test_damage_to_the_live_faiss_file_refuses_the_next_append(
    settings: IndexSettings, embedder: Embedder, corpus: Path, tmp_path: Path
) -> None:
    """A FAISS file changed since it was written (same size) refuses an append that would
    copy it into the next version, and the live version stays."""
    settings = _appending(settings)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS, corpus])
    live = IndexLayout(settings.resolved_index_dir).current_version()
    assert live is not None
    vectors = live / VECTORS_NAME
    data = bytearray(vectors.read_bytes())
    data[-64:-56] = bytes(255 - b for b in data[-64:-56])
    vectors.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum differs"):
        writer.add([write_article(tmp_path / "new", "volcano.md", "Iceland volcano", VOLCANO)])
    assert IndexLayout(settings.resolved_index_dir).current_version() == live
