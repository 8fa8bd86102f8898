"""Messages that outgrow Telegram's limit, split into valid parts within it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers.rendering import format_answer
from bot.html_split import split_message
from index.search.news_index import Hit
from tests.bot.rendering_helpers import hit_lists, visible
from tests.emulator import utf16_len


def test_split_message_cuts_at_blank_lines_first() -> None:
    blocks = [f"<b>Block {i}</b> " + "word " * 300 for i in range(5)]
    parts = split_message("\n\n".join(blocks), limit=3500)
    assert len(parts) == 3 and parts[0] == "\n\n".join(blocks[:2])
    assert split_message("short") == ["short"]
    with pytest.raises(ValueError):
        split_message("text", limit=1)


@settings(max_examples=100, deadline=None)
@given(hits_and_sentences=hit_lists(), limit=st.integers(10, 4096),
       wrap=st.sampled_from(["", "<i>", "<b><u>", '<a href="https://x.y/?a&amp;b">']))  # fmt: skip
def test_split_message_parts_are_valid_and_within_the_limit(
    hits_and_sentences: tuple[list[Hit], list[str]], limit: int, wrap: str
) -> None:
    hits, _ = hits_and_sentences
    message = format_answer("q", hits, page=0, has_more=False, max_chars=20_000)
    closing = "".join(f"</{t}>" for t in reversed(re.findall(r"<(\w+)", wrap)))
    message = f"{wrap}{message}{closing}"
    parts = split_message(message, limit)
    assert all(utf16_len(visible(part)) <= limit for part in parts)
    joined = "".join(visible(part) for part in parts)
    assert "".join(joined.split()) == "".join(visible(message).split())
