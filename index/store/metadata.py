"""The SQLite side of a version: articles and their passages, with text and offsets.

A version's database is written once, by a writer, then only read. Passage row `n` is vector
`n` in the version's FAISS index; a version appended to (`append_metadata`) has gaps where
articles were replaced or removed, and its vectors there are hidden from search.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.articles.article import Article
from index.errors import IndexCorruptError
from index.guarded import guarded
from index.passages.cutting import PassageSpan
from index.store.manifest import REBUILD_HINT
from index.store.passage_facts import ArticleFacts
from index.stories.fingerprint import story_moment
from index.stories.model import Story, StoryMember
from index.stories.table import story_rows

METADATA_NAME = "metadata.sqlite"

_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    url TEXT,
    source TEXT,
    published TEXT,
    language TEXT,
    origin TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    first_indexed_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    tokens INTEGER NOT NULL
);
CREATE INDEX passages_by_article ON passages(article_id, ordinal);
CREATE TABLE sentences (
    row INTEGER PRIMARY KEY,
    passage_row INTEGER NOT NULL REFERENCES passages(row),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX sentences_by_passage ON sentences(passage_row);
CREATE TABLE article_stories (
    article_id TEXT PRIMARY KEY REFERENCES articles(id),
    story_id TEXT NOT NULL,
    terms TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX article_stories_by_story ON article_stories(story_id);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    first_published TEXT,
    last_published TEXT,
    outlets TEXT NOT NULL,
    articles INTEGER NOT NULL,
    predecessor TEXT
);
"""
"""Sentence row `n` is sentence vector `n` (index.store.faiss.sentence_codes); offsets are the article's.
Versions of format 1 have no sentences table, versions before format 3 no stories tables.
`stories` is derived from `article_stories` and the articles when the version is written
(`index.stories.table`): first and last published, outlets (JSON, in the order they reported)."""


@dataclass(frozen=True, slots=True)
class ArticleStory:
    """An article's story as a version stores it, with what a later write compares it by."""

    story_id: str
    predecessor: str | None
    """The story the article's story develops (the same for every article of a story)."""
    terms: str
    """The names and title words of its story card (`index.stories.fingerprint.card_terms`)."""
    vector: np.ndarray
    """Its article vector, stored as float16 (`index.stories.fingerprint.article_vector`)."""


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """An article with its passages, as stored in one version."""

    article: Article
    passages: tuple[PassageSpan, ...]
    first_indexed_at: str
    story: ArticleStory | None = None
    """None until the writer places it (and in versions before format 3)."""

    def passage_texts(self) -> list[str]:
        return [self.article.text[p.start : p.end] for p in self.passages]


@dataclass(frozen=True, slots=True)
class PassageRecord:
    """One passage joined with the article fields a citation needs."""

    row: int
    article_id: str
    ordinal: int
    start: int
    end: int
    text: str
    title: str
    url: str | None
    source: str | None
    published: str | None
    first_indexed_at: str
    passages_in_article: int
    story_id: str | None = None
    """The story (`index.stories`) of the passage's article; None in versions before format 3."""


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What a listing of the index shows for one article."""

    id: str
    title: str
    url: str | None
    source: str | None
    published: str | None
    passages: int
    first_indexed_at: str
    story_id: str | None = None
    """The story (`index.stories`) the article belongs to; None in versions before format 3."""


def write_metadata(folder: Path, articles: Sequence[IndexedArticle]) -> None:
    """Write a version's database; passage rows are numbered in the order given."""
    db = sqlite3.connect(folder / METADATA_NAME)
    try:
        db.executescript(_SCHEMA)
        with db:
            _insert(db, articles, 0, 0)
            _insert_stories(db, articles)
    finally:
        db.close()


