"""What a word is, for the word index, topics, filters and alerts alike.

Lowercased words of two or more characters, English stopwords out, Snowball-stemmed: the words
`bm25s.tokenize` makes, so "attacks" matches "attack" wherever words are compared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer


@lru_cache(maxsize=1)
def _stem_words() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default token pattern
# fmt: off
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
))
# fmt: on
"""Lucene's English stopwords: what `bm25s.tokenize(stopwords="en")` leaves out (a test holds
them equal to `bm25s.stopwords.STOPWORDS_EN`). Written out here because importing bm25s imports
scipy, a tenth of a second of every process that reads a word."""


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lowercased words of two or more characters, English stopwords out, Snowball-stemmed.

    The same words as `bm25s.tokenize(stopwords="en", stemmer=…)` (a test holds them equal), in
    a fraction of its time on a question: it builds three progress bars per call even when they
    are hidden, which cost more than the words.
    """
    stem = _stem_words().stemWords
    return [stem([w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]) for text in texts]


# Words of a question or a topic that say what kind of thing is asked, not what it is about:
# they are kept in the word index (BM25 weighs them little), but a topic's coverage leaves them
# out, or "What did Duda say about Ukraine?" would need "what", "did" and "say" in the passage.
_QUERY_FILLER_TEXT = """
about above after again against all also am any because been before being below between both
can could did do does doing down during each few from further had has have having he her here
hers herself him himself his how its itself just let me more most my myself new news nor now
off once only other our ours ourselves out over own recent recently said same say says she
should so some than theirs them themselves those through too under until up very we were what
when where which while who whom why would you your yours
"""


@lru_cache(maxsize=1)
def _query_filler() -> frozenset[str]:
    return frozenset(tokenize([_QUERY_FILLER_TEXT])[0])


@lru_cache(maxsize=8192)
def words_of_text(text: str) -> frozenset[str]:
    """The distinct words of a text as the word index holds them (see `tokenize`); cached, as
    topics and filter words are looked up again on every alert round."""
    return frozenset(sentence_words(text))


@lru_cache(maxsize=16_384)
def sentence_words(text: str) -> tuple[str, ...]:
    """`tokenize` of one short text (a question, a title, a sentence), remembered: an answer
    reads the words of its question and of its citations' sentences three times (bold sentence,
    cues, confidence), and popular passages are cited again and again. Not for whole passages
    being indexed: those are seen once."""
    (words,) = tokenize([text])
    return tuple(words)


def topic_words(topic: str) -> frozenset[str]:
    """The words a topic is about: its indexed words without question and news filler."""
    return words_of_text(topic) - _query_filler()


def term_coverage(topic: str, text: str) -> float:
    """Share of the topic's words (`topic_words`) that occur in the text, from 0 to 1.

    A small embedding model places "Russian attacks on Estonia" close to any story about Russia
    and the Baltic; a name or a place that a topic spells out should count when it is literally
    there. Added to the cosine (`dense + w * coverage`), it lifts passages that name the topic's
    people and places. Words are compared as search's word index has them (lowercased,
    stopwords out, Snowball-stemmed), so "attacks" matches "attack" and alerts, filters and
    search agree on what a word is; 0.0 for a topic with no such word. Pass the article title
    with the passage when it should count too.
    """
    wanted = topic_words(topic)
    if not wanted:
        return 0.0
    return len(wanted & words_of_text(text)) / len(wanted)
