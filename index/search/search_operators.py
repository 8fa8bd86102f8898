"""Search operators typed into a question, for readers who want exact control:
`source:bbc`, `source:"BBC News"`, `-source:reuters`, `after:2024-03-01`, `before:2024-03-10`.

They are read before any phrase, removed from the text searched, and filter as the phrases do
(`index.search.question_reading`). A value that cannot be read is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_OPERATOR = re.compile(
    r"(?<!\S)(?P<minus>-)?(?P<name>source|after|before):"
    r"(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>\S+))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SearchOperators:
    """What the operators of a question ask for, and the text without them."""

    text: str
    sources: tuple[str, ...] = ()
    """Outlets as typed (`index.search.outlet_phrases.match_outlet` finds them)."""
    excluded_sources: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None
    problems: tuple[str, ...] = ()
    """Operators that could not be read, as typed (`after:yesterday`, `-after:…`)."""


def read_operators(question: str) -> SearchOperators:
    """The operators of a question; the question as it was when it has none."""
    sources: list[str] = []
    excluded: list[str] = []
    after: date | None = None
    before: date | None = None
    problems: list[str] = []
    for match in _OPERATOR.finditer(question):
        value = (match["quoted"] if match["quoted"] is not None else match["bare"]).strip()
        name = match["name"].casefold()
        if name == "source" and value:
            (excluded if match["minus"] else sources).append(value)
        elif name in ("after", "before") and not match["minus"]:
            day = _day(value)
            if day is None:
                problems.append(match[0])
            elif name == "after":
                after = day
            else:
                before = day
        else:
            problems.append(match[0])
    if not (sources or excluded or after or before or problems):
        return SearchOperators(question)
    text = re.sub(r"\s+", " ", _OPERATOR.sub(" ", question)).strip()
    return SearchOperators(text, tuple(sources), tuple(excluded), after, before, tuple(problems))


def _day(value: str) -> date | None:
    """`2024-03-01` (also `2024/03/01`, `2024-3-1`); nothing looser, on purpose."""
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", value)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
