"""Pure rendering of answers, article lists and stats as Telegram HTML (and plain terminal text).

Telegram rejects a whole message when its HTML is off or when its visible text is longer than
4,096 UTF-16 code units, so every outside string is escaped (`bot.escaping`) and every length is
counted the way Telegram counts it (`bot.html_split`); each hit is cited as `bot.citations` cites
it, its passage cut to its budget by `bot.excerpts`. No I/O and no telegram imports: all of it is
tested directly.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot import texts
from bot.citations import (
    FIRST_EXCERPT_MAX_CHARS,
    LATER_EXCERPT_MAX_CHARS,
    also_in_html,
    date_span,
    excerpt_html,
    format_date,
    meta_line,
    outlets_html,
    passage_position,
    relevance,
    title_html,
)
from bot.escaping import escape, quoted
from bot.excerpts import ELLIPSIS, excerpt, fold, shorten, utf16_len
from bot.html_split import TELEGRAM_LIMIT, to_plain, visible_len

if TYPE_CHECKING:
    from bot.answers.votes import VoteTotals
    from index.search.news_index import Hit, IndexStats
    from index.store.metadata import ArticleSummary
    from index.stories.model import Story

QUESTION_MAX_CHARS = 200
TITLE_LIMITS = (200, 100, 60)  # tried in turn until every excerpt gets MIN_EXCERPT_CHARS
SOURCES_TITLE_CHARS = 120
STORY_LIMITS = ((SOURCES_TITLE_CHARS, 6), (80, 3), (60, 2))
"""(title length, outlets named) of each story in the story list, tried in turn until a page
fits Telegram's limit."""
MIN_EXCERPT_CHARS = 120
PLAIN_WIDTH = 88
_INDENT = "   "


def human_size(size: int) -> str:
    """Bytes as "1.4 MB" (binary multiples, the way file managers show them)."""
    if size < 1024:
        return f"{max(0, size)} bytes"
    power = min(4, int(math.log(size, 1024)))
    return f"{size / 1024**power:.1f} {('KB', 'MB', 'GB', 'TB')[power - 1]}"


def _share(room: int, wants: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split `room` fairly: short passages take what they need, long ones share the rest."""
    budgets = [0] * len(wants)
    left = max(0, room)
    wants = [min(want, cap) for want, cap in zip(wants, caps, strict=True)]
    order = sorted(range(len(wants)), key=lambda i: wants[i])
    for done, i in enumerate(order):
        budgets[i] = min(wants[i], left // (len(order) - done))
        left -= budgets[i]
    return budgets


def excerpt_caps(count: int, first: int = FIRST_EXCERPT_MAX_CHARS) -> list[int]:
    """Each citation's excerpt cap: the first shows more (`FIRST_EXCERPT_MAX_CHARS`)."""
    return [first, *[LATER_EXCERPT_MAX_CHARS] * (count - 1)][:count]


@dataclass(frozen=True, slots=True)
class AnswerParts:
    """An answer message in its parts: `blocks` holds one citation each, in order."""

    head: str
    blocks: list[str]
    notes: list[str]

    @property
    def html(self) -> str:
        return "\n\n".join([self.head, *self.blocks, *self.notes])


def format_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    page: int,
    has_more: bool,
    cut_note: bool = False,
    max_chars: int = TELEGRAM_LIMIT,
    question_max_chars: int | None = None,
    scope: Sequence[str] = (),
) -> str:
    """One message: the question, then each hit (numbered by its rank) with an excerpt.

    Excerpt budgets are what is left of `max_chars` after the header, hit frames and notes,
    shared between hits, so the visible text fits for 1-10 hits whatever the titles.
    `page` counts from 0; `has_more` is False on the last page. `scope` lines (HTML, from
    `scope_lines`) follow the question: the window and outlets searched.
    """
    return answer_parts(
        question, hits, page=page, has_more=has_more, cut_note=cut_note, max_chars=max_chars,
        question_max_chars=question_max_chars, scope=scope,
    ).html  # fmt: skip


