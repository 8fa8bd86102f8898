"""Feed bytes → entries, with feedparser (RSS 0.9x/2.0, Atom, RDF/RSS 1.0).

feedparser is only ever given bytes already fetched (wrapped in BytesIO: a string that looks
like a URL or a path would make it fetch or open it). It is lenient: a feed with an error
(`bozo`) is still read for what it holds, and only one that yields no entries is refused.
"""

from __future__ import annotations

import calendar
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import html as lxml_html
from lxml.etree import ParserError

from index.errors import FeedError

BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                    "tr", "section", "article", "figcaption"})  # fmt: skip
HARMLESS = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
"""What feedparser flags but reads fine: a feed served as text/plain, a charset corrected."""
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True, slots=True)
class Entry:
    guid: str | None
    link: str | None
    title: str | None
    published: str | None
    """ISO 8601 in UTC, from the entry's published (or updated) date."""
    content: str
    """The longest text the entry carries (content:encoded, Atom content, or its summary)."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: list[Entry]
    problem: str | None
    """What feedparser found wrong though it could read entries (`bozo`), if anything."""
    dropped: int = 0
    """Entries left out because the feed held more than `max_entries` (the oldest)."""


def parse_feed(
    body: bytes, *, url: str, content_type: str = "", max_entries: int | None = None
) -> ParsedFeed:
    """The entries of a feed, at most `max_entries` of them, newest first; FeedError when the
    bytes hold none (not a feed, or broken).

    The cap comes before each entry's HTML is read: a feed of fifty thousand items costs the
    parse, not fifty thousand conversions (and, later, as many page fetches)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    harmless = isinstance(parsed.get("bozo_exception"), HARMLESS)
    problem = _problem(parsed) if parsed.get("bozo") and not harmless else None
    usable = [raw for raw in parsed.entries if raw.get("link") or _has_text(raw)]
    taken = newest_first(usable, max_entries)
    entries = [e for e in (_entry(raw) for raw in taken) if e.link or e.content]
    if not entries:
        if problem is not None or not parsed.get("version"):
            raise FeedError(f"not a readable feed ({problem or 'no RSS, Atom or RDF found'})")
        return ParsedFeed(_text(parsed.feed.get("title")), [], None)
    return ParsedFeed(
        _text(parsed.feed.get("title")), entries, problem, dropped=len(usable) - len(taken)
    )


def newest_first(raw_entries: list[Any], limit: int | None) -> list[Any]:
    """The `limit` newest entries: dated ones by date, newest first, then undated ones in the
    feed's order (feeds list their newest first); all of them, in that order, without a limit."""
    dated = [(stamp, n, raw) for n, raw in enumerate(raw_entries) if (stamp := _stamp(raw))]
    dated.sort(key=lambda found: (-found[0], found[1]))
    undated = [raw for raw in raw_entries if not _stamp(raw)]
    ordered = [raw for _, _, raw in dated] + undated
    return ordered if limit is None else ordered[:limit]


def _stamp(raw: Any) -> int:
    """An entry's date as Unix seconds; 0 when it has none (or one that cannot be read)."""
    value = raw.get("published_parsed") or raw.get("updated_parsed")
    if not value:
        return 0
    try:
        return calendar.timegm(value)
    except (OverflowError, ValueError, TypeError):
        return 0


def _has_text(raw: Any) -> bool:
    return bool(raw.get("summary") or raw.get("content"))


def _problem(parsed: Any) -> str:
    exception = parsed.get("bozo_exception")
    text = str(exception).strip().splitlines()[0] if exception else "malformed"
    return f"{type(exception).__name__}: {text}" if exception else text


def _entry(raw: Any) -> Entry:
    contents = [c.get("value", "") for c in raw.get("content", []) or []]
    summary = raw.get("summary", "") or ""
    texts = [html_to_text(value) for value in [*contents, summary] if value]
    return Entry(
        guid=_text(raw.get("id")),
        link=_text(raw.get("link")),
        title=_text(raw.get("title")),
        published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
        content=max(texts, key=len, default=""),
    )


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _date(value: Any) -> str | None:
    """feedparser's UTC struct_time as ISO 8601."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def html_to_text(markup: str) -> str:
    """An entry's HTML as paragraphs separated by blank lines (as the index cuts passages)."""
    if "<" not in markup:
        return "\n\n".join(p.strip() for p in markup.split("\n\n") if p.strip())
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            if element.text:
                element.text = "\n\n" + element.text
    lines = [_SPACES.sub(" ", line).strip() for line in root.text_content().split("\n")]
    paragraphs, current = [], []  # type: ignore[var-annotated]
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)
