"""The real Application against the Bot API emulator over HTTP, with the real index and model."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import texts
from index import Embedder, IndexWriter
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.conftest import SEEDS, write_article
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

QUESTION = "Which countries signed long-term security agreements with Ukraine?"
TITLE = "Macron says sending Western troops to Ukraine is not ruled out"


def bold_parts(message: dict[str, Any]) -> list[str]:
    text = message["text"]
    return [
        text[e["offset"] : e["offset"] + e["length"]]  # ASCII-safe here: offsets are UTF-16
        for e in message.get("entities") or []
        if e["type"] == "bold"
    ]


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def ask_private(emulator: BotApiEmulator, text: str, count: int = 1) -> dict[str, Any]:
    emulator.send_message(USER_ID, USER_ID, text)
    return (await emulator.wait_for_messages(USER_ID, count, timeout=60))[-1]


async def test_private_question_gets_cited_passages(
    seed_bot: Application, emulator: BotApiEmulator
) -> None:
    answer = await ask_private(emulator, QUESTION)
    assert TITLE in answer["text"]
    assert "10-year bilateral agreements" in answer["text"]
    assert any("10-year bilateral agreements" in part for part in bold_parts(answer)), (
        "answer sentence in bold"
    )
    shown = re.search(r"26 Feb 2024 · part 3 of 3 · (\w+) match\n", answer["text"])
    assert shown is not None, answer["text"]
    assert shown[1] in ("strong", "good"), "a right answer does not read weak"
    assert answer["reply_to_message"]["text"] == QUESTION, "the answer replies to the question"


async def test_commands(seed_bot: Application, emulator: BotApiEmulator) -> None:
    commands = emulator.calls("setMyCommands")
    assert commands and "ask" in str(commands[-1]["params"])
    start = await ask_private(emulator, "/start", 1)
    assert "/ask" in start["text"]
    help_text = await ask_private(emulator, "/help", 2)
    assert "/sources" in help_text["text"] and "Ukraine" in help_text["text"]
    sources = await ask_private(emulator, "/sources", 3)
    assert TITLE in sources["text"]
    stats = await ask_private(emulator, "/stats", 4)
    assert "all-MiniLM-L6-v2" in stats["text"] and "1" in stats["text"]
    asked = await ask_private(emulator, f"/ask {QUESTION}", 5)
    assert "10-year bilateral agreements" in asked["text"]
    usage = await ask_private(emulator, "/ask", 6)
    assert usage["text"] == _plain(texts.ASK_USAGE)


async def test_group_mentions_and_replies_are_answered_chatter_is_not(
    seed_bot: Application, emulator: BotApiEmulator
) -> None:
    emulator.send_message(GROUP_ID, USER_ID, "Anyone for lunch? Ukraine troops Macron")
    mention = emulator.send_message(GROUP_ID, USER_ID, f"@newsbot_test {QUESTION}")
    first = (await emulator.wait_for_messages(GROUP_ID, 1, timeout=60))[0]
    assert first["reply_to_message"]["message_id"] == mention["message"]["message_id"]
    assert "10-year bilateral agreements" in first["text"]

    emulator.send_message(
        GROUP_ID,
        USER_ID,
        "What did Macron say about troops?",
        reply_to_message_id=first["message_id"],
    )
    emulator.send_message(GROUP_ID, USER_ID, f"/ask@newsbot_test {QUESTION}")
    await emulator.wait_for_messages(GROUP_ID, 3, timeout=60)
    await asyncio.sleep(1.0)  # let any wrongly handled chatter arrive before counting
    sent = emulator.sent_messages(GROUP_ID)
    assert len(sent) == 3, [m["text"][:60] for m in sent]
    assert not any(m["reply_to_message"]["text"].startswith("Anyone") for m in sent)


async def test_uncovered_question_says_so_plainly(
    seed_bot: Application, emulator: BotApiEmulator
) -> None:
    answer = await ask_private(emulator, "What is a good recipe for banana bread?")
    assert "/sources" in answer["text"]
    assert TITLE not in answer["text"], "no padding with weak matches"


async def test_bad_questions_get_hints(seed_bot: Application, emulator: BotApiEmulator) -> None:
    assert (await ask_private(emulator, "🙂🙂🙂", 1))["text"] == _plain(texts.USAGE_HINT)
    assert (await ask_private(emulator, "?!", 2))["text"] == _plain(texts.USAGE_HINT)
    emulator.send_sticker(USER_ID, USER_ID)
    assert (await emulator.wait_for_messages(USER_ID, 3, timeout=60))[-1]["text"] == _plain(
        texts.NON_TEXT_HINT
    )


async def test_ten_thousand_character_message(
    seed_bot: Application, emulator: BotApiEmulator
) -> None:
    long = (QUESTION + " ") * 150
    assert len(long) > 10_000
    answer = await ask_private(emulator, long[:10_000])
    assert "10-year bilateral agreements" in answer["text"]
    assert _plain(texts.LONG_QUESTION_NOTE(500)).split(".")[0] in answer["text"]


async def test_markup_in_a_question_is_escaped(
    seed_bot: Application, emulator: BotApiEmulator
) -> None:
    question = "<b>Which</b> countries & <script>alert(1)</script> signed agreements with Ukraine?"
    answer = await ask_private(emulator, question)
    header = answer["text"].splitlines()[0]
    assert "<b>Which</b> countries & <script>alert(1)</script>" in header, (
        "echoed as text, not markup"
    )
    assert "10-year bilateral agreements" in answer["text"]
    assert all(e["type"] != "code" for e in answer.get("entities") or [])


async def test_more_button_pages_through_results(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    # Distinct events, each its own story (one outlet's copies of one would be one citation).
    stories = [
        ("Denmark signs ten-year security deal with Ukraine",
         "Denmark signed a long-term security agreement with Ukraine in Kyiv, promising "
         "military aid for ten years."),
        ("Italy pledges air defence in Ukraine pact",
         "Italy and Ukraine agreed a decade-long security pact; Rome pledged air defence."),
        ("Canada's prime minister signs a deal in Kyiv",
         "Canada's prime minister flew to Kyiv to sign a security deal covering training "
         "and weapons for the Ukrainian army."),
        ("Dutch F-16s promised under new accord",
         "The Netherlands promised F-16 jets under its new security accord with Ukraine, "
         "signed by both leaders on Friday."),
    ]  # fmt: skip
    for i, (title, story) in enumerate(stories):
        write_article(corpus, f"ukraine-{i}.md", title, story)
    settings = bot_settings(emulator, isolated_environment, search_max_per_article=1)
    IndexWriter(settings, embedder).rebuild([SEEDS, corpus])
    async with running_bot(settings, embedder):
        first = await ask_private(emulator, QUESTION)
        assert [
            line.split(".")[0]
            for line in first["text"].splitlines()
            if line[:2] in {"1.", "2.", "3.", "4."}
        ][:1] == ["1"]
        more = [data for data in buttons(first) if data.startswith("more:")]
        assert len(more) == 1 and more[0].endswith(":1")
        emulator.press_button(first, more[0], USER_ID)
        await emulator.wait_for_call("editMessageText", timeout=60)
        edited = emulator.sent_messages(USER_ID)[-1]
        assert edited["message_id"] == first["message_id"], "the same message is edited"
        assert "4." in edited["text"] and "1." not in edited["text"].split("\n", 2)[-1][:3]
        assert any(data.endswith(":0") for data in buttons(edited)), (
            "a button back to the first page"
        )
        assert emulator.calls("answerCallbackQuery")


async def test_html_in_an_article_is_escaped(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder, tmp_path: Path
) -> None:
    article = tmp_path / "tricky.md"
    article.write_text(
        "---\ntitle: 'Volcano <script>alert(1)</script> & AT&T <b>report'\nurl: https://example.com/a?b=1&c=\"2\"\n---\n"
        "The volcano in Iceland erupted <b>again</b> & lava reached a < b && c > d town. "
        "Grindavik was evacuated <i>before</i> the eruption.\n",
        "utf-8",
    )
    settings = bot_settings(emulator, isolated_environment)
    IndexWriter(settings, embedder).rebuild([article])
    async with running_bot(settings, embedder):
        answer = await ask_private(emulator, "Did the volcano in Iceland erupt?")
    assert "Volcano <script>alert(1)</script> & AT&T <b>report" in answer["text"]
    assert "a < b && c > d" in answer["text"]
    links = [e for e in answer.get("entities") or [] if e["type"] == "text_link"]
    assert links and links[0]["url"] == 'https://example.com/a?b=1&c="2"'


async def test_fifty_users_at_once_each_answered_exactly_once(
    seed_bot: Application, emulator: BotApiEmulator
) -> None:
    users = list(range(9000, 9050))
    for user in users:
        emulator.user(user, f"User {user}")
        emulator.private_chat(user)
    for user in users:
        emulator.send_message(user, user, QUESTION)
    await asyncio.gather(*(emulator.wait_for_messages(u, 1, timeout=120) for u in users))
    await asyncio.sleep(1.0)
    for user in users:
        sent = emulator.sent_messages(user)
        assert len(sent) == 1 and "10-year bilateral agreements" in sent[0]["text"]


async def test_a_user_over_the_rate_limit_is_told_politely(
    emulator: BotApiEmulator, seed_index_dir: Path, isolated_environment: Path, embedder: Embedder
) -> None:
    settings = bot_settings(
        emulator, isolated_environment, index_dir=seed_index_dir, user_questions_per_minute=2
    )
    async with running_bot(settings, embedder):
        for n in range(1, 4):
            await ask_private(emulator, QUESTION, n)
    last = emulator.sent_messages(USER_ID)[-1]
    assert last["text"] == _plain(texts.RATE_LIMITED(30))


async def test_retry_after_is_waited_out(seed_bot: Application, emulator: BotApiEmulator) -> None:
    emulator.fail_next("sendMessage", error_code=429, retry_after=1)
    answer = await ask_private(emulator, QUESTION)
    assert "10-year bilateral agreements" in answer["text"]
    failed = [c for c in emulator.calls("sendMessage") if not c.get("ok", True)]
    assert failed, "the first attempt was refused and retried"


async def test_index_rebuilt_while_the_bot_runs(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder, tmp_path: Path
) -> None:
    settings = bot_settings(emulator, isolated_environment)
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    volcano = tmp_path / "volcano.md"
    volcano.write_text(
        "# Iceland volcano erupts again\n\nLava flowed towards the evacuated town of Grindavik on the "
        "Reykjanes peninsula, and the Blue Lagoon spa was closed.\n",
        "utf-8",
    )
    question = "Which town was evacuated because of the lava in Iceland?"
    async with running_bot(settings, embedder):
        before = await ask_private(emulator, question, 1)
        assert "Grindavik" not in before["text"]
        rebuild = asyncio.create_task(asyncio.to_thread(writer.rebuild, [SEEDS, volcano]))
        for n in range(2, 5):  # questions in flight during the rebuild are answered too
            await ask_private(emulator, QUESTION, n)
        await rebuild
        after = await ask_private(emulator, question, 5)
    assert "Grindavik" in after["text"]


async def test_a_broken_index_gets_an_apology_and_the_bot_lives_on(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder
) -> None:
    settings = bot_settings(emulator, isolated_environment)
    report = IndexWriter(settings, embedder).rebuild([SEEDS])
    assert report.version is not None
    (report.version / "passages.faiss").write_bytes(b"broken")
    async with running_bot(settings, embedder):
        apology = await ask_private(emulator, QUESTION, 1)
        assert apology["text"] == _plain(texts.ERROR)
        assert "/ask" in (await ask_private(emulator, "/help", 2))["text"]


def _plain(html_text: str) -> str:
    from tests.emulator import parse_html

    return parse_html(html_text)[0]


async def test_group_with_privacy_mode_on(
    seed_index_dir: Path, isolated_environment: Path, embedder: Embedder
) -> None:
    with BotApiEmulator(bot_username="newsbot_test", privacy_mode=True) as emulator:
        emulator.user(USER_ID, "Ann", username="ann")
        emulator.group(GROUP_ID, "Readers", type="supergroup")
        settings = bot_settings(emulator, isolated_environment, index_dir=seed_index_dir)
        async with running_bot(settings, embedder):
            emulator.send_message(GROUP_ID, USER_ID, "just chatting about Ukraine")
            emulator.send_message(GROUP_ID, USER_ID, f"@newsbot_test {QUESTION}")
            first = (await emulator.wait_for_messages(GROUP_ID, 1, timeout=60))[0]
            emulator.send_message(
                GROUP_ID, USER_ID, "And Estonia?", reply_to_message_id=first["message_id"]
            )
            emulator.send_message(GROUP_ID, USER_ID, f"/ask {QUESTION}")
            await emulator.wait_for_messages(GROUP_ID, 3, timeout=60)
    assert "10-year bilateral agreements" in first["text"]
    assert len(emulator.sent_messages(GROUP_ID)) == 3


async def test_sources_are_paged(
    emulator: BotApiEmulator, isolated_environment: Path, embedder: Embedder, tmp_path: Path
) -> None:
    corpus = tmp_path / "many"
    for i in range(12):
        write_article(
            corpus,
            f"story-{i:02}.md",
            f"Story number {i:02}",
            f"A short report, number {i}, about the harbour.",
        )
    settings = bot_settings(emulator, isolated_environment)
    IndexWriter(settings, embedder).rebuild([corpus])
    async with running_bot(settings, embedder):
        listing = await ask_private(emulator, "/sources")
        assert sum(f"Story number {i:02}" in listing["text"] for i in range(12)) == 10
        assert buttons(listing) == ["sources:1", "sources:stories:0"], "next, and the stories"
        emulator.press_button(listing, "sources:1", USER_ID)
        await emulator.wait_for_call("editMessageText", timeout=60)
    second = emulator.sent_messages(USER_ID)[-1]
    assert sum(f"Story number {i:02}" in second["text"] for i in range(12)) == 2
    assert buttons(second) == ["sources:0", "sources:stories:0"], "only a button back"


async def test_edited_messages_are_ignored(seed_bot: Application, emulator: BotApiEmulator) -> None:
    update = emulator.send_message(USER_ID, USER_ID, QUESTION)
    await emulator.wait_for_messages(USER_ID, 1, timeout=60)
    emulator.edit_message(update["message"], "What did Macron say about troops?")
    emulator.send_message(USER_ID, USER_ID, "/help")
    await emulator.wait_for_messages(USER_ID, 2, timeout=60)
    await asyncio.sleep(1.0)
    sent = emulator.sent_messages(USER_ID)
    assert len(sent) == 2 and "/sources" in sent[1]["text"], "no second answer for the edit"
