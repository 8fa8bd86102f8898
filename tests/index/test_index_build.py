"""The real model, real FAISS and SQLite files: build, query, add, remove, rebuild, reload."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index import (
    Embedder,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexSettings,
    IndexWriter,
    NewsIndex,
    NoArticlesError,
    UnreadableArticleError,
)
from index.embedding.model_input import document_text
from index.embedding.sentence_vectors import quantize
from index.errors import IndexBusyError
from index.store.faiss.sentence_codes import save_sentence_vectors
from index.store.faiss.vectors import build_faiss, save_faiss
from index.store.manifest import Manifest, file_digests
from index.store.metadata import MetadataReader
from index.store.publish import IndexLayout
from tests.conftest import SEEDS, DelegatingEmbedder, write_article
from tests.stores import both_stores

QUESTION = "Which countries signed long-term security agreements with Ukraine?"

pytestmark = pytest.mark.slow


VOLCANO = (
    "A volcano on the Reykjanes peninsula in Iceland erupted again on Saturday night. "
    "Lava flowed towards the evacuated town of Grindavik, and the Blue Lagoon spa was closed. "
    "Scientists said the eruption was the fourth since December."
)


def _milvus_versions(settings: IndexSettings) -> list[str]:
    """The Milvus collections of the test's prefix, three per version."""
    from index.store.milvus.collections import connect

    names = [n for n in connect(settings).list_collections() if n.startswith("newsbot_")]
    assert len(names) % 3 == 0, names
    return sorted(n for n in names if not n.endswith(("_sentences", "_articles")))


def seed_version(settings: IndexSettings, embedder: Embedder) -> Path:
    """The sample index, built, and its live version folder."""
    IndexWriter(settings, embedder).rebuild([SEEDS])
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    return folder


