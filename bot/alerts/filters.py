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


def passes(required: Sequence[str], excluded: Sequence[str], article_words: frozenset[str]) -> bool:
    """Whether an article (its `index.words_of_text` words) has every required filter and no
    excluded one."""
    return all(words_of_text(w) <= article_words for w in required) and not any(
        words_of_text(w) <= article_words for w in excluded
    )
