"""Pure rendering of answers, article lists and stats as Telegram HTML (and plain terminal text).

Telegram rejects a whole message when its HTML is off or when its visible text is longer than
4,096 UTF-16 code units, so every outside string is escaped here and every length is counted the
way Telegram counts it. No I/O and no telegram imports: all of it is tested directly.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot import texts

if TYPE_CHECKING:
    from index.searcher import Hit, IndexStats
    from index.store import ArticleSummary

TELEGRAM_LIMIT = 4096
# Cosine-score thresholds tuned to all-MiniLM-L6-v2: unrelated text scores below ~0.3, a passage
# on the topic ~0.4-0.5, and one that states the answer 0.6 or more.
STRONG_SCORE = 0.60
GOOD_SCORE = 0.45
PARTIAL_SCORE = 0.30

QUESTION_MAX_CHARS = 200
TITLE_LIMITS = (200, 100, 60)  # tried in turn until every excerpt gets MIN_EXCERPT_CHARS
SOURCES_TITLE_CHARS = 120
SOURCE_MAX_CHARS = 60
DATE_MAX_CHARS = 24
EXCERPT_MAX_CHARS = 600  # enough for the sentence and its neighbours; more is hard to read
MIN_EXCERPT_CHARS = 120
MAX_LINK_CHARS = 2048
PLAIN_WIDTH = 88
_INDENT = "   "
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?= )")
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n\n|\n| |[^<&\s]+|.", re.DOTALL)
_BREAKS = {"\n\n": 3, "\n": 2, " ": 1}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(text: str) -> str:
    """Text for Telegram HTML: only `&`, `<` and `>` need escaping outside attributes."""
    return html.escape(text, quote=False)


def escape_attr(text: str) -> str:
    """An attribute value (an href) inside double quotes, so `"` is escaped too."""
    return html.escape(text, quote=True)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts against its limits."""
    return len(text.encode("utf-16-le")) // 2


def to_plain(html_text: str) -> str:
    """Our own HTML (texts.py, this module) as the plain text Telegram would display."""
    return html.unescape(_TAG.sub("", html_text))


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text)


