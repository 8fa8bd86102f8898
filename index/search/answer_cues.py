"""What in a sentence says it answers a question, beyond sharing its words. Pure functions.

A sentence that restates the question (the lead repeating the headline, a dateline naming the
outlet the question names, "…, said Mr X") shares the most words with it, yet the answer is
usually in the sentence that adds what the question lacks: the person a "who" question asks
for, the number of a "how many", the cause of a "why". Each cue is a number per sentence;
`bold_sentence` weighs them (`bold_sentence_weights.json`, measured by
`benchmarks/bold_sentence_weights.py`, which keeps the cues that did not win at 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.lexical import STOPWORDS, sentence_words

PERSON, NUMBER, TIME, PLACE, REASON, OTHER = "person", "number", "time", "place", "reason", "other"

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (NUMBER, r"\bhow (many|much|long|old|far|large|big|tall|high|often|fast)\b|"
                 r"\bwhat (percentage|percent|number|amount|share|proportion|size|age)\b"),
        (TIME, r"\bwhen\b|\b(what|which|in what) (year|date|day|month|decade|century|time)\b"),
        (REASON, r"\bwhy\b|\bwhat (caused|causes|led|prompted|triggered|sparked|drove)\b|"
                 r"\b(the )?reason\b"),
        (PERSON, r"\bwho(m|se)?\b|\bwhich (person|man|woman|leader|player|official|politician)\b"),
        (PLACE, r"\bwhere\b|\b(which|what) (country|city|state|town|place|region|nation)\b"),
        (PERSON, r"\bwhich\b"),  # which team, company, show…: a name; checked after the others
    )
)  # fmt: skip

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|"
    r"dozen|dozens|half|third|quarter|percent"
)
_NUMBER = re.compile(rf"\d+(?:[.,]\d+)*|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_TIME = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d|\d{1,2}(?:st|nd|rd|th)|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tomorrow|"
    r"century|decade|morning|evening|night|week|month|year)s?\b"
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|result(?:ed|s)? (?:in|from)|caus(?:e|ed|es|ing)|"
    r"led to|leading to|after|amid|since|so that|in order to|reason|blam(?:e|ed|ing)|"
    r"trigger(?:ed|s)?|prompt(?:ed|s)?|sparked|following)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][a-z'’-]+(?:\s+(?:[A-Z][a-z'’-]+|[A-Z]\.))*")
_PLACE = re.compile(r"\b(?:in|at|from|to|near|across|outside)\s+(?:the\s+)?([A-Z][\w'’-]+)")
_WORD = re.compile(r"\w+")
_QUESTION_MARK = re.compile(r"\?[\"'”’)\]]*\s*$")

_BOILERPLATE = re.compile(
    r"^\s*(?:by\s+[A-Z]|updated\b|published\b|posted\b|last updated\b|editor'?s note\b|"
    r"(?:photo|image|video)(?:graph)?\s*:|copyright\b|all rights reserved|"
    r"(?:click|sign up|subscribe|read more|follow)\b)",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,3}\s*)?(?:\([^)]{1,40}\)\s*)?[—–-]{1,2}\s+"
)
"""A news dateline ("WASHINGTON (AP) — ", "(CNN) — "): where and who, not what happened."""
_ATTRIBUTION = re.compile(
    r"(?:^|[,\"”])\s*(?:according to\b[^.!?]*|(?:(?:he|she|they|it|\w+(?:\s+[\w.'’-]+){0,4})\s+)?"
    r"(?:said|says|told|added|wrote|explained|according to)\b[^.!?\"“]*)[.!?]?\s*$",
    re.IGNORECASE,
)
"""The attribution that ends a sentence: ", the minister said on Tuesday.", ", according to X"."""


def question_kind(question: str) -> str:
    """What kind of thing the question asks for: a person (or any name: "which team"), a number,
    a time, a place, a reason. The first question word decides; the more specific pattern wins
    at the same word ("which year" is a time)."""
    found = [
        (m.start(), order, kind)
        for order, (kind, pattern) in enumerate(_KINDS)
        if (m := pattern.search(question))
    ]
    return min(found)[2] if found else OTHER


def without_dateline(sentence: str) -> str:
    """The sentence after its dateline, if it opens with one."""
    match = _DATELINE.match(sentence)
    return sentence[match.end() :] if match else sentence


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """One sentence's cues, each from 0 to 1."""

    person: float
    """A "who" question, and it names someone the question does not."""
    number: float
    """A "how many" question, and it holds a number the question does not."""
    time: float
    """A "when" question, and it holds a date or time the question does not."""
    place: float
    """A "where" question, and it names a place the question does not."""
    reason: float
    """A "why" question, and it says "because", "due to", "after"…"""
    new_words: float
    """Share of its words the question does not have: what it adds."""
    title_echo: float
    """Share of its words the title already has: a restatement of the headline."""
    overlap_beyond_title: float
    """Share of the question's words it holds, leaving out those the title holds."""
    boilerplate: float
    """A byline, an update stamp, a credit: no sentence of news."""
    attribution: float
    """Share of its words that only say who said it ("…, the minister said on Tuesday.")."""
    interrogative: float
    """It is itself a question ("What do the images show?"): a quiz or a rhetorical question
    repeats what is asked, it does not answer it."""
    position: float
    """Where it is in the passage: 0 first, 1 last."""
    length: float
    """Its words over 40 (at most 1): a longer sentence says more."""

    def as_list(self) -> list[float]:
        return [getattr(self, name) for name in CUE_NAMES]


