"""What the index tells of a story: the event several articles report, and its outlets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story, as a story lists it (oldest first)."""

    article_id: str
    title: str
    url: str | None
    source: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class Story:
    """One event as the index knows it: the articles that report it, oldest first.

    `id` never changes once given (an article joins an existing story, stories never merge),
    so alerts and answers can keep it. `predecessor` is the story this one develops (a strike
    ending after the story of its start), or None.
    """

    id: str
    members: tuple[StoryMember, ...]
    first_published: str | None
    last_published: str | None
    predecessor: str | None = None

    @property
    def title(self) -> str:
        """The title of the article that started the story."""
        return self.members[0].title if self.members else ""

    @property
    def outlets(self) -> tuple[str, ...]:
        """Every outlet that reported the story, in the order they did, each once."""
        return tuple(dict.fromkeys(m.source for m in self.members if m.source))
