"""The time a news question asks about: "what happened in parliament yesterday?" is searched as
"what happened in parliament?" among articles published yesterday, in the chat's zone (pure).

Our grammar (`time_words`) finds the phrases and says which window each names; `dateparser`
reads the dates in them ("3 March", "March 3rd, 2024", "2024-03-01"). Precision comes first:
a question with no time words, or with words read more than one way, is searched as it came.

Decisions on the ambiguous readings, each tested:
- News is about the past. A day or month named without a year is the most recent one that is
  not in the future ("in March", said in February 2026, is March 2025); an explicit date in the
  future is not read. Only today's parts ("tonight") may lie ahead of `now`.
- A weekday ("on Monday", "last Monday", "Friday's decision") is the most recent one *before*
  today: said on a Monday, "on Monday" is a week ago, since today's news is asked for as
  "today". "This Monday" is the Monday of this ISO week (Monday first), if not in the future.
- "Last week" is the previous calendar week, Monday to Sunday; "the last week", "the past week"
  and "the past 3 days" are rolling windows reaching back from `now`.
- A window that reaches the present ("today", "this week", "since Friday", "in the past 3
  days") ends at the end of today (local midnight tonight), not at `now`: nothing is published
  in the future, and a question asked at midnight still gets a window that is not empty.
- "Recently" and "lately" name no window and stay in the question.
- A month or a year alone is read only after "in", "during", "throughout", "from", "since" or in
  a range ("in May", "since 2020"), never bare ("the 2024 candidates", "may the court decide");
  "May" and "March" before a day need a capital or such a word ("May 5", not "may 5 people").
- A possessive reads as its phrase ("Friday's decision" → on Friday, "decision" searched).
- A phrase after "before", "after", "until", "next", "every"… is left alone: those bounds are the
  search operators' (`after:`/`before:`, `window_between`).
- Two windows in one question ("yesterday and last week") read as none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from index.search.time_anchors import (
    Clock,
    PhraseSpan,
    Resolver,
    anchor_resolver,
    day_part_resolver,
)
from index.search.time_windows import TimeWindow, span_label, window_between
from index.search.time_words import TIME_WORDS, TimeWords

__all__ = ["TimeReading", "TimeWindow", "read_time", "window_between"]


@dataclass(frozen=True, slots=True)
class TimeReading:
    """A question read for time: `text` without its time words (the question itself when none
    were read, or when nothing else would be left), the window, and whether the newest articles
    were asked for first ("latest", "most recent")."""

    text: str
    window: TimeWindow | None
    newest_first: bool


def read_time(question: str, now: datetime, zone: ZoneInfo, language: str = "en") -> TimeReading:
    """The time words of `question`, asked at `now` in the chat's `zone`; a language without
    time words reads none."""
    words = TIME_WORDS.get(language)
    if words is None:
        return TimeReading(question, None, newest_first=False)
    grammar = _grammar(language)
    masked = _masked(question, grammar.names)
    clock = Clock(now.astimezone(zone), zone)
    frames = _frames(masked, grammar, words, clock)
    window = frames[0][1] if len(frames) == 1 else None
    removed = [frames[0][0]] if window is not None else []
    ordering = [
        match.span()
        for pattern in grammar.newest_first
        for match in pattern.finditer(masked)
        if not any(_overlap(match.span(), span) for span in removed)
    ]
    removed += _disjoint(ordering)
    if not removed:
        return TimeReading(question, None, newest_first=False)
    text = _without(question, removed)
    if not _HAS_WORD.search(text):
        text = _SPACES.sub(" ", question).strip()
    return TimeReading(text, window, newest_first=bool(ordering))


_HAS_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")
_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[?!.,;:])")
_DANGLING_COMMA = re.compile(r"[,;:]+(?=[?!.]|$)")
_LEADING_PUNCTUATION = re.compile(r"^[\s,;:.\-–—]+")
_MASK = "\x00"


@dataclass(frozen=True, slots=True)
class _Anchor:
    start: int
    end: int
    lead_start: int | None  # where its lead word ("on", "in") starts, if it has one
    possessive: bool
    needs_lead: bool
    resolve: Resolver


@dataclass(frozen=True, slots=True)
class _Grammar:
    anchors: tuple[tuple[str, re.Pattern[str]], ...]
    day_parts: tuple[tuple[re.Pattern[str], int], ...]  # pattern, index into the day parts
    names: tuple[re.Pattern[str], ...]
    newest_first: tuple[re.Pattern[str], ...]
    lead: re.Pattern[str]
    strong_lead: re.Pattern[str]
    since: re.Pattern[str]
    range_start: re.Pattern[str]
    range_join: re.Pattern[str]
    refusing: re.Pattern[str]


_BEFORE = r"(?<![\w'’\-/.,])"
_AFTER = r"(?P<possessive>['’]s)?(?![\w\-]|[,.:/]\d)"


@cache
def _grammar(language: str) -> _Grammar:
    words = TIME_WORDS[language]

    def alternation(names: Sequence[str]) -> str:
        return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))

    fills = {
        "MONTH_TITLE": alternation([m.title() for m in words.full_months]),
        "MONTH_FULL": alternation(words.full_months),
        "MONTH": alternation(words.months),
        "CALENDAR_UNIT": alternation([u for u, kind in words.units.items() if kind != "hour"]),
        "UNIT": alternation(list(words.units)),
        "NUMBER": r"\d{1,4}|" + alternation(list(words.numbers)),
        "WEEKDAY": alternation(list(words.weekdays)),
    }

    def filled(pattern: str) -> str:
        for placeholder, fill in fills.items():
            pattern = pattern.replace(placeholder, f"(?:{fill})")
        return pattern

    def phrase(pattern: str) -> re.Pattern[str]:
        return re.compile(_BEFORE + f"(?:{filled(pattern)})" + _AFTER, re.IGNORECASE)

    def before(pattern: str) -> re.Pattern[str]:
        return re.compile(rf"(?:^|(?<=[\s(]))(?:{pattern})\s+$", re.IGNORECASE)

    def plain(pattern: str) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w'’])(?:{filled(pattern)})(?![\w'’])", re.IGNORECASE)

    return _Grammar(
        anchors=tuple((kind, phrase(pattern)) for kind, pattern in words.anchors),
        day_parts=tuple((phrase(p), i) for i, p in enumerate(words.day_parts)),
        names=tuple(plain(p) for p in words.names),
        newest_first=tuple(plain(p) for p in words.newest_first),
        lead=before(words.leads),
        strong_lead=before(words.strong_leads),
        since=before(words.since),
        range_start=before(words.range_starts),
        range_join=re.compile(rf"^\s*(?:{words.range_joins})\s*$", re.IGNORECASE),
        refusing=re.compile(
            rf"(?:(?:^|\s)(?:{words.refusing})|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{words.range_joins}))\s+$",
            re.IGNORECASE,
        ),
    )


def _masked(question: str, names: Sequence[re.Pattern[str]]) -> str:
    for pattern in names:
        question = pattern.sub(lambda m: _MASK * len(m.group()), question)
    return question


def _frames(
    masked: str, grammar: _Grammar, words: TimeWords, clock: Clock
) -> list[tuple[tuple[int, int], TimeWindow]]:
    """Every window the question names, with the span of text that names it."""
    anchors = _anchors(masked, grammar, words, clock)
    frames: list[tuple[tuple[int, int], TimeWindow]] = []
    index = 0
    while index < len(anchors):
        anchor = anchors[index]
        before = masked[: anchor.start]
        following = anchors[index + 1] if index + 1 < len(anchors) else None
        if grammar.refusing.search(before):
            index += 1
            continue
        start_match = grammar.range_start.search(before)
        if (
            following is not None
            and start_match is not None
            and grammar.range_join.match(masked[anchor.end : following.start])
        ):
            window = _range(anchor, following, clock)
            frames.append(((start_match.start(), following.end), window) if window else _REFUSED)
            index += 2
            continue
        since = grammar.since.search(before)
        if since is not None:
            window = _since(anchor, clock)
            frames.append(((since.start(), anchor.end), window) if window else _REFUSED)
        elif anchor.needs_lead:
            pass
        else:
            window = _single(anchor, clock)
            start = anchor.start if anchor.lead_start is None else anchor.lead_start
            frames.append(((start, anchor.end), window) if window else _REFUSED)
        index += 1
    if any(frame is _REFUSED for frame in frames):
        return []  # a time the question names but no window of the past holds
    return frames


_REFUSED: tuple[tuple[int, int], TimeWindow] = ((0, 0), TimeWindow(datetime.min, datetime.min, ""))


def _single(anchor: _Anchor, clock: Clock) -> TimeWindow | None:
    span = _resolved(anchor, clock.today)
    if span is None:
        return None
    label = f"{span.name}, {span.dates}" if span.name and span.dates else span.name or span.dates
    return _clamped(span.start, span.end, span.first_day, label, clock)


def _since(anchor: _Anchor, clock: Clock) -> TimeWindow | None:
    span = _resolved(anchor, clock.today)
    if span is None:
        return None
    return _clamped(
        span.start, clock.end_of_today, span.first_day, f"since {span.dates or span.name}", clock
    )


def _range(first: _Anchor, last: _Anchor, clock: Clock) -> TimeWindow | None:
    to = _resolved(last, clock.today)
    if to is None:
        return None
    since = _resolved(first, to.first_day)
    if since is None:
        return None
    label = span_label(since.first_day, min(to.last_day, clock.today), clock.today)
    return _clamped(since.start, to.end, since.first_day, label, clock)


def _resolved(anchor: _Anchor, latest: date) -> PhraseSpan | None:
    try:
        return anchor.resolve(latest)
    except (ValueError, OverflowError):
        return None  # a day before the calendar's first year


def _clamped(
    start: datetime, end: datetime, first_day: date, label: str, clock: Clock
) -> TimeWindow | None:
    """The window, ending at the end of today at the latest; None if it is all in the future."""
    end = min(end, clock.end_of_today)
    if first_day > clock.today or start >= end:
        return None
    return TimeWindow(start, end, label)


def _anchors(masked: str, grammar: _Grammar, words: TimeWords, clock: Clock) -> list[_Anchor]:
    """The time phrases of the question, leftmost first, the longest where two overlap."""
    found: list[tuple[int, int, _Anchor]] = []
    parts = list(words.day_parts.values())
    for pattern, index in grammar.day_parts:
        for match in pattern.finditer(masked):
            part = day_part_resolver(parts[index], clock)
            found.append(_found(match, masked, grammar, "day_part", False, part))
    for kind, pattern in grammar.anchors:
        for match in pattern.finditer(masked):
            month: str = match.groupdict().get("month") or ""
            ambiguous = month.lower() in words.ambiguous_months and month[0].islower()
            resolver = _resolver(kind, match, words, clock)
            if resolver is not None:
                found.append(_found(match, masked, grammar, kind, ambiguous, resolver))
    chosen: list[_Anchor] = []
    for _, _, anchor in sorted(found, key=lambda f: (f[0], -f[1])):
        if not chosen or anchor.start >= chosen[-1].end:
            chosen.append(anchor)
    return chosen


def _resolver(kind: str, match: re.Match[str], words: TimeWords, clock: Clock) -> Resolver | None:
    try:
        return anchor_resolver(kind, match, words, clock)
    except (ValueError, OverflowError):
        return None  # "9999 years ago": before the calendar's first year


def _found(
    match: re.Match[str],
    masked: str,
    grammar: _Grammar,
    kind: str,
    ambiguous: bool,
    resolve: Resolver,
) -> tuple[int, int, _Anchor]:
    """The anchor of a match; one that needs a lead word and has none is read only in a range
    or after "since" (`_frames`)."""
    possessive = match.group("possessive") is not None
    before = masked[: match.start()]
    lead = None if possessive else grammar.lead.search(before)
    needs_lead = kind == "date_after_lead" and not grammar.strong_lead.search(before)
    needs_lead = needs_lead or (ambiguous and lead is None)
    lead_start = None if lead is None else lead.start()
    anchor = _Anchor(match.start(), match.end(), lead_start, possessive, needs_lead, resolve)
    return match.start(), match.end(), anchor


def _overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for span in sorted(spans):
        if not any(_overlap(span, other) for other in kept):
            kept.append(span)
    return kept


def _without(question: str, spans: list[tuple[int, int]]) -> str:
    """The question without those spans, whitespace folded and stray punctuation tidied."""
    text = question
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]} {text[end:]}"
    text = _SPACES.sub(" ", text).strip()
    text = _BEFORE_PUNCTUATION.sub("", text)
    text = _DANGLING_COMMA.sub("", text)
    return _LEADING_PUNCTUATION.sub("", text)