@both_stores
def test_seed_index_answers_with_a_citation(settings: IndexSettings, embedder: Embedder) -> None:
    report = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert report.articles == 1 and report.passages >= 2 and report.embedded == report.passages

    hits = NewsIndex(settings, embedder).search(QUESTION)
    assert hits, "the seed article covers this question"
    top = hits[0]
    assert "10-year bilateral agreements" in top.text
    assert top.title == "Macron says sending Western troops to Ukraine is not ruled out"
    assert top.published == "2024-02-26" and top.article_id == "000_73da1f60caab5eee"
    body = (SEEDS / "000_73da1f60caab5eee.txt").read_text("utf-8").split("---\n", 2)[2]
    assert body[top.start : top.end] == top.text, "offsets point into the article text"
    assert top.score > 0.4 and [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert (top.passage_number, top.passages_in_article) == (report.passages, report.passages)


@both_stores
def test_passages_fit_the_model_window_with_the_title(
    settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    snapshot = NewsIndex(settings, embedder).snapshot()
    records = snapshot.passages(list(range(snapshot.manifest.passages)))
    texts = [r.text for r in records.values()]
    assert max(embedder.count_tokens(texts)) <= settings.passage_max_tokens
    with_title = [document_text(r.title, r.text) for r in records.values()]
    assert max(embedder.count_tokens(with_title)) + 2 <= embedder.max_tokens


@both_stores
def test_unrelated_or_empty_questions_get_nothing(
    settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    assert index.search("What is a good recipe for banana bread?") == []
    assert index.search("") == [] and index.search("   \n") == [] and index.search("🙂🙂🙂") == []
    long_hits = index.search(" ".join([QUESTION] * 500))  # 33,000 characters, cut before embedding
    assert long_hits and "10-year" in long_hits[0].text


@both_stores
def test_add_update_remove_round_trip(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    inbox = tmp_path / "inbox"
    article = write_article(inbox, "volcano.md", "Iceland volcano erupts again", VOLCANO)

    added = writer.add([article])
    (volcano,) = added.added
    assert volcano.startswith("volcano-") and added.articles == 2
    assert added.embedded == len(index.snapshot().passages([])) + 1 or added.embedded >= 1
    hits = index.search("Where did lava flow in Iceland?")
    assert hits[0].article_id == volcano and hits[0].source == "Test Wire"

    again = writer.add([article])
    assert again.added == [] and again.unchanged == 1, "nothing to do"
    assert again.version is None and again.collection is None

    write_article(
        inbox, "volcano.md", "Iceland volcano erupts again", VOLCANO + " Flights were not affected."
    )
    updated = writer.add([article])
    assert updated.updated == [volcano] and updated.articles == 2
    assert "Flights were not affected" in " ".join(
        h.text for h in index.search("Were flights affected by the Iceland eruption?")
    )

    removed = writer.remove([volcano, "no-such-id"])
    assert removed.removed == [volcano] and removed.articles == 1
    assert all(
        h.article_id != volcano
        for h in index.search("Where did lava flow in Iceland?", min_score=-1, min_confidence=0.0)
    )

    rebuilt = writer.rebuild([SEEDS])
    assert rebuilt.embedded == 0, "every seed passage comes from the cache"


@both_stores
def test_first_indexed_time_survives_updates_and_rebuilds(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    article = write_article(tmp_path / "in", "volcano.md", "Iceland volcano erupts again", VOLCANO)
    writer.rebuild([SEEDS, article])
    index = NewsIndex(settings, embedder)
    before = {a.id: a.first_indexed_at for a in index.list_articles()}
    write_article(tmp_path / "in", "volcano.md", "Iceland volcano erupts again", VOLCANO + " More.")
    writer.rebuild([SEEDS, article])
    after = {a.id: a.first_indexed_at for a in index.list_articles()}
    assert before == after
    volcano = next(i for i in before if i.startswith("volcano-"))
    assert index.articles_indexed_since(before[volcano]) == []


@both_stores
def test_a_wholly_different_text_under_an_indexed_id_is_a_warning(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "corpus"
    write_article(folder, "story.md", "Iceland volcano erupts again", VOLCANO)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([folder])

    write_article(folder, "story.md", "Iceland volcano erupts", VOLCANO + " Flights went on.")
    with caplog.at_level("WARNING"):
        edited = writer.add([folder])
    assert edited.updated == ["story"] and edited.replaced == []
    assert "shares almost nothing" not in caplog.text

    write_article(
        folder, "story.md", "Council approves bike lanes",
        "The city council voted on Thursday to build twelve kilometres of protected bike lanes.",
    )  # fmt: skip
    with caplog.at_level("WARNING"):
        replaced = writer.add([folder])
    assert replaced.updated == ["story"] == replaced.replaced
    assert (
        "article story: the new text shares almost nothing with the indexed one; replacing it"
        in caplog.text
    )


@both_stores
def test_an_unreadable_file_keeps_its_previous_version(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    write_article(corpus, "volcano.md", "Iceland volcano erupts again", VOLCANO)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([corpus])
    (corpus / "volcano.md").write_bytes(b"\xff\xfe\x00binary\x00garbage")
    write_article(corpus, "other.md", "Paris meeting", "European leaders met in Paris on Monday.")
    report = writer.rebuild([corpus])
    assert [s.origin for s in report.skipped] == [str(corpus / "volcano.md")]
    assert report.kept_unreadable == ["volcano"]
    ids = {a.id for a in NewsIndex(settings, embedder).list_articles()}
    assert ids == {"volcano", "other"}


def test_strict_mode_fails_and_changes_nothing(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    version = IndexLayout(settings.resolved_index_dir).current_version()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait")
    with pytest.raises(UnreadableArticleError, match=r"bad\.txt"):
        writer.add([bad], strict=True)
    report = writer.add([bad])
    assert len(report.skipped) == 1 and report.version is None
    assert IndexLayout(settings.resolved_index_dir).current_version() == version


@both_stores
def test_nothing_readable_leaves_the_index_as_it_was(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("   \n")
    with pytest.raises(NoArticlesError):
        writer.rebuild([empty])
    assert NewsIndex(settings, embedder).stats().articles == 1


@both_stores
def test_no_index_yet_is_a_named_error(settings: IndexSettings, embedder: Embedder) -> None:
    with pytest.raises(IndexMissingError, match="python -m index rebuild"):
        NewsIndex(settings, embedder).search(QUESTION)


@both_stores
def test_an_index_of_another_model_is_refused(settings: IndexSettings, embedder: Embedder) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    other = settings.model_copy(
        update={"embedding_model": "sentence-transformers/all-mpnet-base-v2"}
    )
    with pytest.raises(IndexMismatchError, match=r"all-MiniLM-L6-v2.*all-mpnet-base-v2.*rebuild"):
        NewsIndex(other, embedder).search(QUESTION)
    with pytest.raises(IndexMismatchError):
        NewsIndex(other, embedder).stats()


def test_a_mismatched_dimension_is_refused(settings: IndexSettings, embedder: Embedder) -> None:
    folder = seed_version(settings, embedder)
    manifest = Manifest.load(folder)
    assert manifest.dimension == 384
    # What a 768-dimension model of the same name would have left: consistent, but not ours.
    rng = np.random.default_rng(0)
    vectors = rng.random((manifest.passages, 768), dtype=np.float32)
    save_faiss(build_faiss(vectors, "Flat"), folder)
    sentences = rng.random((manifest.sentences, 768), dtype=np.float32)
    save_sentence_vectors(folder, *quantize(sentences))
    dataclasses.replace(manifest, dimension=768, files=file_digests(folder)).save(folder)
    with pytest.raises(IndexMismatchError, match="768"):
        NewsIndex(settings, embedder).search(QUESTION)


def test_a_corrupt_index_is_a_named_error(settings: IndexSettings, embedder: Embedder) -> None:
    folder = seed_version(settings, embedder)
    (folder / "passages.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexCorruptError, match="rebuild"):
        NewsIndex(settings, embedder).search(QUESTION)


def _truncate(path: Path) -> None:
    path.write_bytes(b"")


def _garble(path: Path) -> None:
    """Same size, other bytes in the middle: what a bad disk or a stray write leaves."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(255 - b for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "damage", "said"),
    [
        ("word_index/segment-000000.npz", _truncate, "has 0 bytes where"),
        ("passages.faiss", _garble, "checksum differs"),
        ("metadata.sqlite", Path.unlink, "is missing"),
    ],
)
def test_a_damaged_version_is_refused_before_it_is_loaded(
    settings: IndexSettings, embedder: Embedder, name: str, damage: object, said: str
) -> None:
    folder = seed_version(settings, embedder)
    manifest = Manifest.load(folder)
    assert {"passages.faiss", "metadata.sqlite", name} <= manifest.files.keys()
    assert manifest.files["passages.faiss"]["bytes"] == (folder / "passages.faiss").stat().st_size
    damage(folder / name)  # type: ignore[operator]
    with pytest.raises(IndexCorruptError, match="rebuild") as refused:
        NewsIndex(settings, embedder).search(QUESTION)
    assert said in str(refused.value) and name.rsplit("/", 1)[-1] in str(refused.value)


def test_a_reader_survives_its_live_word_index_being_truncated(
    settings: IndexSettings, embedder: Embedder
) -> None:
    """Read into memory, not mapped: the damage is found by the next load, not by a SIGBUS."""
    folder = seed_version(settings, embedder)
    index = NewsIndex(settings, embedder)
    before = index.search(QUESTION)
    for path in (folder / "word_index").iterdir():
        _truncate(path)
    assert index.search(QUESTION) == before
    with pytest.raises(IndexCorruptError, match="has 0 bytes"):
        NewsIndex(settings, embedder).search(QUESTION)


def test_garbled_vectors_that_load_are_refused_by_their_scores(
    settings: IndexSettings, embedder: Embedder
) -> None:
    """A version written before checksums were recorded loads whatever its files hold; a
    garbled passages.faiss gives similarities no normalized vectors can have, and the search
    is refused, as a damaged Milvus Lite index file is (tests/index/store/milvus/test_collections.py)."""
    folder = seed_version(settings, embedder)
    dataclasses.replace(Manifest.load(folder), files={}).save(folder)
    path = folder / "passages.faiss"
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 512] = b"\x7f" * 512
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="no normalized vectors can have") as refused:
        NewsIndex(settings, embedder).search(QUESTION, min_score=-1.0, min_confidence=0.0)
    assert str(folder) in str(refused.value) and "python -m index rebuild" in str(refused.value)


def test_a_database_damaged_under_a_running_reader_is_a_named_error(
    settings: IndexSettings, embedder: Embedder
) -> None:
    folder = seed_version(settings, embedder)
    index = NewsIndex(settings, embedder)
    assert index.search(QUESTION)
    (folder / "metadata.sqlite").write_bytes(b"\xff" * 8192)
    failures: list[BaseException] = []

    def search_in_a_new_thread() -> None:  # a thread opens its own connection to the file
        try:
            index.search(QUESTION)
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=search_in_a_new_thread)
    worker.start()
    worker.join()
    assert len(failures) == 1 and isinstance(failures[0], IndexCorruptError), failures
    assert "metadata.sqlite cannot be read" in str(failures[0])


@both_stores
def test_a_running_reader_follows_a_rebuild(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    assert index.search("Where did lava flow in Iceland?") == []
    writer.add(
        [write_article(tmp_path / "in", "volcano.md", "Iceland volcano erupts again", VOLCANO)]
    )
    assert index.search("Where did lava flow in Iceland?")[0].article_id.startswith("volcano-")


def test_a_broken_new_version_leaves_the_old_one_serving(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    assert index.search(QUESTION)
    report = writer.add([write_article(tmp_path / "in", "volcano.md", "Iceland volcano", VOLCANO)])
    assert report.version is not None
    (report.version / "passages.faiss").write_bytes(b"garbage")
    hits = index.search(QUESTION)
    assert hits and index.stats().articles == 1, "still on the previous version"


@both_stores
def test_readers_never_see_a_half_written_index(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    errors: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def keep_searching() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                assert index.search(QUESTION), "every version answers the seed question"
                answered += 1
            except BaseException as exc:
                errors.append(exc)
                return

    reader = threading.Thread(target=keep_searching)
    reader.start()
    try:
        for i in range(6):
            article = write_article(
                tmp_path / "in", f"a{i}.md", f"Story {i}", f"Story number {i}. " + VOLCANO
            )
            writer.add([article])
            writer.rebuild([SEEDS]) if i % 2 else None
    finally:
        stop.set()
        reader.join()
    assert not errors, errors
    assert answered > 0
    if settings.vector_store == "milvus":
        assert len(_milvus_versions(settings)) == 2, "old versions are dropped"
    else:
        assert len(list((settings.resolved_index_dir / "versions").iterdir())) <= 2, (
            "old versions are cleaned up"
        )


@both_stores
def test_the_answer_sentence_is_the_bold_sentence(
    settings: IndexSettings, embedder: Embedder
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    top = index.search(QUESTION)[0]
    start, end = top.bold_sentence
    assert top.text[start:end].startswith(
        "The Paris conference comes after France, Germany and the UK"
    )
    unbolded = index.search(QUESTION, bold_sentence=False)[0]
    assert unbolded.bold_sentence == (0, 0)
    assert index.with_bold_sentence(unbolded, QUESTION) == top


@both_stores
def test_topics_match_new_articles_by_their_best_passage(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """What alerts use: per article and topic the best passage, its cosine from the stored
    vectors (no re-embedding), the lexical boost for a named place, and a cited bold sentence."""
    IndexWriter(settings, embedder).rebuild([SEEDS])
    volcano = write_article(tmp_path / "new", "volcano.md", "Iceland volcano erupts", VOLCANO)
    IndexWriter(settings, embedder).add([volcano])
    index = NewsIndex(settings, embedder)
    new = index.articles_indexed_since("")
    ids = [a.id for a in new]
    topics = ["volcanic eruptions in Iceland", "Western troops in Ukraine"]
    vectors = np.stack([index.embed_topic(t) for t in topics])

    dense = index.match_articles(ids, vectors)
    volcano_id = next(a.id for a in new if a.title == "Iceland volcano erupts")
    seed_id = next(a.id for a in new if a.id != volcano_id)
    assert dense[volcano_id][0].score > 0.5 > dense[seed_id][0].score
    assert dense[seed_id][1].score > 0.4 > dense[volcano_id][1].score
    # The cosine is the one of the stored passage vector: re-embedding gives the same figure.
    best = dense[volcano_id][0]
    record = index.snapshot().passages([best.row])[best.row]
    again = embedder.encode_documents([document_text(record.title, record.text)])[0] @ vectors[0]
    assert abs(float(again) - best.cosine) < 1e-4

    hybrid = index.match_articles(ids, vectors, topics, lexical_weight=0.3)
    lifted = hybrid[volcano_id][0]
    assert lifted.cosine == pytest.approx(best.cosine) and lifted.score > lifted.cosine
    assert index.match_articles(["no-such-article"], vectors) == {}

    hit = index.cite(lifted.row, lifted.cosine, (topics[0], vectors[0]))
    assert hit is not None and hit.title == "Iceland volcano erupts"
    assert "erupted" in hit.text[hit.bold_sentence[0] : hit.bold_sentence[1]]
    lead = index.lead_passages([seed_id])[seed_id]
    plain = index.cite(lead, 1.0)
    assert plain is not None and plain.passage_number == 1 and plain.bold_sentence == (0, 0)


def test_hybrid_search_keeps_rare_names_and_reads_old_versions(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "articles"
    write_article(folder, "volcano.md", "Iceland volcano erupts", VOLCANO)
    write_article(
        folder, "budget.md", "Poland's budget is signed",
        "Polish President Andrzej Duda signed the 2024 budget on Wednesday after weeks of "
        "dispute with the new government over public media.",
    )  # fmt: skip
    write_article(
        folder, "summit.md", "Leaders meet in Warsaw",
        "European leaders met in Warsaw to discuss support for Ukraine and the defence of "
        "Nato's eastern flank; Poland's prime minister hosted the talks.",
    )  # fmt: skip
    report = IndexWriter(settings, embedder).rebuild([folder])
    assert report.version is not None and (report.version / "word_index").is_dir()

    for mode in ("hybrid", "lexical", "dense"):
        index = NewsIndex(settings.model_copy(update={"search_mode": mode}), embedder)
        hits = index.search("What did Duda sign?", k=3, min_score=-1.0, min_confidence=0.0)
        assert hits[0].title == "Poland's budget is signed", mode
        assert all(-1.0 <= h.score <= 1.0 for h in hits)  # cosines, whatever the ranking
    lexical = NewsIndex(settings.model_copy(update={"search_mode": "lexical"}), embedder)
    assert [
        h.title for h in lexical.search("Grindavik", k=3, min_score=-1.0, min_confidence=0.0)
    ] == [
        "Iceland volcano erupts"
    ]  # only the passage with the word: BM25 does not pad with unrelated text

    # A version written before the word index (and file checksums) existed still serves, by
    # meaning alone.
    shutil.rmtree(report.version / "word_index")
    dataclasses.replace(Manifest.load(report.version), files={}).save(report.version)
    with caplog.at_level("WARNING"):
        old = NewsIndex(settings, embedder).search("What did Duda sign?", k=1)
    assert old[0].title == "Poland's budget is signed"
    assert "no word index" in caplog.text and "no file checksums" in caplog.text


@both_stores
def test_a_reprinted_wire_story_is_cited_once_naming_both_sources(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    for name, source in (("wire.md", "Wire One"), ("reprint.md", "Daily Reprint")):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(
            f"---\ntitle: Volcano erupts ({source})\nsource: {source}\npublished: 2024-03-01\n"
            f"---\n{VOLCANO}\n",
            "utf-8",
        )
    write_article(folder, "other.md", "Ski season opens", "Ski resorts in the Alps opened early.")
    IndexWriter(settings, embedder).rebuild([folder])
    hits = NewsIndex(settings, embedder).search(
        "Where did the lava flow?", k=3, min_score=-1.0, min_confidence=0.0
    )
    assert hits[0].source in ("Wire One", "Daily Reprint")
    assert [ref.source for ref in hits[0].also_in] == [
        {"Wire One": "Daily Reprint", "Daily Reprint": "Wire One"}[hits[0].source]
    ]
    assert [h.title for h in hits[1:]] == ["Ski season opens"]


@both_stores
def test_an_article_above_max_article_bytes_is_skipped_and_the_rest_indexed(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    write_article(folder, "volcano.md", "Iceland volcano erupts again", VOLCANO)
    huge = write_article(folder, "huge.md", "A very long report", VOLCANO * 20)
    limited = settings.model_copy(update={"max_article_bytes": 2_000})

    report = IndexWriter(limited, embedder).rebuild([folder])

    size = len((VOLCANO * 20).encode())
    assert [str(s) for s in report.skipped] == [
        f"{huge.as_posix()}: too large: {size:,} bytes of text; the limit is "
        "MAX_ARTICLE_BYTES=2,000"
    ]
    assert [a.id for a in NewsIndex(settings, embedder).list_articles()] == ["volcano"]
    with pytest.raises(UnreadableArticleError, match="MAX_ARTICLE_BYTES"):
        IndexWriter(limited, embedder).add([folder], strict=True)


class _PausedEmbedder(DelegatingEmbedder):
    """The real model, paused at its first batch of passages until the test lets it go on, and
    noting whether the index's write lock was held whenever it counted tokens or embedded."""

    def __init__(self, embedder: Embedder, index_dir: Path) -> None:
        super().__init__(embedder)
        self._layout = IndexLayout(index_dir)
        self.embedding = threading.Event()
        self.go_on = threading.Event()
        self.under_lock: list[str] = []

    def _note_lock(self, step: str) -> None:
        try:
            with self._layout.write_lock(wait_seconds=0):
                pass
        except IndexBusyError:
            self.under_lock.append(step)

    def _pause(self) -> None:
        self._note_lock("embedding")
        self.embedding.set()
        assert self.go_on.wait(timeout=300)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        self._note_lock("splitting")
        return super().count_tokens(texts)

    def encode_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self._pause()
        return super().encode_documents(texts, progress=progress)

    def encode_passages(
        self, texts: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]], *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:  # fmt: skip
        self._pause()
        return super().encode_passages(texts, sentences, progress=progress)


@both_stores
def test_the_write_lock_is_only_held_to_publish(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """Another writer gets the lock and publishes while a long article is split and embedded;
    the first write then adds to that version instead of undoing it."""
    IndexWriter(settings, embedder).rebuild([SEEDS])
    paused = _PausedEmbedder(embedder, settings.resolved_index_dir)
    long_report = " ".join(f"Harbour report sentence {i} names pier {i}." for i in range(400))
    report_file = write_article(tmp_path / "long", "harbour.md", "Harbour report", long_report)
    reports = []
    first = threading.Thread(
        target=lambda: reports.append(IndexWriter(settings, paused).add([report_file]))
    )
    first.start()
    try:
        assert paused.embedding.wait(timeout=300)
        with IndexLayout(settings.resolved_index_dir).write_lock(wait_seconds=0):
            pass  # free while the first writer embeds
        volcano = write_article(tmp_path / "in", "volcano.md", "Iceland volcano", VOLCANO)
        other = IndexWriter(settings, embedder).add([volcano])
        assert (other.version or other.collection) is not None
    finally:
        paused.go_on.set()
        first.join()
    (report,) = reports
    assert paused.under_lock == []
    assert len(report.added) == 1 and report.embedded == report.passages - other.passages
    titles = {a.title for a in NewsIndex(settings, embedder).list_articles()}
    assert {"Harbour report", "Iceland volcano"} <= titles and len(titles) == 3


def test_a_reader_keeps_reading_a_version_removed_under_it(
    settings: IndexSettings, embedder: Embedder
) -> None:
    """A writer keeps only the newest versions; a thread that first reads a version after it
    was removed still gets its rows, from the connection opened when it was loaded."""
    folder = seed_version(settings, embedder)
    reader = MetadataReader(folder)
    try:
        rows = [row for row, _ in reader.passage_rows(["000_73da1f60caab5eee"])] or [0]
        expected = reader.passages(rows)
        shutil.rmtree(folder)
        found: list[object] = []
        thread = threading.Thread(target=lambda: found.append(reader.passages(rows)))
        thread.start()
        thread.join()
        assert found == [expected] and expected
    finally:
        reader.close()
