"""The words of time, per language: which phrases name a window of days, which words around them
matter, and which names only look like time ("USA Today", "Black Friday") (data, no logic).

A language is one `TimeWords`. Its anchor patterns are regular expressions, matched without
regard to case, that use the named groups `time_phrases` reads (`n`, `unit`, `plural`, `which`,
`weekday`, `date`) and the placeholders NUMBER, UNIT, CALENDAR_UNIT, WEEKDAY, MONTH and
MONTH_FULL, filled from the language's own word lists. The text of a `date` group is parsed by
`dateparser` in that language, so month names and orders need no code of ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DayPart:
    """A part of a local day counted back from today: hours `from_hour` to `to_hour` (beyond
    24 runs into the next day) of the day `days_back` days ago."""

    days_back: int
    from_hour: int
    to_hour: int
    name: str
    dated: bool = True  # the label shows the date ("yesterday, Sun 6 Dec"), or only the name


@dataclass(frozen=True, slots=True)
class TimeWords:
    """One language's time words (see the module's docstring for the pattern conventions)."""

    language: str  # dateparser's code for the language
    day_parts: Mapping[str, DayPart]
    # (kind, pattern); kinds: period, rolling, ago, weekday, date, date_after_lead
    anchors: tuple[tuple[str, str], ...]
    leads: str  # words before a phrase that go with it ("on" Friday, "in" March)
    strong_leads: str  # the leads that make a bare month or year a time ("in" 2024, not "of")
    since: str
    range_starts: str  # "between" X and Y, "from" X to Y
    range_joins: str
    refusing: str  # words before a phrase that make it no window of the past ("after", "next")
    names: tuple[str, ...]  # names that hold time words; never read as time
    newest_first: tuple[str, ...]  # phrases asking for the newest articles first
    numbers: Mapping[str, int]
    units: Mapping[str, str]  # word → hour, day, week, month or year
    weekdays: Mapping[str, int]  # word → Monday 0 … Sunday 6
    months: tuple[str, ...]  # every spelling of a month the patterns accept
    full_months: tuple[str, ...]  # the spellings a month may stand alone in ("in March")
    ambiguous_months: frozenset[str] = field(default_factory=frozenset)  # "may", "march"


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve")  # fmt: skip
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_NOT_OF = r"(?! of\b)"  # "the last day of the trial" is no window

ENGLISH = TimeWords(
    language="en",
    day_parts={
        r"(?:earlier |so far )?today": DayPart(0, 0, 24, "today"),
        r"yesterday": DayPart(1, 0, 24, "yesterday"),
        r"the day before yesterday": DayPart(2, 0, 24, "the day before yesterday"),
        r"yesterday morning": DayPart(1, 0, 12, "yesterday morning"),
        r"yesterday afternoon": DayPart(1, 12, 18, "yesterday afternoon"),
        r"yesterday evening": DayPart(1, 18, 24, "yesterday evening"),
        r"this morning": DayPart(0, 0, 12, "this morning", dated=False),
        r"this afternoon": DayPart(0, 12, 18, "this afternoon", dated=False),
        r"this evening": DayPart(0, 18, 24, "this evening", dated=False),
        r"tonight": DayPart(0, 18, 24, "tonight", dated=False),
        r"last night" + _NOT_OF: DayPart(1, 18, 30, "last night", dated=False),
    },
    anchors=(
        ("period", r"(?P<which>this|last|previous) (?P<unit>week|month|year)" + _NOT_OF),
        ("rolling", r"(?:the )?past (?:(?P<n>NUMBER) )?(?P<unit>UNIT)(?P<plural>s)?" + _NOT_OF),
        (
            "rolling",
            r"the (?:last|previous) (?:(?P<n>NUMBER) )?(?P<unit>UNIT)(?P<plural>s)?" + _NOT_OF,
        ),
        ("rolling", r"(?:last|previous) (?P<n>NUMBER) (?P<unit>UNIT)(?P<plural>s)?" + _NOT_OF),
        ("ago", r"(?P<n>NUMBER) (?P<unit>CALENDAR_UNIT)(?P<plural>s)? ago"),
        (
            "weekday",
            r"(?:(?P<which>last|this past|past|this) )?(?P<weekday>WEEKDAY)"
            r"(?: (?:morning|afternoon|evening|night))?",
        ),
        ("date", r"(?P<date>\d{4}-\d{2}-\d{2})"),
        (
            "date",
            r"(?:WEEKDAY,? )?(?:the )?(?P<date>\d{1,2}"
            + _DAY_SUFFIX
            + r"(?: of)? (?P<month>MONTH)\.?(?:,? \d{4})?)",
        ),
        (
            "date",
            r"(?:WEEKDAY,? )?(?P<date>(?P<month>MONTH)\.? (?:the )?\d{1,2}"
            + _DAY_SUFFIX
            + r"(?:,? \d{4})?)",
        ),
        ("date", r"(?P<date>(?P<month>MONTH)\.?(?: of)?,? \d{4})"),
        ("date_after_lead", r"(?P<date>(?P<month>MONTH_FULL))"),
        ("date_after_lead", r"(?P<date>\d{4})"),
    ),
    leads=r"on|in|during|from|for|over|within|throughout|of",
    strong_leads=r"in|during|throughout|from",
    since=r"(?:ever )?since",
    range_starts=r"between|from",
    range_joins=r"and|to|until|till|through|-|–|—",
    refusing=r"before|after|until|till|by|prior to|ahead of|next|coming|every|each|following",
    names=(
        r"(?:USA|Russia) Today",
        r"Today (?:programme|show)",
        r"(?:Mail|Independent|Observer) on Sunday",
        r"(?:Black|Good|Cyber|Super|Ash|Bloody|Easter|Palm|Holy|Maundy|Giving|Blue|Shrove) "
        r"WEEKDAY",
        # "Sunday Times", "Monday Night Football": a day with a capitalised name after it
        r"(?-i:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) "
        r"(?!(?:MONTH_TITLE)\b)[A-Z]\w*)",
        r"(?:the|a) march",  # the March on Washington
        r"march (?:on|for|against)\b",
    ),
    newest_first=(
        r"(?:the )?(?:very )?(?:latest|newest|most recent)"
        r"(?: (?:news|updates?|developments?|headlines|reports?|stories))?"
        r"(?: (?:on|about|regarding|concerning))?",
        r"(?:the )?last (?:news|updates?|headlines)(?: (?:on|about|regarding|concerning))?",
    ),
    numbers={"a": 1, "an": 1} | {word: i for i, word in enumerate(_NUMBER_WORDS, start=1)},
    units={"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"},
    weekdays={name: i for i, name in enumerate(_WEEKDAYS)},
    months=(
        *_MONTHS,
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ),
    full_months=_MONTHS,
    ambiguous_months=frozenset({"may", "march"}),
)

TIME_WORDS: Mapping[str, TimeWords] = {"en": ENGLISH}
