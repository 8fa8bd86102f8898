"""A language's time words (`time_words`) compiled into the patterns `time_phrases` reads with.

Every phrase pattern is bounded so that it never starts or ends inside a word or a number:
"G20", "COVID-19", "1,000" and "3.5" hold no time. A possessive ("Friday's") is part of the phrase
(group `possessive`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from index.search.time_words import TIME_WORDS


@dataclass(frozen=True, slots=True)
class Grammar:
    """Patterns of one language: each anchor's (kind, pattern), day parts (pattern, index into
    `TimeWords.day_parts`), and the words looked for just before a phrase (`lead` … `refusing`,
    each matching at the end of the text before it)."""

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
def compiled_grammar(language: str) -> Grammar:
    """The language's time words as compiled patterns, once per process."""
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

    return Grammar(
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
            rf"(?:(?:^|\s)(?:{words.refusing})|\d{{1,2}}{words.day_suffix}\s+(?:{words.range_joins}))\s+$",
            re.IGNORECASE,
        ),
    )
