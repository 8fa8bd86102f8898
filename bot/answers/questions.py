"""Pure rules that turn a chat message into the question to search, or into nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.search.query import prepare_query

_COMMAND = re.compile(r"^/\w+(?:@\w+)?\s*")


@dataclass(frozen=True, slots=True)
class Question:
    """The question as searched, and whether it had to be cut to `max_chars`."""

    text: str
    cut: bool


def extract_question(text: str, bot_username: str | None) -> str:
    """The message without a leading `/command` and without mentions of the bot itself."""
    text = _COMMAND.sub("", text.strip(), count=1)
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


def parse_question(text: str, max_chars: int) -> Question | None:
    """None for what cannot be searched (empty, whitespace, emoji or punctuation only)."""
    prepared = prepare_query(text, max_chars)
    if prepared is None:
        return None
    folded_length = len(" ".join(text.split()))
    return Question(prepared, cut=folded_length > len(prepared))
