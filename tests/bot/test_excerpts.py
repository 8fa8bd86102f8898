"""What to show of a passage: the bold sentence with balanced context, within a budget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers.rendering import format_answer
from bot.excerpts import excerpt
from tests.bot.rendering_helpers import PASSAGE, SENTENCE, fold, make_hit, passages, tricky_text
from tests.emulator import parse_html, utf16_len


@settings(max_examples=150, deadline=None)
@given(text=tricky_text, start=st.integers(-5, 120), end=st.integers(-5, 120),
       max_chars=st.one_of(st.integers(2, 40), st.integers(2, 600)))  # fmt: skip
def test_excerpt_fits_and_keeps_the_start_of_the_bold_sentence(
    text: str, start: int, end: int, max_chars: int
) -> None:
    part = excerpt(text, (start, end), max_chars)
    assert utf16_len(part.text) <= max_chars
    a, b = min(max(0, start), len(text)), min(max(0, end), len(text))
    expected = fold(text[a:b]) if a < b else ""
    assert expected.startswith(part.sentence)
    if expected and max_chars >= 3:
        assert part.sentence, "something of the bold sentence is always shown"
    if utf16_len(expected) + 2 <= max_chars:
        assert part.sentence == expected, "a sentence that fits is never cut"
    assert fold(text).find(fold(part.before + part.sentence + part.after)) >= 0


@settings(max_examples=60, deadline=None)
@given(passage=passages(), max_chars=st.integers(20, 300))
def test_excerpt_context_is_balanced_around_the_sentence(
    passage: tuple[str, tuple[int, int], str], max_chars: int
) -> None:
    text, span, sentence = passage
    part = excerpt(text, span, max_chars)
    if part.clipped_start and part.clipped_end and part.sentence == sentence:
        room = max_chars - utf16_len(sentence)
        assert utf16_len(part.before) <= room - room // 2 and utf16_len(part.after) <= room


def test_excerpt_keeps_the_sentence_and_folds_paragraph_breaks() -> None:
    span = (PASSAGE.index(SENTENCE), PASSAGE.index(SENTENCE) + len(SENTENCE))
    whole = excerpt(PASSAGE, span, 1000)
    assert whole.text == fold(PASSAGE) and not (whole.clipped_start or whole.clipped_end)
    short = excerpt(PASSAGE, span, len(SENTENCE) + 30)
    assert short.sentence == SENTENCE and short.clipped_start and short.clipped_end
    assert (
        short.text.startswith("…")
        and short.text.endswith("…")
        and len(short.text) <= len(SENTENCE) + 30
    )
    cut = excerpt(PASSAGE, span, 30)
    assert cut.sentence == "The Paris conference comes"
    assert cut.text == "…The Paris conference comes…"
    word = excerpt("before " + "x" * 50, (7, 57), 20)
    assert word.text == "…" + "x" * 18 + "…", "one overlong word is cut hard, room kept for both …"


def test_excerpt_shares_the_room_between_both_sides() -> None:
    side = "alpha beta gamma delta " * 20
    text = f"{side}Focus sentence here. {side}"
    start = text.index("Focus")
    part = excerpt(text, (start, start + len("Focus sentence here.")), 120)
    assert part.clipped_start and part.clipped_end and part.sentence == "Focus sentence here."
    assert 40 <= len(part.before) <= 50 and 40 <= len(part.after) <= 50
    assert part.before.startswith(("alpha", "beta", "gamma", "delta")), "starts at a word"
    first = excerpt(f"Intro. {text}", (0, 6), 120)
    assert not first.clipped_start and len(first.text) >= 115, "unused room goes to the after side"


@pytest.mark.parametrize("bold", [(0, 0), (50, 10), (-3, 10**6), (5, 5), (10**6, 10**6 + 5)])
def test_excerpt_survives_unusable_bold_sentences(bold: tuple[int, int]) -> None:
    part = excerpt(PASSAGE, bold, 80)
    assert len(part.text) <= 80 and part.text.lstrip("…")
    assert excerpt("", bold, 80).text == ""
    out = format_answer("q", [make_hit(bold_sentence=bold)], page=0, has_more=False)
    parse_html(out)