def _prefix_len(text: str, units: int) -> int:
    """How many characters of `text` fit in `units` UTF-16 code units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            return i
    return len(text)


def _head(text: str, units: int, *, prefer_sentence: bool = True) -> str:
    """The longest start of `text` within `units`, cut after a word (or sentence when cheap)."""
    n = _prefix_len(text, max(0, units))
    if n >= len(text):
        return text
    cut = text[:n]
    if text[n] != " " and " " in cut:
        cut = cut[: cut.rfind(" ")]  # a single overlong word has no boundary: cut it hard
    if prefer_sentence:
        ends = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() >= len(cut) // 2]
        cut = cut[: ends[-1]] if ends else cut
    return cut.rstrip()


def _tail(text: str, units: int) -> str:
    """The longest end of `text` within `units`, starting at a word (or sentence when cheap)."""
    n = len(text) - _prefix_len(text[::-1], max(0, units))
    if n <= 0:
        return text
    cut = text[n:]
    if text[n - 1] != " " and " " in cut:
        cut = cut[cut.find(" ") + 1 :]
    starts = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() <= len(cut) // 2]
    return (cut[starts[0] :] if starts else cut).lstrip()


def shorten(text: str, max_chars: int) -> str:
    """`text` on one line, cut after a word with "…" so it takes at most `max_chars` units."""
    text = _fold(text).strip()
    if utf16_len(text) <= max_chars:
        return text
    return _head(text, max_chars - 1, prefer_sentence=False) + ELLIPSIS if max_chars > 0 else ""


def relevance(score: float) -> str:
    """A label a reader understands, with the score for those who want it."""
    labels = (
        (STRONG_SCORE, texts.RELEVANCE_STRONG),
        (GOOD_SCORE, texts.RELEVANCE_GOOD),
        (PARTIAL_SCORE, texts.RELEVANCE_PARTIAL),
    )
    label = next((name for floor, name in labels if score >= floor), texts.RELEVANCE_WEAK)
    return f"{label} · {score:.2f}"


def format_date(published: str | None) -> str | None:
    """An ISO date or datetime as "26 Feb 2024" (fixed month names, whatever the locale)."""
    raw = (published or "").strip()
    if not raw:
        return None
    try:
        day = datetime.fromisoformat(raw).date()
    except ValueError:
        return shorten(raw, DATE_MAX_CHARS)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def human_size(size: int) -> str:
    """Bytes as "1.4 MB" (binary multiples, the way file managers show them)."""
    if size < 1024:
        return f"{max(0, size)} bytes"
    power = min(4, int(math.log(size, 1024)))
    return f"{size / 1024**power:.1f} {('KB', 'MB', 'GB', 'TB')[power - 1]}"


@dataclass(frozen=True, slots=True)
class Excerpt:
    """What to show of a passage: display strings, whitespace folded, with "…" where clipped.

    `before` keeps its trailing space and `after` its leading space, so `text` joins them as is.
    """

    before: str
    sentence: str
    after: str
    clipped_start: bool
    clipped_end: bool

    @property
    def text(self) -> str:
        start, end = ELLIPSIS * self.clipped_start, ELLIPSIS * self.clipped_end
        return f"{start}{self.before}{self.sentence}{self.after}{end}"


def _parts(text: str, highlight: tuple[int, int]) -> tuple[str, str, str]:
    """Folded text before, of and after the highlight; an unusable highlight focuses the start."""
    start, end = (min(max(0, int(v)), len(text)) for v in highlight)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return "", "", _fold(text).strip()
    return _fold(text[:start]).lstrip(), _fold(text[start:end]), _fold(text[end:]).rstrip()


def excerpt(text: str, highlight: tuple[int, int], max_chars: int) -> Excerpt:
    """The highlighted sentence with balanced context, `Excerpt.text` ≤ `max_chars` UTF-16 units.

    The sentence is kept whole when it fits (else cut after a word); context is cut at word or
    sentence boundaries. Below 2 units nothing fits with its "…", so the excerpt is empty.
    """
    before, sentence, after = _parts(text, highlight)
    nb, ns, na = utf16_len(before), utf16_len(sentence), utf16_len(after)
    if nb + ns + na <= max_chars:
        return Excerpt(before, sentence, after, False, False)
    if max_chars < 2:
        return Excerpt("", "", "", False, False)
    room = max_chars - ns
    if room < bool(before) + bool(after):  # the sentence alone does not fit: cut it
        cut = _head(sentence, max_chars - bool(before) - 1, prefer_sentence=False)
        return Excerpt("", cut, "", bool(before), True)
    if nb <= room // 2:
        room_before, room_after = nb, room - nb
    elif na <= room - room // 2:
        room_before, room_after = room - na, na
    else:
        room_before, room_after = room // 2, room - room // 2
    clip_before, clip_after = nb > room_before, na > room_after
    return Excerpt(
        _tail(before, room_before - 1) if clip_before else before,
        sentence,
        _head(after, room_after - 1) if clip_after else after,
        clip_before,
        clip_after,
    )


def _excerpt_html(part: Excerpt) -> str:
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


def _title_html(title: str, url: str | None, limit: int) -> str:
    short = shorten(title, limit)
    shown = escape(short) if short else texts.UNTITLED
    return f'<a href="{escape_attr(url or "")}">{shown}</a>' if _linkable(url) else shown


def _meta(source: str | None, published: str | None, *extra: str) -> str:
    """The plain "Source · 26 Feb 2024 · …" line (escape it for HTML)."""
    parts = [shorten(source or "", SOURCE_MAX_CHARS), format_date(published) or "", *extra]
    return " · ".join(p for p in parts if p)


def _visible_len(html_text: str) -> int:
    return utf16_len(to_plain(html_text))


def _share(room: int, wants: Sequence[int], cap: int) -> list[int]:
    """Split `room` fairly: short passages take what they need, long ones share the rest."""
    budgets = [0] * len(wants)
    left = max(0, room)
    order = sorted(range(len(wants)), key=lambda i: wants[i])
    for done, i in enumerate(order):
        budgets[i] = min(wants[i], cap, left // (len(order) - done))
        left -= budgets[i]
    return budgets


def format_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    page: int,
    has_more: bool,
    cut_note: bool = False,
    max_chars: int = TELEGRAM_LIMIT,
    question_max_chars: int | None = None,
) -> str:
    """One message: the question, then each hit (numbered by its rank) with an excerpt.

    Excerpt budgets are what is left of `max_chars` after the header, hit frames and notes,
    shared between hits, so the visible text fits for 1-10 hits whatever the titles.
    `page` counts from 0; `has_more` is False on the last page.
    """
    head = texts.ANSWER_HEADER(escape(shorten(question, QUESTION_MAX_CHARS)), page)
    notes = [texts.ANSWER_END] if page > 0 and not has_more else []
    notes += [texts.LONG_QUESTION_NOTE(question_max_chars)] if cut_note else []
    frames: list[str] = []
    room = 0
    for limit in TITLE_LIMITS:
        frames = [
            f"{hit.rank}. {_title_html(hit.title, hit.url, limit)}\n"
            f"<i>{escape(_meta(hit.source, hit.published, relevance(hit.score)))}</i>\n"
            for hit in hits
        ]
        room = max_chars - _visible_len("\n\n".join([head, *frames, *notes]))
        if room >= MIN_EXCERPT_CHARS * len(hits):
            break
    wants = [utf16_len(_fold(hit.text).strip()) for hit in hits]
    budgets = _share(room, wants, EXCERPT_MAX_CHARS)
    blocks = [
        (frame + _excerpt_html(excerpt(hit.text, hit.highlight, budget))).rstrip("\n")
        for frame, hit, budget in zip(frames, hits, budgets, strict=True)
    ]
    return "\n\n".join([head, *blocks, *notes])


def format_answer_plain(
    question: str,
    hits: Sequence[Hit],
    *,
    cut_note: bool = False,
    question_max_chars: int | None = None,
) -> str:
    """The same answer for the terminal: `**sentence**` for bold, the url on its own line."""
    header = to_plain(texts.ANSWER_HEADER(escape(shorten(question, QUESTION_MAX_CHARS)), 0))
    blocks = [_wrap(header, indent="")]
    for hit in hits:
        title = shorten(hit.title, TITLE_LIMITS[0]) or texts.UNTITLED
        lines = [
            _wrap(f"{hit.rank}. {title}", first=""),
            _wrap(_meta(hit.source, hit.published, relevance(hit.score))),
        ]
        if hit.url and hit.url.strip():
            lines.append(_INDENT + _fold(hit.url).strip())  # whole, so terminals can open it
        part = excerpt(hit.text, hit.highlight, EXCERPT_MAX_CHARS)
        bold = f"**{part.sentence}**" if part.sentence else ""
        start, end = ELLIPSIS * part.clipped_start, ELLIPSIS * part.clipped_end
        body = f"{start}{part.before}{bold}{part.after}{end}"
        lines += [_wrap(body)] if body else []
        blocks.append("\n".join(lines))
    if cut_note:
        blocks.append(_wrap(to_plain(texts.LONG_QUESTION_NOTE(question_max_chars)), indent=""))
    return "\n\n".join(blocks)


def _wrap(text: str, *, indent: str = _INDENT, first: str | None = None) -> str:
    """Terminal lines of ~88 columns; words (and urls) are never broken."""
    return textwrap.fill(
        text, PLAIN_WIDTH, initial_indent=indent if first is None else first, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip


def format_not_covered(question: str) -> str:
    """Nothing cleared the minimum score: say so, never pad with weak matches."""
    return texts.NOT_COVERED(escape(shorten(question, QUESTION_MAX_CHARS)))


def format_sources(articles: Sequence[ArticleSummary], *, page: int, pages: int, total: int) -> str:
    """One page of the article list; `page` counts from 0 and pages are of equal size.

    Numbers continue across pages: the last page ends at `total`, the others start at
    `page * len(articles) + 1`.
    """
    if not articles:
        return texts.SOURCES_EMPTY if total <= 0 else texts.SOURCES_HEADER(total, page, pages)
    last = page + 1 >= pages
    first = max(1, total - len(articles) + 1) if last else page * len(articles) + 1
    head = texts.SOURCES_HEADER(total, page, pages)
    lines = []
    for number, article in enumerate(articles, first):
        meta = escape(_meta(article.source, article.published))
        title = _title_html(article.title, article.url, SOURCES_TITLE_CHARS)
        lines.append(f"{number}. {title}" + (f" — <i>{meta}</i>" if meta else ""))
    listing = "\n".join([head, "", *lines])
    if _visible_len(listing) <= TELEGRAM_LIMIT:
        return listing
    more = texts.SOURCES_TRUNCATED  # only for absurd page sizes: drop the lines that do not fit
    while lines and _visible_len("\n".join([head, "", *lines, more])) > TELEGRAM_LIMIT:
        lines.pop()
    return "\n".join([head, "", *lines, more])


def _format_timestamp(raw: str) -> str:
    """An ISO timestamp as "26 Feb 2024, 14:05 UTC" (naive ones are taken to be UTC)."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return shorten(raw, 40) or texts.STATS_UNKNOWN
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{format_date(moment.date().isoformat())}, {moment:%H:%M} UTC"


