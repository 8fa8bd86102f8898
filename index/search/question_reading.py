"""A question read for what it asks besides its subject: operators first (`source:`,
`after:`…), then outlets named in words, then time words; what is left is searched, inside the
filter they make (pure).

A question with none of these comes back as it was, with no filter, and is searched exactly as
before. An outlet the index does not hold filters nothing: it is named in the answer instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from index.search.outlet_phrases import match_outlet, read_outlets
from index.search.search_operators import read_operators
from index.search.time_phrases import TimeWindow, read_time, window_between
from index.store.passage_filter import PassageFilter


@dataclass(frozen=True, slots=True)
class QuestionReading:
    """What a question asks: the text to search, the filter, and what the answer should say
    about them (the window's label, outlets kept or left out, names not held, operators that
    could not be read)."""

    text: str
    window: TimeWindow | None = None
    newest_first: bool = False
    outlets: tuple[str, ...] = ()
    excluded_outlets: tuple[str, ...] = ()
    unknown_outlets: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def passage_filter(self) -> PassageFilter | None:
        """The filter searched inside; None when the question asks for none."""
        if self.window is None and not self.outlets and not self.excluded_outlets:
            return None
        return PassageFilter.between(
            None if self.window is None else self.window.start,
            None if self.window is None else self.window.end,
            frozenset(self.outlets) if self.outlets else None,
            frozenset(self.excluded_outlets),
        )

    @property
    def outside_window(self) -> PassageFilter | None:
        """The filter without its window: where the best match is looked for when nothing
        inside the window answers."""
        if not self.outlets and not self.excluded_outlets:
            return None
        return PassageFilter(
            sources=frozenset(self.outlets) if self.outlets else None,
            excluded_sources=frozenset(self.excluded_outlets),
        )


def read_question(
    question: str,
    now: datetime,
    zone: ZoneInfo,
    outlets: Sequence[str],
    language: str = "en",
) -> QuestionReading:
    """`question` asked at `now` in the chat's `zone`, against the `outlets` the index holds."""
    operators = read_operators(question)
    kept, unknown = _matched(operators.sources, outlets)
    excluded, _ = _matched(operators.excluded_sources, outlets)
    named = read_outlets(operators.text, outlets)
    time = read_time(named.text, now, zone, language)
    window = time.window
    if operators.after is not None or operators.before is not None:
        window = window_between(operators.after, operators.before, zone)
    return QuestionReading(
        text=time.text,
        window=window,
        newest_first=time.newest_first,
        outlets=tuple(dict.fromkeys([*kept, *named.outlets])),
        excluded_outlets=tuple(excluded),
        unknown_outlets=tuple(dict.fromkeys([*unknown, *named.unknown])),
        problems=operators.problems,
    )


def _matched(names: Sequence[str], outlets: Sequence[str]) -> tuple[list[str], list[str]]:
    """(outlets held under these names, names that match none)."""
    found: list[str] = []
    missing: list[str] = []
    for name in names:
        outlet = match_outlet(name, outlets)
        (found if outlet is not None else missing).append(outlet or name)
    return found, missing
