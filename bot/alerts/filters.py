"""Must-have and must-not words on a subscription (`+Estonia -football`): pure, after the match.

The semantic match decides whether an article is about the topic; the filters then narrow it by
literal words of the article's title and text. Words are compared as search's word index has
them (`index.words_of_text`: lowercased, stopwords out, Snowball-stemmed), so "+attack" also
keeps an article that says "attacks" or "attacked". A filter of several words ("+New-York")
needs all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index import words_of_text

REQUIRED, EXCLUDED = "+", "-"


@dataclass(frozen=True, slots=True)
class WordFilters:
    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    unusable: tuple[str, ...] = ()
    """Filters that hold no searchable word (a stopword such as "+the"): refused, named."""

    def __bool__(self) -> bool:
        return bool(self.required or self.excluded)


@dataclass(frozen=True, slots=True)
class FilterLimits:
    """How many filters one subscription takes, and how long a filter's word may be: each is
    shown whenever the subscription is, and checked against every new article."""

    count: int
    chars: int


@dataclass(frozen=True, slots=True)
class TooManyFilters:
    given: int
    limit: int


@dataclass(frozen=True, slots=True)
class FilterTooLong:
    word: str
    """The first one over the limit, without its sign."""
    limit: int


def split_filters(words: Sequence[str]) -> tuple[list[str], WordFilters]:
    """The topic's words without its `+word` / `-word` filters, and the filters."""
    topic: list[str] = []
    required: list[str] = []
    excluded: list[str] = []
    unusable: list[str] = []
    for word in words:
        sign, rest = word[:1], word[1:]
        if sign not in (REQUIRED, EXCLUDED) or not rest or rest[0] in (REQUIRED, EXCLUDED):
            topic.append(word)
            continue
        if not words_of_text(rest):
            unusable.append(word)
        elif rest.lower() not in (w.lower() for w in required + excluded):
            (required if sign == REQUIRED else excluded).append(rest)
    return topic, WordFilters(tuple(required), tuple(excluded), tuple(unusable))


def filter_problem(
    filters: WordFilters, limits: FilterLimits
) -> TooManyFilters | FilterTooLong | None:
    """Why the filters cannot be kept as given (a repeated filter counts once), or None."""
    given = len(filters.required) + len(filters.excluded) + len(filters.unusable)
    if given > limits.count:
        return TooManyFilters(given, limits.count)
    words = (*filters.required, *filters.excluded, *(w[1:] for w in filters.unusable))
    for word in words:
        if len(word) > limits.chars:
            return FilterTooLong(word, limits.chars)
    return None


def passes(required: Sequence[str], excluded: Sequence[str], article_words: frozenset[str]) -> bool:
    """Whether an article (its `index.words_of_text` words) has every required filter and no
    excluded one."""
    return all(words_of_text(w) <= article_words for w in required) and not any(
        words_of_text(w) <= article_words for w in excluded
    )
