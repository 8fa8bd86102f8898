"""What an article is compared by when stories are assigned: its moment, its outlet, the names
and numbers of its lead, the words of its title and one vector for the whole article.

Everything here comes from what indexing already has (the text and the passages' vectors), so
assigning a story costs no model call. Pure functions; `card_terms` and `terms_card` are the
form the stores keep a card's words in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike

from index.lexical import STOPWORDS, tokenize

LEAD_CHARS = 1_500
"""Names and numbers are read from the title and this much of the text: a report names its
event's people, places and figures in its lead; later paragraphs add background that other
events share."""
FUTURE_TOLERANCE = timedelta(days=1)
"""A published date further ahead of indexing than this is not trusted (a bad feed)."""

_NAME = re.compile(r"\b[A-Z][\w'’.-]*[\w]|\b[A-Z]\b")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d|(?<![\w.])\d(?![\w])")
_NAME_STOPWORDS = STOPWORDS | {
    "mr", "mrs", "ms", "dr", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "reuters", "ap", "afp", "said", "says",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoryCard:
    """One article as story assignment sees it."""

    article_id: str
    moment: datetime
    """When it was published (UTC), or first indexed when it has no trustworthy date."""
    source: str | None
    names: frozenset[str]
    """Lowercased capitalised words and numbers of the title and the lead."""
    title_words: frozenset[str]
    """Stemmed content words of the title."""
    vector: np.ndarray
    """The article's passages' mean vector, normalised (float32)."""


def lead_names(title: str, text: str) -> frozenset[str]:
    """Capitalised words (names of people, places, bodies) and numbers of the title and lead.

    A capitalised word that opens a sentence is kept too: telling it from a name needs a
    tagger, and a common word counts only when another article also opens with it.
    """
    lead = f"{title}\n{text[:LEAD_CHARS]}"
    names = {m.group().lower().rstrip(".") for m in _NAME.finditer(lead)}
    numbers = {m.group().replace(",", "") for m in _NUMBER.finditer(lead)}
    return frozenset(n for n in names | numbers if n and n not in _NAME_STOPWORDS)


def title_words(title: str) -> frozenset[str]:
    (words,) = tokenize([title])
    return frozenset(words)


def article_vector(passage_vectors: np.ndarray) -> np.ndarray:
    """One vector for an article: the normalised mean of its passages' (unit) vectors."""
    if len(passage_vectors) == 0:
        raise ValueError("an article without passages has no vector")
    mean = np.asarray(passage_vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).astype(np.float32)


def story_moment(published: str | None, first_indexed_at: str) -> datetime:
    """When an article happened for story purposes: its published moment (a date without a
    time is that day's noon UTC, its middle), or when it was first indexed if it has no date
    or one more than a day after that."""
    indexed = _utc(datetime.fromisoformat(first_indexed_at))
    moment = _published(published)
    if moment is None or moment - indexed > FUTURE_TOLERANCE:
        return indexed
    return moment


def _published(published: str | None) -> datetime | None:
    raw = (published or "").strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        return _utc(datetime.fromisoformat(raw)) if raw else None
    except (ValueError, OverflowError):
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def make_card(
    article_id: str,
    title: str,
    text: str,
    source: str | None,
    published: str | None,
    first_indexed_at: str,
    passage_vectors: np.ndarray,
) -> StoryCard:
    return StoryCard(
        article_id,
        story_moment(published, first_indexed_at),
        source,
        lead_names(title, text),
        title_words(title),
        # Stores keep article vectors as float16: a card made now compares as a stored one will.
        article_vector(passage_vectors).astype(np.float16).astype(np.float32),
    )


def card_terms(card: StoryCard) -> str:
    """A card's words as stored beside the article: names, then `|`, then title words."""
    return " ".join(sorted(card.names)) + " | " + " ".join(sorted(card.title_words))


def terms_card(
    article_id: str, moment: datetime, source: str | None, terms: str, vector: ArrayLike
) -> StoryCard:
    """A card read back from what a store kept (`card_terms`, the vector)."""
    names, _, titles = terms.partition(" | ")
    return StoryCard(
        article_id,
        moment,
        source,
        frozenset(names.split()),
        frozenset(titles.split()),
        np.asarray(vector, dtype=np.float32),
    )
