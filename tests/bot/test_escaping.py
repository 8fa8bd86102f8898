"""Outside text made safe for Telegram HTML, and echoes of user input cut to a limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import escaping
from bot.escaping import escape, quoted
from bot.excerpts import shorten
from tests.bot.rendering_helpers import fold, tricky_text
from tests.emulator import parse_html, utf16_len


def test_quoted_cuts_long_input_with_an_ellipsis_and_escapes_it() -> None:
    assert quoted("Europe/Paris") == "Europe/Paris"
    assert quoted("A" * 10_000) == "A" * (escaping.QUOTED_MAX_CHARS - 1) + "…"
    assert quoted("<b>&" * 50, limit=9) == "&lt;b&gt;&amp;&lt;b&gt;&amp;…"
    assert quoted("two\n\nlines") == "two lines"


@given(text=st.one_of(tricky_text, st.text(max_size=300)), limit=st.integers(2, 500))
def test_quoted_is_valid_html_within_its_limit_and_the_start_of_the_input(
    text: str, limit: int
) -> None:
    shown, _ = parse_html(quoted(text, limit))
    assert utf16_len(shown) <= limit
    folded = fold(text)
    assert shown == folded or (shown.endswith("…") and folded.startswith(shown[:-1].rstrip()))


def test_shorten_and_escape() -> None:
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("one\n\ntwo", 20) == "one two"
    assert shorten("x" * 30, 10) == "x" * 9 + "…"
    assert utf16_len(shorten("😀" * 30, 11)) <= 11
    assert escape('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert escaping.escape_attr('a"b&c') == "a&quot;b&amp;c"