def answer_parts(
    question: str,
    hits: Sequence[Hit],
    *,
    page: int,
    has_more: bool,
    cut_note: bool = False,
    max_chars: int = TELEGRAM_LIMIT,
    question_max_chars: int | None = None,
    caps: Sequence[int] | None = None,
    scope: Sequence[str] = (),
) -> AnswerParts:
    """`format_answer` before its parts are joined: what a reader sees of each citation.
    `caps` are the excerpts' caps, in order (`excerpt_caps` by default)."""
    head = "\n".join([texts.ANSWER_HEADER(quoted(question, QUESTION_MAX_CHARS), page), *scope])
    notes = [texts.ANSWER_END] if page > 0 and not has_more else []
    notes += [texts.LONG_QUESTION_NOTE(question_max_chars)] if cut_note else []
    frames: list[str] = []
    room = 0
    for limit in TITLE_LIMITS:
        frames = [
            f"{hit.rank}. {title_html(hit.title, hit.url, limit)}\n"
            f"<i>{escape(meta_line(hit.source, hit.published, passage_position(hit), relevance(hit)))}</i>\n"
            f"{also_in_html(hit)}"
            for hit in hits
        ]
        room = max_chars - visible_len("\n\n".join([head, *frames, *notes]))
        if room >= MIN_EXCERPT_CHARS * len(hits):
            break
    wants = [utf16_len(fold(hit.text).strip()) for hit in hits]
    budgets = _share(room, wants, excerpt_caps(len(hits)) if caps is None else caps)
    blocks = [
        (frame + excerpt_html(excerpt(hit.text, hit.bold_sentence, budget))).rstrip("\n")
        for frame, hit, budget in zip(frames, hits, budgets, strict=True)
    ]
    return AnswerParts(head, blocks, notes)


