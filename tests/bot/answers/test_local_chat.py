"""The terminal chat's commands and conversation, in process: the real seed index and model,
line by line as `python -m bot` reads them without a token (`tests/bot/test_entry_point.py`
runs the process itself)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.answers.local_chat import LocalChat
from bot.answers.service import AnswerService
from bot.html_split import to_plain
from bot.settings import BotSettings
from index import Embedder, NewsIndex

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"
TITLE = "Macron says sending Western troops to Ukraine is not ruled out"


@pytest.fixture
def chat(seed_index_dir: Path, isolated_environment: Path, embedder: Embedder) -> LocalChat:
    settings = BotSettings(_env_file=None, data_dir=isolated_environment, index_dir=seed_index_dir)  # type: ignore[call-arg]
    return LocalChat(AnswerService(NewsIndex(settings, embedder), per_page=3), settings)


def test_help_is_the_telegram_help_in_plain_text_with_the_terminal_commands(
    chat: LocalChat,
) -> None:
    shown = chat.reply("/help\n")
    assert shown.startswith(to_plain(texts.HELP)) and "<i>" not in shown
    assert "/new" in shown and "/timezone Europe/Paris" in shown and "quit" in shown
    assert chat.reply("/start") == shown


def test_sources_lists_the_articles_and_the_stories(chat: LocalChat) -> None:
    articles = chat.reply("/sources")
    assert "indexed article" in articles and TITLE in articles and "I found nothing" not in articles
    assert "<b>" not in articles and "<a " not in articles
    assert texts.LOCAL_STORIES_HINT in articles
    assert chat.reply("/sources 99") == articles, "past the end: the last (only) page"
    stories = chat.reply("/sources stories")
    assert "1 story" in stories and TITLE in stories and texts.LOCAL_ARTICLES_HINT in stories
    assert "Articles" in chat.reply("/stats") and "all-MiniLM-L6-v2" in chat.reply("/stats")


def test_commands_it_does_not_take_get_a_pointer(chat: LocalChat) -> None:
    assert chat.reply("/frobnicate now") == "Unknown command /frobnicate: try /help."
    assert chat.reply("/subscribe Estonia") == texts.LOCAL_CHAT_TELEGRAM_ONLY("subscribe")
    assert chat.reply("/ask") == to_plain(texts.ASK_USAGE)
    assert TITLE in chat.reply(f"/ask {QUESTION}")
    assert "I found nothing" in chat.reply("/usr/share what?"), "a path is no command"


def test_the_session_time_zone(chat: LocalChat) -> None:
    assert chat.reply("/timezone") == texts.LOCAL_TIME_ZONE_SHOWN("UTC")
    assert chat.reply("/timezone europe/paris") == texts.LOCAL_TIME_ZONE_SET("Europe/Paris")
    assert chat.time_zone == ZoneInfo("Europe/Paris")
    refused = chat.reply("/timezone Mars/<Olympus>")
    assert "I do not know the time zone “Mars/<Olympus>”" in refused
    assert "/timezone Europe/Paris" in refused and chat.time_zone == ZoneInfo("Europe/Paris")


def test_the_last_answers_are_kept_for_a_follow_up_until_new(chat: LocalChat) -> None:
    assert chat.last_turn is None and chat.recent_turns() == []
    assert TITLE in chat.reply(QUESTION)
    turn = chat.last_turn
    assert turn is not None and turn.question == QUESTION and turn.article_ids
    assert len(turn.story_ids) == len(turn.article_ids) and turn.id is None
    assert "I found nothing" in chat.reply("What is a good recipe for banana bread?")
    assert chat.last_turn == turn, "an answer that cites nothing is no turn"
    for n in range(3):
        chat.reply(f"What did Macron say about troops, {n}?")
    assert [t.question for t in chat.recent_turns()] == [
        f"What did Macron say about troops, {n}?" for n in range(3)
    ], "the last three"
    later = datetime.now(UTC) + timedelta(minutes=chat.settings.followup_minutes + 1)
    assert chat.recent_turns(later) == [], "too old to follow up"
    assert chat.reply("/new") == texts.LOCAL_CHAT_NEW
    assert chat.last_turn is None and chat.recent_turns() == []