def append_metadata(
    folder: Path,
    previous: Path,
    retired: Collection[str],
    changed: Sequence[IndexedArticle],
    new: Sequence[IndexedArticle],
    start: tuple[int, int],
    stories: Collection[str],
    members: Sequence[IndexedArticle],
) -> None:
    """The previous version's database, copied into `folder` and changed by what a write did,
    rather than written again whole.

    `retired` articles lose their rows (their passage and sentence rows become gaps: they are
    never given again); `changed` ones keep their passages and get their new fields (origin,
    story); `new` ones get passage and sentence rows from `start` (next passage row, next
    sentence row). The `stories` the write touched are written again from their `members`
    (every article now in one of them).
    """
    shutil.copyfile(previous / METADATA_NAME, folder / METADATA_NAME)
    db = sqlite3.connect(folder / METADATA_NAME)
    try:
        with db:
            for article_id in retired:
                db.execute(
                    "DELETE FROM sentences WHERE passage_row IN"
                    " (SELECT row FROM passages WHERE article_id = ?)",
                    (article_id,),
                )
                db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
                db.execute("DELETE FROM article_stories WHERE article_id = ?", (article_id,))
                db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            for item in changed:
                db.execute("DELETE FROM article_stories WHERE article_id = ?", (item.article.id,))
                db.execute("DELETE FROM articles WHERE id = ?", (item.article.id,))
            db.executemany(
                "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)", _article_rows(changed)
            )
            db.executemany("INSERT INTO article_stories VALUES (?,?,?,?)", _story_links(changed))
            _insert(db, new, *start)
            db.executemany("DELETE FROM stories WHERE id = ?", [(s,) for s in stories])
            _insert_stories(db, members)
    finally:
        db.close()


def _among(ids: Collection[str]) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause keeping the rows whose `{id}` is one of `ids` (a JSON list in one
    parameter, so any number of ids fits), and its parameter."""
    return " WHERE {id} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),)


def _insert(
    db: sqlite3.Connection, articles: Sequence[IndexedArticle], row: int, sentence: int
) -> None:
    """Articles with their passages from passage row `row` and sentences from `sentence`."""
    db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)", _article_rows(articles))
    db.executemany("INSERT INTO passages VALUES (?,?,?,?,?,?)", _passage_rows(articles, row))
    db.executemany(
        "INSERT INTO sentences VALUES (?,?,?,?)", _sentence_rows(articles, row, sentence)
    )
    db.executemany("INSERT INTO article_stories VALUES (?,?,?,?)", _story_links(articles))


def _insert_stories(db: sqlite3.Connection, members: Sequence[IndexedArticle]) -> None:
    """The story table rows of the stories of `members`, derived from them."""
    db.executemany(
        "INSERT INTO stories VALUES (?,?,?,?,?,?)",
        [
            (r.id, r.first_published, r.last_published, json.dumps(r.outlets),
             r.articles, r.predecessor)
            for r in story_rows(members)
        ],
    )  # fmt: skip


def _article_rows(articles: Iterable[IndexedArticle]) -> list[tuple[object, ...]]:
    return [
        (a.article.id, a.article.title, a.article.url, a.article.source,
         a.article.published, a.article.language, a.article.origin,
         a.article.content_hash, a.first_indexed_at, a.article.text)
        for a in articles
    ]  # fmt: skip


def _story_links(articles: Iterable[IndexedArticle]) -> list[tuple[object, ...]]:
    return [
        (a.article.id, a.story.story_id, a.story.terms,
         np.asarray(a.story.vector, np.float16).tobytes())
        for a in articles
        if a.story is not None
    ]  # fmt: skip


def _passage_rows(
    articles: Iterable[IndexedArticle], row: int = 0
) -> Iterable[tuple[int, str, int, int, int, int]]:
    for item in articles:
        for ordinal, span in enumerate(item.passages):
            yield row, item.article.id, ordinal, span.start, span.end, span.tokens
            row += 1


def _sentence_rows(
    articles: Iterable[IndexedArticle], row: int = 0, sentence: int = 0
) -> Iterable[tuple[int, int, int, int]]:
    for item in articles:
        for span in item.passages:
            for start, end in span.sentences:
                yield sentence, row, start, end
                sentence += 1
            row += 1


@contextlib.contextmanager
def _damage_named(path: Path) -> Iterator[None]:
    """A version's database damaged after it was opened reads as IndexCorruptError, in one line."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc}): {REBUILD_HINT}") from None


def _reading(reader: MetadataReader) -> contextlib.AbstractContextManager[None]:
    return _damage_named(reader.path)


_damage_is_named = guarded(_reading)


