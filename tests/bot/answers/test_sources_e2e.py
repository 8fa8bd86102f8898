"""/sources end to end, articles and stories: the real Application on the Bot API emulator over
HTTP, a real index of articles where two outlets report one event, and the real model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import texts
from index import Embedder, IndexWriter
from tests.bot.conftest import USER_ID, bot_settings, running_bot
from tests.emulator import BotApiEmulator, parse_html
from tests.index.stories.test_stories_in_stores import (
    SHREWSBURY_BBC,
    SHREWSBURY_REUTERS,
    VALENCIA_AP,
    as_format_2,
)

pytestmark = pytest.mark.slow

URLS = {
    "bbc": "https://www.bbc.example/news/severn",
    "reuters": "https://www.reuters.example/world/shrewsbury-floods",
    "ap": "https://apnews.example/valencia-floods",
}


def write_articles(folder: Path) -> Path:
    """Three outlets' articles: BBC and Reuters on one flood, AP on another."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, source, published, body) in (
        ("bbc", SHREWSBURY_BBC), ("reuters", SHREWSBURY_REUTERS), ("ap", VALENCIA_AP),
    ):  # fmt: skip
        (folder / f"{name}.md").write_text(
            f"---\ntitle: {title}\nsource: {source}\npublished: {published}\n"
            f"url: {URLS[name]}\n---\n{body}\n",
            "utf-8",
        )
    return folder


async def command(emulator: BotApiEmulator, text: str) -> dict[str, Any]:
    before = len(emulator.sent_messages(USER_ID))
    emulator.send_message(USER_ID, USER_ID, text)
    return (await emulator.wait_for_messages(USER_ID, before + 1, timeout=60))[-1]


async def press(
    emulator: BotApiEmulator, message: dict[str, Any], data: str, shown: str
) -> dict[str, Any]:
    """Press a button of the message and wait until the bot has edited it to show `shown`."""
    emulator.press_button(message, data, USER_ID)
    await emulator.wait_for_call(
        "editMessageText", lambda p: shown in parse_html(p.get("text", ""))[0], timeout=60
    )
    return next(
        m for m in emulator.sent_messages(USER_ID) if m["message_id"] == message["message_id"]
    )


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Each button's label and data."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def links(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(text, url) of each link of a message as Telegram delivers it."""
    units = message["text"].encode("utf-16-le")
    return [
        (units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"), e["url"])
        for e in message.get("entities") or []
        if e["type"] == "text_link"
    ]


async def test_sources_switch_to_the_stories_with_their_outlets_and_back(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder, tmp_path: Path
) -> None:
    settings = bot_settings(emulator, isolated_environment)
    IndexWriter(settings, embedder).rebuild([write_articles(tmp_path / "articles")])
    async with running_bot(settings, embedder):
        articles = await command(emulator, "/sources")
        assert "3 indexed articles" in articles["text"]
        assert buttons(articles) == {texts.BUTTON_STORIES: "sources:stories:0"}

        stories = await press(emulator, articles, "sources:stories:0", "newest first")
        assert stories["text"] == (
            "📰 2 stories, 1 reported by several outlets, newest first\n\n"
            "1. Floods in Valencia kill three — 2 Dec 2026\n"
            "   AP\n\n"
            "2. River Severn bursts its banks in Shrewsbury — 1 Dec 2026\n"
            "   BBC, Reuters"
        )
        assert links(stories) == [
            ("Floods in Valencia kill three", URLS["ap"]),
            ("AP", URLS["ap"]),
            ("River Severn bursts its banks in Shrewsbury", URLS["bbc"]),
            ("BBC", URLS["bbc"]),
            ("Reuters", URLS["reuters"]),
        ]
        assert buttons(stories) == {texts.BUTTON_ARTICLES: "sources:0"}

        back = await press(emulator, stories, "sources:0", "indexed articles")
        assert back["text"] == articles["text"]
        assert (await command(emulator, "/sources stories"))["text"] == stories["text"]


async def test_an_index_without_stories_says_so_with_the_rebuild_hint(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder, tmp_path: Path
) -> None:
    settings = bot_settings(emulator, isolated_environment)
    report = IndexWriter(settings, embedder).rebuild([write_articles(tmp_path / "articles")])
    assert report.version is not None
    as_format_2(report.version)
    async with running_bot(settings, embedder):
        articles = await command(emulator, "/sources")
        assert "3 indexed articles" in articles["text"] and buttons(articles) == {}
        stories = await command(emulator, "/sources Stories")
    assert stories["text"] == parse_html(texts.STORIES_NOT_STORED)[0]
    assert "python -m index rebuild" in stories["text"]
    assert buttons(stories) == {texts.BUTTON_ARTICLES: "sources:0"}
