"""What a reader sees of an answer: each citation's text as the bot formats it for Telegram.

The retrieval metrics ask whether a cited passage holds the answer; a reader sees only the
citation's title, its source line and the excerpt `bot.answers.rendering` cuts around the bold
sentence. "Answer visible@k" asks whether the answer is in what the reader sees of the first k
citations of the first page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.answers.rendering import answer_parts
from bot.html_split import to_plain, visible_len
from evaluation.metrics import contains_answer
from index.search.news_index import Hit
from index.settings import IndexSettings

PER_PAGE: int = IndexSettings.model_fields["search_top_k"].default
"""Citations on an answer's first page (SEARCH_TOP_K's default)."""


@dataclass(frozen=True, slots=True)
class ShownAnswer:
    """The first page of an answer as the reader sees it."""

    citations: list[str]
    """Each citation's visible text (title, source line, excerpt), in order."""
    chars: int
    """The whole message's visible length, in UTF-16 units (Telegram's count)."""


def shown_answer(
    question: str,
    hits: Sequence[Hit],
    per_page: int = PER_PAGE,
    caps: Sequence[int] | None = None,
) -> ShownAnswer:
    """The first page the bot would send for these hits (with other excerpt `caps`, to
    compare)."""
    shown = hits[:per_page]
    parts = answer_parts(
        question, shown, page=0, has_more=len(hits) > per_page,
        caps=None if caps is None else list(caps)[: len(shown)],
    )  # fmt: skip
    return ShownAnswer([to_plain(block) for block in parts.blocks], visible_len(parts.html))


def answer_visible(shown: ShownAnswer, answers: Sequence[str], k: int) -> bool:
    """Whether an answer string is in what the reader sees of the first `k` citations."""
    return any(contains_answer(text, answers) for text in shown.citations[:k])
