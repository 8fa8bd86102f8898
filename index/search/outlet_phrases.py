"""Outlets named in a question: "according to the BBC", "what does Reuters say about …",
"in the Guardian", "from AP".

A name counts only when it matches an outlet the index holds (its stored `source`, compared
without case, punctuation or a leading "the", a shorter form such as "BBC" for "BBC News"
when only one outlet fits, and small typos), except after the phrases that can only name an
outlet ("according to X", "what does X say"): there an unknown X is reported, so the answer
can say that nothing from X is held rather than quietly answer from others. "in X" and
"from X" are ordinary words otherwise ("floods in Spain"), so they take known outlets only.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_NAME_WORDS = 4
FUZZY_RATIO = 0.85
"""How alike (difflib's ratio) a typed name and an outlet must be: one typo in seven letters."""
FUZZY_MIN_CHARS = 5

_SAYS = r"(?:say|says|said|report|reports|reported|write|writes|wrote|tell|think|thinks)"
_EXPLICIT = [  # (pattern before the name, pattern after it)
    (r"\baccording\s+to\s+", r""),
    (
        r"\b(?:what|how)\s+(?:does|did|do|is|are|has|have)\s+",
        rf"\s+{_SAYS}\b(?:\s+(?:about|on|of))?",
    ),
    (r"\bwhat\s+", rf"\s+{_SAYS}\b(?:\s+(?:about|on|of))?"),
    (r"\b(?:as\s+)?reported\s+by\s+", r""),
]
_PLAIN = [r"\b(?:in|from|on|by)\s+"]
_WORD = r"[\w&.'’-]+"
_CAPITALISED = re.compile(r"(?:the\s+)?((?:[A-Z0-9][\w&.'’-]*)(?:\s+[A-Z0-9][\w&.'’-]*){0,3})")
_NOT_OUTLETS = frozenset({"i", "you", "we", "they", "he", "she", "it", "people", "experts"})


@dataclass(frozen=True, slots=True)
class OutletReading:
    """The question without the outlet phrases read, the outlets they named (as the index
    names them), and names after "according to" that match no outlet held."""

    text: str
    outlets: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


def outlet_key(name: str) -> str:
    """A name compared without case, punctuation, spaces or a leading "the"."""
    folded = re.sub(r"[^\w]+", " ", name.casefold()).strip()
    folded = re.sub(r"^the\s+", "", folded)
    return folded.replace(" ", "")


def match_outlet(name: str, outlets: Sequence[str], *, fuzzy: bool = True) -> str | None:
    """The outlet held under `name`: equal once folded, else the only outlet whose folded name
    starts with it as whole words ("BBC" for "BBC News") or whose initials it is ("AP" for
    "Associated Press"), else (`fuzzy`) the only close spelling."""
    key = outlet_key(name)
    if not key or key in _NOT_OUTLETS:
        return None
    keys = {outlet: outlet_key(outlet) for outlet in outlets}
    equal = [o for o, k in keys.items() if k == key]
    if equal:
        return equal[0]
    words = _words(name)
    shorter = [o for o in outlets if _starts_with_words(o, words) or _initials(o) == key]
    if len(shorter) == 1:
        return shorter[0]
    if not fuzzy or len(key) < FUZZY_MIN_CHARS:
        return None
    close = [
        o for o, k in keys.items() if difflib.SequenceMatcher(None, key, k).ratio() >= FUZZY_RATIO
    ]
    return close[0] if len(close) == 1 else None


def _words(name: str) -> list[str]:
    words = re.sub(r"[^\w]+", " ", name.casefold()).split()
    return words[1:] if words[:1] == ["the"] else words


def _initials(outlet: str) -> str:
    words = _words(outlet)
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _starts_with_words(outlet: str, words: Sequence[str]) -> bool:
    held = _words(outlet)
    return bool(words) and held[: len(words)] == list(words) and len(held) > len(words)


def read_outlets(question: str, outlets: Sequence[str]) -> OutletReading:
    """The outlets a question names (`OutletReading`); the question as it was if none."""
    found: list[str] = []
    unknown: list[str] = []
    text = question
    for before, after in _EXPLICIT:
        text = _take(text, before, after, outlets, found, unknown, explicit=True)
    for before in _PLAIN:
        text = _take(text, before, "", outlets, found, unknown, explicit=False)
    if not found and not unknown:
        return OutletReading(question)
    cleaned = re.sub(r"\s+", " ", text).strip(" ,;:")
    cleaned = re.sub(r"\s+([?.!,])", r"\1", cleaned)
    if not re.search(r"\w", cleaned):
        cleaned = question
    return OutletReading(cleaned, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(unknown)))


def _take(
    text: str,
    before: str,
    after: str,
    outlets: Sequence[str],
    found: list[str],
    unknown: list[str],
    *,
    explicit: bool,
) -> str:
    """`text` without each `before NAME after` whose NAME is an outlet: the longest name that
    is one, or with `after` ("… say") the whole name before it."""
    more = "?" if after else ""  # lazy before "say", greedy otherwise (the longest name first)
    names = rf"(?P<name>(?:the\s+)?{_WORD}(?:\s+{_WORD}){{0,{MAX_NAME_WORDS - 1}}}{more})"
    pattern = re.compile(before + names + after, re.IGNORECASE)
    position = 0
    while (match := pattern.search(text, position)) is not None:
        spans = [m.span() for m in re.finditer(r"\S+", match["name"])]
        sizes = [len(spans)] if after else range(len(spans), 0, -1)
        cut = None
        tries = [(size, fuzzy) for fuzzy in (False, True) for size in sizes]
        for size, fuzzy in tries:  # an exact shorter name before a fuzzy longer one
            outlet = match_outlet(match["name"][: spans[size - 1][1]], outlets, fuzzy=fuzzy)
            if outlet is not None:
                found.append(outlet)
                cut = match.end() if after else match.start("name") + spans[size - 1][1]
                break
        if cut is None and explicit:
            named = _outlet_like(match["name"])
            if named is not None and (not after or named[1] == len(match["name"])):
                unknown.append(named[0])
                cut = match.end() if after else match.start("name") + named[1]
        if cut is None:
            position = match.start() + 1
            continue
        text = text[: match.start()] + " " + text[cut:]
        position = match.start()
    return text


_OUTLET_WORDS = frozenset(
    [
        "news",
        "times",
        "post",
        "journal",
        "herald",
        "guardian",
        "telegraph",
        "tribune",
        "gazette",
        "mail",
        "observer",
        "express",
        "press",
        "wire",
        "agency",
        "radio",
        "tv",
        "television",
        "network",
        "magazine",
        "daily",
        "weekly",
        "chronicle",
        "review",
        "reuters",
        "bloomberg",
        "politico",
        "axios",
    ]
)


def _outlet_like(words: str) -> tuple[str, int] | None:
    """The capitalised name at the start of `words`, and where it ends there, when it looks
    like an outlet (a word such as News, Times, Post, Reuters in it): "according to Biden" or
    "according to the AAA" name a person and an organisation, not an outlet the index lacks."""
    match = _CAPITALISED.match(words)
    if match is None:
        return None
    name = match[1]
    if not any(p.casefold().strip(".") in _OUTLET_WORDS for p in name.split()):
        return None
    return name, match.end()
