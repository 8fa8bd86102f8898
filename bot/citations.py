"""How a passage or an article is cited, in answers and alerts alike: its title as a link, a
"source · date · part · relevance" line, other sources of the same passage, and the excerpt with
its sentence in bold, as Telegram HTML.

Every outside string is escaped (`bot.escaping`) and cut to a budget (`bot.excerpts`). No I/O and
no telegram imports: all of it is tested directly.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot import texts
from bot.escaping import escape, escape_attr
from bot.excerpts import ELLIPSIS, Excerpt, shorten
from index.search.relevance import FIXED_SCALE, GOOD, PARTIAL, STRONG, WEAK

if TYPE_CHECKING:
    from index.search.news_index import Hit, SourceRef
    from index.stories.model import Story, StoryMember

_RELEVANCE_LABELS = {
    STRONG: texts.RELEVANCE_STRONG, GOOD: texts.RELEVANCE_GOOD,
    PARTIAL: texts.RELEVANCE_PARTIAL, WEAK: texts.RELEVANCE_WEAK,
}  # fmt: skip

SOURCE_MAX_CHARS = 60
DATE_MAX_CHARS = 24
EXCERPT_MAX_CHARS = 600  # an alert's: the sentence and its neighbours; more is hard to read
FIRST_EXCERPT_MAX_CHARS = 1000
"""An answer's first citation, the one most read: its whole passage (passages are at most 180
tokens), so a passage holding the answer shows it (`benchmarks/citation_excerpts.py`)."""
LATER_EXCERPT_MAX_CHARS = 400
"""An answer's other citations: the bold sentence and a little around it, so three citations
make a shorter message than three of 600 did, the first one shown whole."""
MAX_LINK_CHARS = 2048
ALSO_IN_SHOWN = 3
ALSO_IN_NAME_CHARS = 40

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def relevance(hit: Hit) -> str:
    """A label a reader understands: the band search measured for the hit (how often such
    citations held the answer, `index.search.confidence`). The raw number means nothing to a
    reader and is not shown; a citation kept from before bands were measured gets the fixed
    cuts of its cosine."""
    band = hit.relevance or FIXED_SCALE.band(hit.score)
    return _RELEVANCE_LABELS.get(band, texts.RELEVANCE_WEAK)


def format_date(published: str | None) -> str | None:
    """An ISO date or datetime as "26 Feb 2024" (fixed month names, whatever the locale)."""
    raw = (published or "").strip()
    if not raw:
        return None
    day = _day(raw)
    if day is None:
        return shorten(raw, DATE_MAX_CHARS)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def date_span(first: str | None, last: str | None) -> str:
    """When a story ran, from its first article to its last, as short as it reads clearly:
    "1 Dec 2026", "1–3 Dec 2026", "30 Nov – 2 Dec 2026", "31 Dec 2025 – 2 Jan 2026" (plain
    text: escape it for HTML)."""
    start, end = _day((first or "").strip()), _day((last or "").strip())
    if start is None or end is None:
        shown = (format_date(first), format_date(last))
        return " – ".join(dict.fromkeys(d for d in shown if d))
    start, end = min(start, end), max(start, end)
    month = _MONTHS[end.month - 1]
    if start == end:
        return f"{end.day} {month} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {month} {end.year}"
    if start.year == end.year:
        return f"{start.day} {_MONTHS[start.month - 1]} – {end.day} {month} {end.year}"
    return f"{format_date(start.isoformat())} – {format_date(end.isoformat())}"


def _day(raw: str) -> date | None:
    try:
        return datetime.fromisoformat(raw).date() if raw else None
    except ValueError:
        return None


def excerpt_html(part: Excerpt) -> str:
    bold = f"<b>{escape(part.sentence)}</b>" if part.sentence else ""
    start, end = ELLIPSIS * part.clipped_start, ELLIPSIS * part.clipped_end
    return f"{start}{escape(part.before)}{bold}{escape(part.after)}{end}"


def _linkable(url: str | None) -> bool:
    """Only well-formed http(s) urls become links: Telegram rejects others, some are unsafe."""
    if not url or len(url) > MAX_LINK_CHARS or re.search(r"[\s\x00-\x1f\x7f]", url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def title_html(title: str, url: str | None, limit: int) -> str:
    short = shorten(title, limit)
    shown = escape(short) if short else texts.UNTITLED
    return f'<a href="{escape_attr(url or "")}">{shown}</a>' if _linkable(url) else shown


def meta_line(source: str | None, published: str | None, *extra: str) -> str:
    """The plain "Source · 26 Feb 2024 · …" line (escape it for HTML)."""
    parts = [shorten(source or "", SOURCE_MAX_CHARS), format_date(published) or "", *extra]
    return " · ".join(p for p in parts if p)


def passage_position(hit: Hit) -> str:
    """Where the passage sits in its article, when the article has more than one."""
    if hit.passages_in_article <= 1:
        return ""
    return texts.PASSAGE_POSITION(hit.passage_number, hit.passages_in_article)


def also_in_html(hit: Hit) -> str:
    """ "Also in …" for a passage other articles carry too (the same wire story), and "also
    reported by …" for the other outlets of its story, each on a line; or ""."""
    lines = ""
    if hit.also_in:
        shown = hit.also_in[:ALSO_IN_SHOWN]
        names = [title_html(ref.source or ref.title, ref.url, ALSO_IN_NAME_CHARS) for ref in shown]
        lines += f"<i>{texts.ALSO_IN(names, len(hit.also_in) - len(shown))}</i>\n"
    outlets = other_outlets(hit)
    if outlets:
        named = outlets[:ALSO_IN_SHOWN]
        names = [title_html(ref.source or ref.title, ref.url, ALSO_IN_NAME_CHARS) for ref in named]
        lines += f"<i>{texts.ALSO_REPORTED_BY(names, len(outlets) - len(named))}</i>\n"
    return lines


def other_outlets(hit: Hit) -> list[SourceRef]:
    """The story's other outlets (their first article each), not the cited one's own nor one
    already named as carrying the passage."""
    named = {hit.source, *(ref.source for ref in hit.also_in)}
    found: dict[str, SourceRef] = {}
    for ref in hit.also_reported:
        if ref.source and ref.source not in named:
            found.setdefault(ref.source, ref)
    return list(found.values())


def outlets_html(story: Story, shown: int = ALSO_IN_SHOWN) -> str:
    """The outlets that reported a story, each once in the order they did and linked to its
    first article of the story: "BBC, Reuters and 2 more"; "" when no article names one."""
    first: dict[str, StoryMember] = {}
    for member in story.members:
        if member.source:
            first.setdefault(member.source, member)
    names = [
        title_html(source, member.url, ALSO_IN_NAME_CHARS)
        for source, member in list(first.items())[: max(1, shown)]
    ]
    return texts.OUTLETS(names, len(first) - len(names)) if names else ""
