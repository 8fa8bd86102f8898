"""Follow-up questions: "and what did the mayor say?" replying to an answer about a flood is
searched with what the conversation already holds (pure).

The follow-up is searched twice: with the previous question's content words after its own
(`contextual_question`: the previous words weigh less, being fewer and later in the text the
model reads, and only those the follow-up lacks), the articles the previous answer cited
ranked up by `cited_bonus`; and alone. When the follow-up alone is confidently answered
elsewhere (`points_elsewhere`), it was a new question. The settings are chosen on the tune part
of the follow-up set (`benchmarks/followups.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.lexical import topic_words

PREVIOUS_QUESTIONS = 2
"""How many earlier questions of the conversation lend their words."""


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What the conversation holds before this question: its earlier questions (oldest first)
    and the articles the last answer cited (best first)."""

    previous_questions: tuple[str, ...]
    cited_articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUpRules:
    """How much the conversation weighs (`benchmarks/followups.py` measures them)."""

    cited_bonus: float = 0.05
    """Added to the rank score of passages from the articles the last answer cited."""
    new_question_confidence: float = 0.6
    """The follow-up alone, answered at least this confidently from an article the last answer
    did not cite, is a new question."""


def contextual_question(question: str, previous: Sequence[str]) -> str:
    """The follow-up, then the content words of the last `PREVIOUS_QUESTIONS` questions it does
    not already have (most recent first), so pronouns and ellipses find their subject."""
    have = set(topic_words(question))
    extra: list[str] = []
    for earlier in reversed(previous[-PREVIOUS_QUESTIONS:]):
        for word in _content_words(earlier):
            words = topic_words(word)
            if not words <= have:
                extra.append(word)
                have |= words
    return f"{question} {' '.join(extra)}".strip() if extra else question


def points_elsewhere(
    alone_confidence: float | None,
    alone_article: str | None,
    cited: Sequence[str],
    rules: FollowUpRules,
) -> bool:
    """Whether the follow-up alone is confidently answered by an article not cited before."""
    return (
        alone_confidence is not None
        and alone_article is not None
        and alone_article not in cited
        and alone_confidence >= rules.new_question_confidence
    )


def _content_words(text: str) -> list[str]:
    """The words of a question in order, as written (the word index's filler left out)."""
    return [w for w in re.findall(r"[\w'’-]+", text) if topic_words(w)]
