"""The time a news question asks about: "what happened in parliament yesterday?" is searched as
"what happened in parliament?" among articles published yesterday, in the chat's zone (pure).

Each language's words (`time_words`, compiled by `time_grammar`) find the phrases;
`time_anchors` says which local days each names, reading the dates in them ("3 March",
"March 3rd, 2024", "2024-03-01") with `dateparser`; `time_windows` turns days into UTC windows
and labels. Precision comes first: a question with no time words, or with words read more than
one way, is searched as it came.

Decisions on the ambiguous readings, each tested:
- News is about the past. A day or month named without a year is the most recent one that is
  not in the future ("in March", said in February 2026, is March 2025); an explicit date in the
  future is not read. Only today's parts ("tonight") may lie ahead of `now`.
- A weekday ("on Monday", "Friday's decision") is the most recent one, today's included: news
  says "early Thursday" on a Thursday (RealTimeQA, `benchmarks/results/time_windows.md`).
  "Last Monday" and "past Monday" are the most recent one before today. "This Monday" is the
  Monday of this ISO week (Monday first), if not in the future.
- "Last week" is the previous calendar week, Monday to Sunday; "this week", "the last week",
  "the past week" and "the past 3 days" are rolling windows reaching back from `now` ("this
  week" as the calendar week left out a quarter of RealTimeQA's answers, asked on Thursdays
  about the weekend before: `benchmarks/results/time_windows.md`).
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
from zoneinfo import ZoneInfo

from index.search.time_anchors import (
    Clock,
    PhraseSpan,
    Resolver,
    anchor_resolver,
    day_part_resolver,
)
from index.search.time_grammar import Grammar, compiled_grammar
from index.search.time_windows import TimeWindow, day_label, span_label, window_between
from index.search.time_words import TIME_WORDS, TimeWords

__all__ = ["TimeReading", "TimeWindow", "read_time", "window_between"]


@dataclass(frozen=True, slots=True)
class TimeReading:
    """A question read for time: `text` without its time words relative to now (the question
    itself when none were read, or when nothing else would be left; a date it names, "in
    1901", stays), the window, and whether the newest articles were asked for first
    ("latest", "most recent")."""

    text: str
    window: TimeWindow | None
    newest_first: bool


def read_time(question: str, now: datetime, zone: ZoneInfo, language: str = "en") -> TimeReading:
    """The time words of `question`, asked at `now` (aware) in the chat's `zone`; a language
    without time words (only "en" has them) reads none."""
    words = TIME_WORDS.get(language)
    if words is None:
        return TimeReading(question, None, newest_first=False)
    grammar = compiled_grammar(language)
    masked = _masked(question, grammar.names)
    clock = Clock(now.astimezone(zone), zone)
    frames = _frames(masked, grammar, words, clock)
    window = frames[0][1] if len(frames) == 1 else None
    removed = [frames[0][0]] if window is not None else []
    removed = [span for span in removed if not _names_a_date(question[span[0] : span[1]], words)]
    ordering = [
        match.span()
        for pattern in grammar.newest_first
        for match in pattern.finditer(masked)
        if not any(_overlap(match.span(), span) for span in removed)
    ]
    removed += _disjoint(ordering)
    if not removed:
        return TimeReading(question, window, newest_first=False)
    text = _without(question, removed)
    if not _HAS_WORD.search(text):
        text = _SPACES.sub(" ", question).strip()
    return TimeReading(text, window, newest_first=bool(ordering))


def _names_a_date(phrase: str, words: TimeWords) -> bool:
    """Whether a phrase names its date (a year, a month: "in 1901", "on 3 March"): such words
    are also what articles say ("the population in 1901"), so they stay in the text searched
    while the window applies; words relative to now ("yesterday", "last week") never appear
    in the article and leave it."""
    if _YEAR.search(phrase):
        return True
    found = {w.casefold().strip(".") for w in re.findall(r"[A-Za-z.]+", phrase)}
    return bool(found & {m.casefold().strip(".") for m in words.months})


_YEAR = re.compile(r"\b\d{4}\b")
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
    needs_lead: bool
    resolve: Resolver


def _masked(question: str, names: Sequence[re.Pattern[str]]) -> str:
    for pattern in names:
        question = pattern.sub(lambda m: _MASK * len(m.group()), question)
    return question


_Frame = tuple[tuple[int, int], TimeWindow | None]  # the words, and their window if any


def _frames(
    masked: str, grammar: Grammar, words: TimeWords, clock: Clock
) -> list[tuple[tuple[int, int], TimeWindow]]:
    """Every window the question names, with the span of text that names it; none at all when
    a phrase names a time no window of the past holds ("on 3 March 2030")."""
    anchors = _anchors(masked, grammar, words, clock)
    frames: list[_Frame] = []
    index = 0
    while index < len(anchors):
        frame, used = _frame(anchors, index, masked, grammar, clock)
        if frame is not None:
            frames.append(frame)
        index += used
    read = [(span, window) for span, window in frames if window is not None]
    return read if len(read) == len(frames) else []


def _frame(
    anchors: list[_Anchor], index: int, masked: str, grammar: Grammar, clock: Clock
) -> tuple[_Frame | None, int]:
    """The frame of the anchor at `index` (a range takes the next one too), and how many
    anchors it used."""
    anchor = anchors[index]
    before = masked[: anchor.start]
    if grammar.refusing.search(before):
        return None, 1
    following = anchors[index + 1] if index + 1 < len(anchors) else None
    range_start = grammar.range_start.search(before)
    if (
        following is not None
        and range_start is not None
        and grammar.range_join.match(masked[anchor.end : following.start])
    ):
        return ((range_start.start(), following.end), _range(anchor, following, clock)), 2
    since = grammar.since.search(before)
    if since is not None:
        return ((since.start(), anchor.end), _since(anchor, clock)), 1
    if anchor.needs_lead:
        return None, 1
    start = anchor.start if anchor.lead_start is None else anchor.lead_start
    return ((start, anchor.end), _single(anchor, clock)), 1


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
    named = bool(span.dates) and not span.name and "–" not in span.dates  # "3 March", "2020"
    since = span.dates if named else day_label(span.first_day, clock.today)
    return _clamped(span.start, clock.end_of_today, span.first_day, f"since {since}", clock)


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


def _anchors(masked: str, grammar: Grammar, words: TimeWords, clock: Clock) -> list[_Anchor]:
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
    grammar: Grammar,
    kind: str,
    ambiguous: bool,
    resolve: Resolver,
) -> tuple[int, int, _Anchor]:
    """The anchor of a match; one that needs a lead word and has none is read only in a range
    or after "since" (`_frames`)."""
    before = masked[: match.start()]
    # "in yesterday's vote": the lead belongs to the vote
    lead = None if match.group("possessive") else grammar.lead.search(before)
    needs_lead = kind == "date_after_lead" and not grammar.strong_lead.search(before)
    needs_lead = needs_lead or (ambiguous and lead is None)
    lead_start = None if lead is None else lead.start()
    anchor = _Anchor(match.start(), match.end(), lead_start, needs_lead, resolve)
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