CUE_NAMES: tuple[str, ...] = SentenceCues.__slots__  # type: ignore[assignment]


def sentence_cues(question: str, title: str, sentences: Sequence[str]) -> list[SentenceCues]:
    """The cues of each sentence of one passage for `question`."""
    kind = question_kind(question)
    bodies = [without_dateline(s) for s in sentences]
    asked, headline, *words = map(sentence_words, [question, title, *bodies])
    asked_set, title_set = set(asked), set(headline)
    beyond = asked_set - title_set
    beyond_weight = _rarity(beyond, words)
    total_beyond = sum(beyond_weight.values())
    count = len(sentences)
    cues: list[SentenceCues] = []
    for position, (sentence, body, tokens) in enumerate(zip(sentences, bodies, words, strict=True)):
        present = set(tokens)
        typed = _has_answer_type(kind, body, question)
        cues.append(
            SentenceCues(
                person=float(typed and kind == PERSON),
                number=float(typed and kind == NUMBER),
                time=float(typed and kind == TIME),
                place=float(typed and kind == PLACE),
                reason=float(typed and kind == REASON),
                new_words=len(present - asked_set) / len(present) if present else 0.0,
                title_echo=len(present & title_set) / len(present) if present else 0.0,
                overlap_beyond_title=(
                    sum(beyond_weight[t] for t in beyond & present) / total_beyond
                    if total_beyond
                    else 0.0
                ),
                boilerplate=float(bool(_BOILERPLATE.match(sentence)) or len(present) < 2),
                attribution=_attribution_share(body, len(tokens)),
                interrogative=float(_QUESTION_MARK.search(sentence) is not None),
                position=position / (count - 1) if count > 1 else 0.0,
                length=min(1.0, len(_WORD.findall(body)) / 40),
            )
        )
    return cues


def _attribution_share(sentence: str, words: int) -> float:
    """Share of the sentence's words in its closing attribution ("…, officials said.")."""
    match = _ATTRIBUTION.search(sentence)
    if match is None or not words:
        return 0.0
    inside = sentence_words(match.group())
    return min(1.0, len(inside) / words)


def _rarity(terms: set[str], sentences: Sequence[Sequence[str]]) -> dict[str, float]:
    """Rare terms among the passage's sentences weigh more (as `bold_sentence.sentence_overlap`)."""
    present = [set(words) for words in sentences]
    count = len(sentences)
    return {
        term: math.log(1 + count / (1 + sum(term in words for words in present))) for term in terms
    }


def _has_answer_type(kind: str, sentence: str, question: str) -> bool:
    """Whether the sentence holds a thing of `kind` that the question does not already name."""
    asked = {w.lower() for w in _WORD.findall(question)}

    def new(found: Sequence[str]) -> bool:
        return any(not set(_WORD.findall(item.lower())) <= asked for item in found)

    if kind == NUMBER:
        return new(_NUMBER.findall(sentence))
    if kind == TIME:
        return new(_TIME.findall(sentence))
    if kind == REASON:
        return bool(_REASON.search(sentence))
    if kind == PERSON:
        names = [n for n in _NAME.findall(sentence) if " " in n or n.lower() not in STOPWORDS]
        return new(names)
    if kind == PLACE:
        return new(_PLACE.findall(sentence))
    return False
