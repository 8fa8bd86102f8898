"""Turning chat messages into questions (pure)."""

from __future__ import annotations

from bot.answers.questions import Question, extract_question, parse_question


def test_commands_and_mentions_are_stripped() -> None:
    assert extract_question("/ask What about Estonia?", "newsbot") == "What about Estonia?"
    assert extract_question("/ask@NewsBot What about Estonia?", "newsbot") == "What about Estonia?"
    assert extract_question("@NewsBot what did Macron say?", "newsbot") == "what did Macron say?"
    assert extract_question("hey @newsbot, troops?", "newsbot") == "hey  , troops?"
    assert extract_question("mail me @newsbotter", "newsbot") == "mail me @newsbotter"
    assert extract_question("/ask", "newsbot") == ""


def test_unsearchable_input_is_none() -> None:
    for text in ["", "   ", "\n\t", "🙂🙂", "?!...", "— …"]:
        assert parse_question(text, 500) is None, text


def test_long_questions_are_cut_and_flagged() -> None:
    assert parse_question("What did Macron say?", 500) == Question(
        "What did Macron say?", cut=False
    )
    long = parse_question("word " * 3000, 500)
    assert long is not None and long.cut and len(long.text) <= 500