class MetadataReader:
    """Read-only access to a published version's database, one connection per thread."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / METADATA_NAME
        if not self.path.is_file():
            raise IndexCorruptError(f"{self.path} is missing: {REBUILD_HINT}")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        try:
            self._first = self._db()
            self._first.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"{self.path} cannot be read ({exc}): {REBUILD_HINT}") from None

    def _db(self) -> sqlite3.Connection:
        """This thread's connection. A version may be removed while a reader still serves it
        (a writer keeps only the newest versions): a thread that comes to it after that shares
        the connection opened at load, which still reads the removed file."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                # immutable=1: published versions never change, so SQLite skips all locking.
                db = sqlite3.connect(
                    f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False
                )
            except sqlite3.OperationalError:
                if self.path.exists() or not hasattr(self, "_first"):
                    raise
                db = self._first  # serialized by SQLite: reads only
            else:
                with self._guard:
                    self._connections.append(db)
            self._local.db = db
        return db

    def close(self) -> None:
        with self._guard:
            for db in self._connections:
                db.close()
            self._connections.clear()

    @_damage_is_named
    def passages(self, rows: Sequence[int]) -> dict[int, PassageRecord]:
        """Passages by row, with the text cut from the article."""
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        story, joined = self._story_join("p.article_id")
        cursor = self._db().execute(
            "SELECT p.row, p.article_id, p.ordinal, p.start, p.end,"
            " substr(a.text, p.start + 1, p.end - p.start),"
            " a.title, a.url, a.source, a.published, a.first_indexed_at,"
            f" (SELECT count(*) FROM passages q WHERE q.article_id = p.article_id), {story}"
            f" FROM passages p JOIN articles a ON a.id = p.article_id{joined}"
            f" WHERE p.row IN ({marks})",
            list(rows),
        )
        return {r[0]: PassageRecord(*r) for r in cursor}

    def _story_join(self, article_id: str) -> tuple[str, str]:
        """The story id column and the join that gives it ("NULL" and nothing before format 3)."""
        if not self.has_stories():
            return "NULL", ""
        return "s.story_id", f" LEFT JOIN article_stories s ON s.article_id = {article_id}"

    @_damage_is_named
    def has_stories(self) -> bool:
        """Whether the version stores its articles' stories (format 3 and later)."""
        if not hasattr(self._local, "stories"):
            found = self._db().execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_stories'"
            )
            self._local.stories = found.fetchone() is not None
        return bool(self._local.stories)

    @_damage_is_named
    def stories(self, story_ids: Sequence[str]) -> dict[str, Story]:
        """The stories named, with their articles oldest first; none before format 3."""
        if not story_ids or not self.has_stories():
            return {}
        marks = ",".join("?" * len(story_ids))
        db = self._db()
        members: dict[str, list[tuple[str, StoryMember]]] = {}
        for story_id, article_id, title, url, source, published, indexed in db.execute(
            "SELECT s.story_id, a.id, a.title, a.url, a.source, a.published, a.first_indexed_at"
            f" FROM article_stories s JOIN articles a ON a.id = s.article_id"
            f" WHERE s.story_id IN ({marks})",
            list(story_ids),
        ):
            moment = story_moment(published, indexed).isoformat()
            member = StoryMember(article_id, title, url, source, published)
            members.setdefault(story_id, []).append((moment, member))
        found = {}
        for story_id, first, last, predecessor in db.execute(
            "SELECT id, first_published, last_published, predecessor FROM stories"
            f" WHERE id IN ({marks})",
            list(story_ids),
        ):
            ordered = sorted(members.get(story_id, []), key=lambda m: (m[0], m[1].article_id))
            found[story_id] = Story(
                story_id, tuple(m for _, m in ordered), first, last, predecessor
            )
        return found

    @_damage_is_named
    def list_stories(self, offset: int = 0, limit: int | None = None) -> list[Story]:
        """Stories newest first (by last published, then id), with their articles oldest
        first; none before format 3."""
        if not self.has_stories():
            return []
        page = [
            str(story_id)
            for (story_id,) in self._db().execute(
                "SELECT id FROM stories ORDER BY coalesce(last_published, '') DESC, id"
                " LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            )
        ]
        found = self.stories(page)
        return [found[story_id] for story_id in page if story_id in found]

    @_damage_is_named
    def story_counts(self) -> tuple[int, int] | None:
        """(stories, stories told by more than one outlet); None before format 3."""
        if not self.has_stories():
            return None
        stories, several = (
            self._db()
            .execute(
                "SELECT count(*), coalesce(sum(json_array_length(outlets) > 1), 0) FROM stories"
            )
            .fetchone()
        )
        return int(stories), int(several)

    @_damage_is_named
    def has_sentences(self) -> bool:
        """Whether the version stores its passages' sentences (format 2 and later)."""
        found = self._db().execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sentences'"
        )
        return found.fetchone() is not None

    @_damage_is_named
    def sentence_count(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM sentences").fetchone()[0])

    @_damage_is_named
    def sentences(self, rows: Sequence[int]) -> dict[int, list[tuple[int, int, int]]]:
        """For each passage row, its sentences in order as (sentence row, start, end) in the article."""
        found: dict[int, list[tuple[int, int, int]]] = {row: [] for row in rows}
        if not rows:
            return found
        marks = ",".join("?" * len(rows))
        for sentence, passage, start, end in self._db().execute(
            f"SELECT row, passage_row, start, end FROM sentences WHERE passage_row IN ({marks})"
            " ORDER BY row",
            list(rows),
        ):
            found[int(passage)].append((int(sentence), int(start), int(end)))
        return found

    @_damage_is_named
    def passage_rows(self, article_ids: Sequence[str]) -> list[tuple[int, str]]:
        """(row, article id) of every passage of these articles, in article order."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        cursor = self._db().execute(
            f"SELECT row, article_id FROM passages WHERE article_id IN ({marks})"
            " ORDER BY article_id, ordinal",
            list(article_ids),
        )
        return [(int(row), str(article_id)) for row, article_id in cursor]

    @_damage_is_named
    def article_facts(self) -> list[ArticleFacts]:
        """Every article's passage rows, outlet, dates and story, by first row: what ranking
        (`index.store.passage_facts`) and filters (`index.store.faiss.row_masks`) read."""
        story, joined = self._story_join("p.article_id")
        cursor = self._db().execute(
            "SELECT min(p.row), count(*), p.article_id, a.source, a.published,"
            f" a.first_indexed_at, {story}"
            f" FROM passages p JOIN articles a ON a.id = p.article_id{joined}"
            " GROUP BY p.article_id ORDER BY min(p.row)"
        )
        return [
            ArticleFacts(int(r), int(n), str(i), s, p, str(f), t) for r, n, i, s, p, f, t in cursor
        ]

    @_damage_is_named
    def sources(self) -> list[tuple[str, int]]:
        """Every outlet with its article count, most articles first."""
        cursor = self._db().execute(
            "SELECT source, count(*) FROM articles WHERE source IS NOT NULL AND source != ''"
            " GROUP BY source ORDER BY count(*) DESC, source"
        )
        return [(str(s), int(n)) for s, n in cursor]

    @_damage_is_named
    def first_rows(self) -> dict[str, int]:
        """Each article's first passage row (its passages follow it)."""
        cursor = self._db().execute("SELECT article_id, min(row) FROM passages GROUP BY article_id")
        return {str(article_id): int(row) for article_id, row in cursor}

    @_damage_is_named
    def row_mask(self, total_rows: int) -> np.ndarray:
        """Which of `total_rows` passage rows the metadata lists: an append's hidden rows not."""
        mask = np.zeros(total_rows, dtype=bool)
        rows = np.fromiter(
            (row for (row,) in self._db().execute("SELECT row FROM passages")), dtype=np.int64
        )
        mask[rows[rows < total_rows]] = True
        return mask

    @_damage_is_named
    def next_row(self) -> int:
        """One above the highest passage row (0 without passages)."""
        found = self._db().execute("SELECT max(row) FROM passages").fetchone()[0]
        return 0 if found is None else int(found) + 1

    @_damage_is_named
    def next_sentence(self) -> int:
        """One above the highest sentence row (0 without sentences)."""
        found = self._db().execute("SELECT max(row) FROM sentences").fetchone()[0]
        return 0 if found is None else int(found) + 1

    @_damage_is_named
    def counts(self) -> tuple[int, int]:
        """(articles, passages)."""
        db = self._db()
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
        return int(articles), int(passages)

    @_damage_is_named
    def list_articles(self, offset: int = 0, limit: int | None = None) -> list[ArticleSummary]:
        """Articles newest first (by publication date, then by when they were indexed)."""
        story, joined = self._story_join("a.id")
        cursor = self._db().execute(
            "SELECT a.id, a.title, a.url, a.source, a.published,"
            " (SELECT count(*) FROM passages p WHERE p.article_id = a.id), a.first_indexed_at,"
            f" {story} FROM articles a{joined}"
            " ORDER BY coalesce(a.published, '') DESC, a.first_indexed_at DESC, a.id"
            " LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        )
        return [ArticleSummary(*r) for r in cursor]

    @_damage_is_named
    def indexed_articles(self, ids: Collection[str] | None = None) -> list[IndexedArticle]:
        """Everything in the version (or the articles of these ids), for a writer that builds
        the next version from it."""
        db = self._db()
        among, params = ("", ()) if ids is None else _among(ids)
        sentences: dict[int, list[tuple[int, int]]] = {}
        if self.has_sentences():
            for passage, start, end in db.execute(
                "SELECT s.passage_row, s.start, s.end FROM sentences s"
                + ("" if ids is None else " JOIN passages p ON p.row = s.passage_row")
                + among.replace("{id}", "p.article_id")
                + " ORDER BY s.row",
                params,
            ):
                sentences.setdefault(passage, []).append((start, end))
        spans: dict[str, list[PassageSpan]] = {}
        for row, article_id, start, end, tokens in db.execute(
            "SELECT row, article_id, start, end, tokens FROM passages"
            + among.replace("{id}", "article_id")
            + " ORDER BY row",
            params,
        ):
            found = tuple(sentences.get(row, ()))
            spans.setdefault(article_id, []).append(PassageSpan(start, end, tokens, found))
        stories = self._article_stories(db, among.replace("{id}", "article_id"), params)
        result = []
        for row in db.execute(
            "SELECT id, title, text, url, source, published, language, origin, content_hash,"
            " first_indexed_at FROM articles" + among.replace("{id}", "id"),
            params,
        ):
            article = Article(*row[:9])
            passages = tuple(spans.get(article.id, ()))
            result.append(IndexedArticle(article, passages, row[9], stories.get(article.id)))
        return result

    def _article_stories(
        self, db: sqlite3.Connection, among: str = "", params: tuple[str, ...] = ()
    ) -> dict[str, ArticleStory]:
        if not self.has_stories():
            return {}
        predecessors = dict(db.execute("SELECT id, predecessor FROM stories"))
        return {
            article_id: ArticleStory(
                story_id,
                predecessors.get(story_id),
                terms,
                np.frombuffer(vector, np.float16).astype(np.float32),
            )
            for article_id, story_id, terms, vector in db.execute(
                "SELECT article_id, story_id, terms, vector FROM article_stories" + among, params
            )
        }

    @_damage_is_named
    def story_member_ids(self, story_ids: Collection[str]) -> list[str]:
        """The articles of these stories."""
        if not story_ids or not self.has_stories():
            return []
        among, params = _among(story_ids)
        cursor = self._db().execute(
            "SELECT article_id FROM article_stories" + among.replace("{id}", "story_id"), params
        )
        return [str(article_id) for (article_id,) in cursor]

    @_damage_is_named
    def placed_moments(self) -> list[tuple[str, str | None, str]]:
        """(id, published, first indexed) of every article placed in a story: what a writer that
        reads only some articles finds an article's story neighbours by."""
        if not self.has_stories():
            return []
        cursor = self._db().execute(
            "SELECT a.id, a.published, a.first_indexed_at FROM articles a"
            " JOIN article_stories s ON s.article_id = a.id"
        )
        return [(str(i), p, str(f)) for i, p, f in cursor]

    @_damage_is_named
    def articles_indexed_since(self, since: str) -> list[ArticleSummary]:
        """Articles first indexed after an ISO timestamp, oldest first (for alerts)."""
        story, joined = self._story_join("a.id")
        cursor = self._db().execute(
            "SELECT a.id, a.title, a.url, a.source, a.published,"
            " (SELECT count(*) FROM passages p WHERE p.article_id = a.id), a.first_indexed_at,"
            f" {story} FROM articles a{joined}"
            " WHERE a.first_indexed_at > ? ORDER BY a.first_indexed_at, a.id",
            (since,),
        )
        return [ArticleSummary(*r) for r in cursor]
