"""A question as it is searched: whitespace folded, cut at a word boundary, refused when it holds
no word at all."""

from __future__ import annotations

import re

_HAS_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")


def prepare_query(text: str, max_chars: int) -> str | None:
    """The query as searched: whitespace folded, cut at a word boundary; None if nothing to search.

    Emoji-only or punctuation-only input has no word characters and is not searched.
    """
    folded = _SPACES.sub(" ", text).strip()
    if not _HAS_WORD.search(folded):
        return None
    if len(folded) <= max_chars:
        return folded
    cut = folded[:max_chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut
