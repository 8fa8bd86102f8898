"""The lists /sources shows, one page at a time: the indexed articles, or the stories (each
with the outlets that reported it), read from the index and rendered as Telegram HTML. Telegram
adds page buttons (`bot.answers.handlers`), the terminal chat hints at the next command
(`bot.answers.local_chat`).

Blocking (the index is read from disk): call it through `asyncio.to_thread` in async code.
Raises IndexMissingError before the index is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot import texts
from bot.answers import rendering
from index import NewsIndex

PER_PAGE = 10


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a list, and what the others hold."""

    text: str
    """Telegram HTML."""
    page: int
    """From 0; a page past the end is the last one."""
    pages: int
    other_list: bool
    """Whether the other list (stories for articles, articles for stories) has anything."""


def articles_listing(index: NewsIndex, page: int) -> Listing:
    """The indexed articles, newest first."""
    stats = index.stats()
    pages = max(1, math.ceil(stats.articles / PER_PAGE))
    page = min(max(0, page), pages - 1)
    articles = index.list_articles(page * PER_PAGE, PER_PAGE)
    text = rendering.format_sources(articles, page=page, pages=pages, total=stats.articles)
    return Listing(text, page, pages, bool(stats.stories))


def stories_listing(index: NewsIndex, page: int) -> Listing:
    """The stories, newest first, each with its outlets."""
    stats = index.stats()
    if stats.stories is None:  # a version written before stories were kept
        return Listing(texts.STORIES_NOT_STORED, 0, 1, bool(stats.articles))
    pages = max(1, math.ceil(stats.stories / PER_PAGE))
    page = min(max(0, page), pages - 1)
    stories = index.list_stories(page * PER_PAGE, PER_PAGE)
    text = rendering.format_stories(
        stories, page=page, pages=pages, total=stats.stories,
        several=stats.stories_by_several_outlets,
    )  # fmt: skip
    return Listing(text, page, pages, bool(stats.articles))
