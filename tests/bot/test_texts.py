"""Every sentence the bot says: valid Telegram HTML, and the wording that matters."""

from __future__ import annotations

import pytest

from bot import texts
from tests.emulator import HtmlError, parse_html


def test_every_text_is_valid_telegram_html() -> None:
    constants = [v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str)]
    calls = [texts.LONG_QUESTION_NOTE(1000), texts.NOT_COVERED("x &amp; y"), texts.RATE_LIMITED(1),
             texts.ANSWER_HEADER("q", 2), texts.SOURCES_HEADER(1, 0, 1),
             texts.STORIES_HEADER(3, 1, 0, 2), texts.OUTLETS(['<a href="https://e.x">BBC</a>'], 2)]  # fmt: skip
    assert len(constants) > 25
    for text in constants + calls:
        parse_html(text)
    with pytest.raises(HtmlError):
        parse_html(texts.NOT_COVERED("<x>"))  # the functions expect escaped values


def test_texts_wording() -> None:
    assert all(word in texts.START for word in ("/ask", "mention", "reply"))
    assert all(command in texts.HELP for command in ("/ask", "/sources", "/stats", "/help"))
    assert "Ukraine" in texts.HELP and "/ask" in texts.ASK_USAGE
    assert [name for name, _ in texts.COMMANDS][:5] == ["start", "help", "ask", "sources", "stats"]
    assert {"subscribe", "subscriptions", "unsubscribe", "digest"} <= {n for n, _ in texts.COMMANDS}
    assert all(3 <= len(description) <= 256 for _, description in texts.COMMANDS)
    assert texts.RATE_LIMITED(1).count("1 second ") == 1 and "30 seconds" in texts.RATE_LIMITED(
        29.6
    )
    first_sentence = texts.LONG_QUESTION_NOTE(500).split(".")[0]
    assert first_sentence == texts.LONG_QUESTION_NOTE(None).split(".")[0]
    assert "Ctrl-D" in texts.LOCAL_CHAT_BANNER and "TELEGRAM_BOT_TOKEN" in texts.LOCAL_CHAT_BANNER
    assert (texts.BUTTON_MORE, texts.BUTTON_PREVIOUS) == ("More ▸", "◂ Back")
