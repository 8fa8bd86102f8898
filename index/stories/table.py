"""The story table a version stores: each story's first and last moment, outlets and
predecessor, derived from its articles when the version is written. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from index.articles.article import Article
from index.stories.fingerprint import story_moment


class _StoryTag(Protocol):
    @property
    def story_id(self) -> str: ...

    @property
    def predecessor(self) -> str | None: ...


class _Placed(Protocol):
    """What the table reads of an indexed article (`index.store.metadata.IndexedArticle`)."""

    @property
    def article(self) -> Article: ...

    @property
    def first_indexed_at(self) -> str: ...

    @property
    def story(self) -> _StoryTag | None: ...


@dataclass(frozen=True, slots=True)
class StoryRow:
    id: str
    first_published: str
    last_published: str
    outlets: list[str]
    """Each outlet once, in the order it reported the story."""
    articles: int
    predecessor: str | None


def story_rows(items: Iterable[_Placed]) -> list[StoryRow]:
    """One row per story of the placed articles, by id."""
    members: dict[str, list[tuple[str, str, _Placed]]] = {}
    for item in items:
        if item.story is None:
            continue
        moment = story_moment(item.article.published, item.first_indexed_at).isoformat()
        members.setdefault(item.story.story_id, []).append((moment, item.article.id, item))
    rows = []
    for story_id in sorted(members):
        found = sorted(members[story_id], key=lambda m: (m[0], m[1]))
        outlets = list(dict.fromkeys(m[2].article.source for m in found if m[2].article.source))
        predecessor = next((m[2].story.predecessor for m in found if m[2].story), None)
        rows.append(StoryRow(story_id, found[0][0], found[-1][0], outlets, len(found), predecessor))
    return rows