def format_answer_plain(
    question: str,
    hits: Sequence[Hit],
    *,
    cut_note: bool = False,
    question_max_chars: int | None = None,
    scope: Sequence[str] = (),
) -> str:
    """The same answer for the terminal: `**sentence**` for bold, the url on its own line."""
    header = to_plain(texts.ANSWER_HEADER(quoted(question, QUESTION_MAX_CHARS), 0))
    blocks = [_wrap(header, indent="")]
    blocks += [_wrap(to_plain(line), indent="") for line in scope]
    for hit, cap in zip(hits, excerpt_caps(len(hits)), strict=True):
        title = shorten(hit.title, TITLE_LIMITS[0]) or texts.UNTITLED
        lines = [
            _wrap(f"{hit.rank}. {title}", first=""),
            _wrap(meta_line(hit.source, hit.published, passage_position(hit), relevance(hit))),
        ]
        if hit.url and hit.url.strip():
            lines.append(_INDENT + fold(hit.url).strip())  # whole, so terminals can open it
        if also := to_plain(also_in_html(hit)).strip():
            lines.extend(_wrap(line) for line in also.splitlines())
        part = excerpt(hit.text, hit.bold_sentence, cap)
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
    start = indent if first is None else first
    return textwrap.fill(
        text, PLAIN_WIDTH, initial_indent=start, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip


def scope_lines(
    window: str | None,
    outlets: Sequence[str],
    excluded: Sequence[str],
    *,
    unknown: Sequence[str] = (),
    outside_window: bool = False,
    problems: Sequence[str] = (),
    newest_first: bool = False,
) -> list[str]:
    """What an answer says under its question about how it was searched: the window (or that
    nothing inside it answered), the outlets kept or left out, outlets not held, operators
    that could not be read. Nothing for a question that asked for none of these."""
    lines = []
    if outside_window and window:
        lines.append(texts.OUTSIDE_WINDOW(escape(window)))
    scope = texts.ANSWER_SCOPE(
        "" if outside_window or not window else escape(window),
        ", ".join(escape(o) for o in outlets),
        ", ".join(escape(o) for o in excluded),
        newest_first,
    )
    lines += [scope] if scope else []
    if unknown:
        lines.append(texts.UNKNOWN_OUTLETS(", ".join(escape(u) for u in unknown)))
    if problems:
        lines.append(
            texts.UNREAD_OPERATORS(", ".join(f"<code>{escape(p)}</code>" for p in problems))
        )
    return lines


def format_not_covered(question: str) -> str:
    """Nothing cleared the minimum score: say so, never pad with weak matches."""
    return texts.NOT_COVERED(quoted(question, QUESTION_MAX_CHARS))


def format_sources(articles: Sequence[ArticleSummary], *, page: int, pages: int, total: int) -> str:
    """One page of the article list; `page` counts from 0 and pages are of equal size.

    Numbers continue across pages: the last page ends at `total`, the others start at
    `page * len(articles) + 1`.
    """
    if not articles:
        return texts.SOURCES_EMPTY if total <= 0 else texts.SOURCES_HEADER(total, page, pages)
    first = _first_number(len(articles), page=page, pages=pages, total=total)
    lines = []
    for number, article in enumerate(articles, first):
        meta = escape(meta_line(article.source, article.published))
        title = title_html(article.title, article.url, SOURCES_TITLE_CHARS)
        lines.append(f"{number}. {title}" + (f" — <i>{meta}</i>" if meta else ""))
    return _fitted(texts.SOURCES_HEADER(total, page, pages), lines, "\n")


def format_stories(
    stories: Sequence[Story], *, page: int, pages: int, total: int, several: int | None = None
) -> str:
    """One page of the story list (`/sources stories`), numbered as `format_sources` numbers
    articles: each story's first article linked, when the story ran, and its outlets each
    linked to their article. `several` is how many stories more than one outlet reported.

    Long titles and many outlets are cut (`STORY_LIMITS`) until the page fits."""
    head = texts.STORIES_HEADER(total, several, page, pages)
    if not stories:
        return texts.STORIES_EMPTY if total <= 0 else head
    first = _first_number(len(stories), page=page, pages=pages, total=total)
    blocks: list[str] = []
    for title_chars, outlets_shown in STORY_LIMITS:
        blocks = []
        for number, story in enumerate(stories, first):
            opener = story.members[0] if story.members else None
            title = title_html(story.title, opener.url if opener else None, title_chars)
            when = escape(date_span(story.first_published, story.last_published))
            outlets = outlets_html(story, outlets_shown)
            blocks.append(
                f"{number}. {title}"
                + (f" — <i>{when}</i>" if when else "")
                + (f"\n{_INDENT}{outlets}" if outlets else "")
            )
        if visible_len("\n\n".join([head, *blocks])) <= TELEGRAM_LIMIT:
            break
    return _fitted(head, blocks, "\n\n")


def _first_number(count: int, *, page: int, pages: int, total: int) -> int:
    """The number of a page's first entry: numbers continue across pages of equal size, and
    the last page ends at `total`."""
    last = page + 1 >= pages
    return max(1, total - count + 1) if last else page * count + 1


def _fitted(head: str, entries: Sequence[str], between: str) -> str:
    """The head, a blank line, then the entries: all of them, unless the page outgrows
    Telegram's limit (only for absurd page sizes), when the last ones give way to "…"."""
    shown, tail = list(entries), list[str]()
    while True:
        listing = head + "\n\n" + between.join([*shown, *tail])
        if visible_len(listing) <= TELEGRAM_LIMIT or not shown:
            return listing
        shown.pop()
        tail = [texts.SOURCES_TRUNCATED]


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


def format_vote_stats(recent: VoteTotals | None, all_time: VoteTotals | None, *, days: int) -> str:
    """The readers' votes, as /stats shows them to the bot's admins: answers voted on, 👍 and 👎
    over the last `days` days and all time (None: the database could not be reached)."""
    if recent is None or all_time is None:
        return f"{texts.VOTES_HEADER}: {texts.VOTES_STATS_UNAVAILABLE}"
    periods = ((texts.VOTES_RECENT(days), recent), (texts.VOTES_ALL_TIME, all_time))
    lines = [texts.VOTES_LINE(name, t.answers, t.up, t.down) for name, t in periods]
    return "\n".join([texts.VOTES_HEADER, *lines])