def format_stats(stats: IndexStats) -> str:
    """What /stats shows: size, model and freshness of the live index."""
    model = f"<code>{escape(shorten(stats.model, 100))}</code>"
    rows = [
        (texts.STATS_ARTICLES, f"{stats.articles:,}"),
        (texts.STATS_PASSAGES, f"{stats.passages:,}"),
        (texts.STATS_MODEL, f"{model} ({stats.dimension} {texts.STATS_DIMENSIONS})"),
        (texts.STATS_UPDATED, escape(_format_timestamp(stats.built_at))),
        (texts.STATS_SIZE, human_size(stats.size_bytes)),
    ]
    return "\n".join([texts.STATS_HEADER, *(f"{name}: {value}" for name, value in rows)])


def split_message(html_text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` visible units, cut at a blank line, else a line, else a space.

    A safety net for messages that outgrow one Telegram message: tags open at a cut are closed
    at the end of the part and reopened at the start of the next, so every part is valid.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2, got {limit}")
    if _visible_len(html_text) <= limit:
        return [html_text]
    tokens = _TOKEN.findall(html_text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, opening tag as written)
    chunk: list[str] = []
    size, breaks, i = 0, [], 0
    while i < len(tokens):
        token = tokens[i]
        width = 0 if token.startswith("<") and len(token) > 1 else utf16_len(html.unescape(token))
        if size + width <= limit:
            if token in _BREAKS:
                breaks.append((_BREAKS[token], size, len(chunk), i, list(stack)))
            chunk.append(token)
            size += width
            _track(stack, token)
            i += 1
            continue
        if breaks:
            useful = [b for b in breaks if b[1] >= limit // 4] or breaks
            _, _, at, i, stack = max(useful, key=lambda b: (b[0], b[1]))
            chunk, i = chunk[:at], i + 1
        elif size == 0:  # a single word wider than the limit: cut it
            n = max(1, _prefix_len(token, limit))
            tokens[i : i + 1] = [token[:n], token[n:]]
            continue
        parts.append("".join(chunk) + "".join(f"</{name}>" for name, _ in reversed(stack)))
        chunk, size, breaks = [opening for _, opening in stack], 0, []
    parts.append("".join(chunk))
    return [part for part in parts if to_plain(part).strip()]


def _track(stack: list[tuple[str, str]], token: str) -> None:
    if token.startswith("</"):
        if stack:
            stack.pop()
    elif token.startswith("<") and len(token) > 1:
        name = re.match(r"<([\w-]+)", token)
        stack.append((name.group(1) if name else "", token))
