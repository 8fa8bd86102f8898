"""Stories as both stores keep them: placed when articles are indexed, kept by later writes
(in place on Milvus), the same after a rebuild, and read back as the story table, with search
citing one article per story and naming the other outlets."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.store.manifest import MANIFEST_NAME, file_digests
from tests.stores import both_stores

SHREWSBURY_BBC = (
    "River Severn bursts its banks in Shrewsbury", "BBC", "2026-12-01T08:00:00+00:00",
    "The River Severn burst its banks in Shrewsbury on Tuesday, flooding 200 homes. The "
    "Environment Agency issued 12 severe flood warnings. Mayor Jane Hill said residents of "
    "Frankwell were evacuated overnight.",
)  # fmt: skip
SHREWSBURY_REUTERS = (
    "Floods hit Shrewsbury as Severn overflows", "Reuters", "2026-12-01T14:00:00+00:00",
    "Floodwater from the Severn swamped 200 homes in Shrewsbury, England, on Tuesday. The "
    "Environment Agency said 12 severe flood warnings were in force, and Mayor Jane Hill said "
    "Frankwell residents had been moved.",
)  # fmt: skip
VALENCIA_AP = (
    "Floods in Valencia kill three", "AP", "2026-12-02T10:00:00+00:00",
    "Flash floods in Valencia, Spain, killed three people on Wednesday after torrential rain. "
    "Spain's AEMET weather agency issued a red alert for the region and the army deployed 500 "
    "soldiers.",
)  # fmt: skip


def write(folder: Path, name: str, article: tuple[str, str, str, str]) -> Path:
    title, source, published, body = article
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(
        f"---\ntitle: {title}\nsource: {source}\npublished: {published}\n---\n{body}\n", "utf-8"
    )
    return path


def stories_of(index: NewsIndex) -> dict[str, str | None]:
    return {a.id: a.story_id for a in index.list_articles()}


@both_stores
def test_a_late_copy_joins_the_story_and_a_rebuild_gives_the_same_stories(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    write(articles, "bbc", SHREWSBURY_BBC)
    write(articles, "ap", VALENCIA_AP)
    IndexWriter(settings, embedder).rebuild([articles])
    write(articles, "reuters", SHREWSBURY_REUTERS)
    report = IndexWriter(settings, embedder).add([articles])
    assert report.added == ["reuters"]
    index = NewsIndex(settings, embedder)
    placed = stories_of(index)
    assert placed["reuters"] == placed["bbc"] != placed["ap"]
    assert None not in placed.values()

    story = index.stories([placed["bbc"]])[placed["bbc"]]  # type: ignore[list-item]
    assert story.outlets == ("BBC", "Reuters")
    assert [m.article_id for m in story.members] == ["bbc", "reuters"]
    assert story.first_published.startswith("2026-12-01T08:00")
    assert story.last_published.startswith("2026-12-01T14:00")
    assert story.predecessor is None
    stats = index.stats()
    assert (stats.stories, stats.stories_by_several_outlets) == (2, 1)

    hits = index.search("Shrewsbury floods Severn", k=3, min_confidence=0.0)
    cited = [h.article_id for h in hits]
    assert len([a for a in cited if a in ("bbc", "reuters")]) == 1, "one citation per story"
    first = hits[0]
    assert first.story_id == placed["bbc"]
    assert [r.source for r in first.also_reported] == (
        ["Reuters"] if first.article_id == "bbc" else ["BBC"]
    )

    IndexWriter(settings, embedder).rebuild([articles])
    assert stories_of(NewsIndex(settings, embedder)) == placed


@both_stores
def test_an_edited_article_keeps_its_story_and_a_removed_one_leaves_it(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    write(articles, "bbc", SHREWSBURY_BBC)
    write(articles, "reuters", SHREWSBURY_REUTERS)
    IndexWriter(settings, embedder).rebuild([articles])
    placed = stories_of(NewsIndex(settings, embedder))
    title, source, published, body = SHREWSBURY_REUTERS
    write(articles, "reuters", (title, source, published, body + " Rain eased."))
    report = IndexWriter(settings, embedder).add([articles])
    assert report.updated == ["reuters"]
    assert stories_of(NewsIndex(settings, embedder)) == placed

    IndexWriter(settings, embedder).remove(["bbc"])
    index = NewsIndex(settings, embedder)
    story = index.stories([placed["reuters"]])[placed["reuters"]]  # type: ignore[index]
    assert story.outlets == ("Reuters",) and story.id == placed["bbc"]


@both_stores
def test_stories_are_listed_newest_first_with_their_outlets_and_paged(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    write(articles, "bbc", SHREWSBURY_BBC)
    write(articles, "reuters", SHREWSBURY_REUTERS)
    write(articles, "ap", VALENCIA_AP)
    IndexWriter(settings, embedder).rebuild([articles])
    index = NewsIndex(settings, embedder)

    listed = index.list_stories()
    assert [[m.article_id for m in s.members] for s in listed] == [["ap"], ["bbc", "reuters"]]
    valencia, shrewsbury = listed
    assert shrewsbury.title == SHREWSBURY_BBC[0] and shrewsbury.outlets == ("BBC", "Reuters")
    assert (valencia.last_published or "") > (shrewsbury.last_published or "")
    assert (shrewsbury.last_published or "").startswith("2026-12-01T14:00")
    assert index.stories([shrewsbury.id]) == {shrewsbury.id: shrewsbury}
    assert index.stats().stories == len(listed)
    assert index.list_stories(0, 1) == [valencia]
    assert index.list_stories(1, 10) == [shrewsbury]
    assert index.list_stories(2, 10) == [] and index.list_stories(0, 0) == []


def as_format_2(version: Path) -> None:
    """What a FAISS version written before stories were stored looks like."""
    db = sqlite3.connect(version / "metadata.sqlite")
    db.executescript("DROP TABLE stories; DROP TABLE article_stories;")
    db.close()
    manifest = json.loads((version / MANIFEST_NAME).read_text("utf-8"))
    manifest.update(format_version=2, files=file_digests(version))
    (version / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")


def test_a_version_before_stories_lists_none(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    write(articles, "bbc", SHREWSBURY_BBC)
    write(articles, "reuters", SHREWSBURY_REUTERS)
    report = IndexWriter(settings, embedder).rebuild([articles])
    assert report.version is not None
    as_format_2(report.version)
    index = NewsIndex(settings, embedder)
    assert index.list_stories() == [] and index.stats().stories is None
    assert len(index.list_articles()) == 2
