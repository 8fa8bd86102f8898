"""Tests of the Bot API emulator, driven by python-telegram-bot's real ``Bot`` and ``Application``.

Going through PTB (not just raw HTTP) proves PTB accepts the emulator's answers and maps its
errors to the exceptions the bot will meet in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.emulator import BotApiEmulator, HtmlError, parse_html

USER_ID = 4242
GROUP_ID = -1001


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator() as emulator:
        emulator.user(USER_ID, "Ann", username="ann")
        emulator.private_chat(USER_ID)
        emulator.group(GROUP_ID, "Readers")
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as tg_bot:
        yield tg_bot


def build_app(emu: BotApiEmulator) -> Application:
    builder = ApplicationBuilder().token(emu.token).base_url(emu.base_url)
    return builder.base_file_url(emu.base_file_url).build()


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


def texts(updates: Sequence[Update]) -> list[str | None]:
    return [u.message.text if u.message else None for u in updates]


async def long_poll_waiting(emu: BotApiEmulator, timeout: float = 5.0) -> None:
    """Return once a getUpdates call is waiting inside the emulator."""
    deadline = time.monotonic() + timeout
    while not [c for c in emu.calls("getUpdates") if not c["done"]]:
        assert time.monotonic() < deadline, "no getUpdates call started"
        await asyncio.sleep(0.01)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- identity and routing ---------------------------------------------------------------------
async def test_get_me_returns_the_emulated_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "newsbot_test", True)
    assert me.can_read_all_group_messages is True


async def test_wrong_token_and_unknown_method(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("999:WRONG", base_url=emu.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert emu.calls("noSuchMethod")[0]["error_code"] == 404


def test_form_json_and_query_string_parameters_are_accepted(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{emu.token}/sendMessage"
    query = urllib.parse.urlencode({"chat_id": USER_ID, "text": "from the query"})
    with urllib.request.urlopen(f"{url}?{query}") as response:
        assert json.load(response)["result"]["text"] == "from the query"
    body = json.dumps({"chat_id": USER_ID, "text": "<i>json</i>", "parse_mode": "HTML"})
    request = urllib.request.Request(
        url, body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        result = json.load(response)["result"]
    assert result["entities"] == [{"offset": 0, "length": 4, "type": "italic"}]
    assert [m["text"] for m in emu.sent_messages(USER_ID)] == ["from the query", "json"]


# -- sendMessage validation -------------------------------------------------------------------
async def test_send_message_with_html_returns_a_parsed_message(
    emu: BotApiEmulator, bot: Bot
) -> None:
    sent = await bot.send_message(
        USER_ID,
        '<b>Bold</b> &amp; <a href="https://example.com/a?x=1&amp;y=2">link</a> 😀<i>é</i>',
        parse_mode="HTML",
    )
    assert sent.text == "Bold & link 😀é"
    assert sent.from_user is not None and sent.from_user.id == emu.bot_user["id"]
    assert sent.chat.id == USER_ID
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("text_link", 7, 4),
        ("italic", 14, 1),  # the emoji before it counts as two UTF-16 units
    ]
    assert sent.entities[1].url == "https://example.com/a?x=1&y=2"
    assert emu.sent_messages(USER_ID)[0]["text"] == "Bold & link 😀é"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("<script>alert(1)</script>", 'unsupported start tag "script"'),
        ("a < b", 'unsupported start tag ""'),
        ("caf&nbsp;", "unsupported html entity"),
        ("<b>x</i>", "unmatched end tag"),
        ("<a>x</a>", "must have a non-empty href"),
        ("R & D", 'unescaped "&"'),
        ("R&D", "can't find end of the entity"),
    ],
)
async def test_invalid_html_is_rejected(
    emu: BotApiEmulator, bot: Bot, text: str, detail: str
) -> None:
    with pytest.raises(BadRequest) as raised:
        await bot.send_message(USER_ID, text, parse_mode="HTML")
    assert raised.value.message.lower().startswith("can't parse entities: ")
    assert detail in raised.value.message.lower()
    assert emu.sent_messages() == []
    assert emu.calls("sendMessage")[-1]["error_code"] == 400


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
async def test_empty_text_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER_ID, text, parse_mode="HTML")


async def test_length_limit_counts_utf16_units_after_parsing(bot: Bot) -> None:
    assert (await bot.send_message(USER_ID, "x" * 4096)).text == "x" * 4096
    tagged = await bot.send_message(USER_ID, f"<b>{'y' * 4096}</b>", parse_mode="HTML")
    assert tagged.text == "y" * 4096
    await bot.send_message(USER_ID, "😀" * 2048)  # 4096 UTF-16 units
    for too_long in ("x" * 4097, "😀" * 2049):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(USER_ID, too_long)


async def test_replies_need_an_existing_message(emu: BotApiEmulator, bot: Bot) -> None:
    asked = emu.send_message(USER_ID, USER_ID, "question")["message"]
    reply = await bot.send_message(USER_ID, "answer", reply_to_message_id=asked["message_id"])
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER_ID, "answer", reply_to_message_id=999)
    lenient = await bot.send_message(
        USER_ID, "answer", reply_to_message_id=999, allow_sending_without_reply=True
    )
    assert lenient.reply_to_message is None


async def test_markdown_is_refused_with_a_clear_reason(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="not supported by the emulator"):
        await bot.send_message(USER_ID, "*x*", parse_mode="MarkdownV2")


async def test_callback_data_must_be_1_to_64_bytes(bot: Bot) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    sent = await bot.send_message(USER_ID, "pick", reply_markup=ok)
    assert sent.reply_markup == ok
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER_ID, "pick", reply_markup=too_long)


# -- errors that become special PTB exceptions -------------------------------------------------
async def test_fail_next_429_raises_retry_after_once(emu: BotApiEmulator, bot: Bot) -> None:
    emu.fail_next("sendMessage", retry_after=3)
    # int seconds, or a timedelta when PTB_TIMEDELTA is set
    with pytest.raises(RetryAfter, match=r"Retry in (3 seconds|0:00:03)"):
        await bot.send_message(USER_ID, "hi")
    assert (await bot.send_message(USER_ID, "hi")).text == "hi"
    assert [c["error_code"] for c in emu.calls("sendMessage")] == [429, None]


async def test_fail_next_500_raises_network_error(emu: BotApiEmulator, bot: Bot) -> None:
    emu.fail_next("getMe", error_code=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_me()
    assert (await bot.get_me()).username == "newsbot_test"


async def test_removed_bot_gets_forbidden(emu: BotApiEmulator, bot: Bot) -> None:
    update = emu.bot_removed_from_chat(GROUP_ID, by_user=USER_ID)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP_ID, "still here?")
    emu.bot_removed_from_chat(USER_ID)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "hello?")


async def test_migrated_group_raises_chat_migrated(emu: BotApiEmulator, bot: Bot) -> None:
    update = emu.migrate_group(GROUP_ID, -1009999, by_user=USER_ID)
    assert update["message"]["migrate_to_chat_id"] == -1009999
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(GROUP_ID, "hi")
    assert raised.value.new_chat_id == -1009999
    moved = await bot.send_message(-1009999, "hi")
    assert (moved.chat.id, moved.chat.type) == (-1009999, "supergroup")


async def test_leave_chat_queues_my_chat_member(emu: BotApiEmulator, bot: Bot) -> None:
    assert await bot.leave_chat(GROUP_ID) is True
    [update] = emu.pending_updates()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "left"
    with pytest.raises(Forbidden, match="not a member of the group chat"):
        await bot.send_message(GROUP_ID, "hi")


# -- getUpdates ---------------------------------------------------------------------------------
async def test_long_poll_returns_as_soon_as_an_update_arrives(
    emu: BotApiEmulator, bot: Bot
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await long_poll_waiting(emu)  # inject only once the long poll is waiting
    emu.send_message(USER_ID, USER_ID, "/ask@newsbot_test what happened?")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 3
    assert texts(updates) == ["/ask@newsbot_test what happened?"]
    assert updates[0].message is not None
    [entity] = updates[0].message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 17)


async def test_long_poll_waits_out_its_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_offset_confirms_updates(emu: BotApiEmulator, bot: Bot) -> None:
    for text in ("one", "two", "three"):
        emu.send_message(USER_ID, USER_ID, text)
    first = await bot.get_updates(limit=2)
    assert texts(first) == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert texts(rest) == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert emu.pending_updates() == []


async def test_negative_offset_keeps_only_the_last_updates(emu: BotApiEmulator, bot: Bot) -> None:
    for text in ("a", "b", "c"):
        emu.send_message(USER_ID, USER_ID, text)
    assert texts(await bot.get_updates(offset=-1)) == ["c"]
    assert [u["message"]["text"] for u in emu.pending_updates()] == ["c"]


async def test_allowed_updates_filter_is_remembered(emu: BotApiEmulator, bot: Bot) -> None:
    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()
    emu.send_message(USER_ID, USER_ID, "ignored")
    assert await bot.get_updates() == ()
    assert [d["reason"] for d in emu.dropped_updates()] == ["allowed_updates"]
    await bot.get_updates(allowed_updates=[])  # back to the default set
    emu.send_message(USER_ID, USER_ID, "seen")
    assert texts(await bot.get_updates()) == ["seen"]


async def test_second_poller_terminates_the_first(emu: BotApiEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await long_poll_waiting(emu)
    async with Bot(emu.token, base_url=emu.base_url) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_injected_updates_parse_in_ptb(emu: BotApiEmulator, bot: Bot) -> None:
    channel = emu.channel(-100500, "Wire", username="newswire")
    emu.send_sticker(USER_ID, USER_ID, "🔥")
    emu.send_photo(GROUP_ID, USER_ID, caption="look")
    said = emu.send_message(GROUP_ID, USER_ID, "tpyo")["message"]
    emu.edit_message(said, "typo")
    emu.channel_post(channel, "breaking")
    emu.bot_added_to_chat(GROUP_ID, USER_ID, as_admin=True)
    sticker, photo, original, edited, post, added = await bot.get_updates()
    assert sticker.message and sticker.message.sticker and sticker.message.sticker.emoji == "🔥"
    assert photo.message and photo.message.caption == "look" and photo.message.photo
    assert original.message and original.message.text == "tpyo"
    assert edited.edited_message and edited.edited_message.text == "typo"
    assert post.channel_post and post.channel_post.sender_chat
    assert post.channel_post.sender_chat.username == "newswire"
    assert added.my_chat_member
    assert added.my_chat_member.new_chat_member.status == "administrator"
    posted = await bot.send_message("@newswire", "posted")
    assert posted.chat.id == -100500 and posted.sender_chat is not None


async def test_user_reply_to_the_bot_carries_the_bot_message(emu: BotApiEmulator, bot: Bot) -> None:
    answer = await bot.send_message(GROUP_ID, "Here is the news")
    emu.send_message(GROUP_ID, USER_ID, "source?", reply_to_message_id=answer.message_id)
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.reply_to_message is not None
    replied = update.message.reply_to_message
    assert replied.from_user is not None and replied.from_user.id == emu.bot_user["id"]
    assert (replied.message_id, replied.text) == (answer.message_id, "Here is the news")
    with pytest.raises(KeyError, match="no message 999"):
        emu.send_message(GROUP_ID, USER_ID, "?", reply_to_message_id=999)


def test_stop_closes_the_port() -> None:
    with BotApiEmulator() as emu:
        url = f"{emu.base_url}{emu.token}/getMe"
        with urllib.request.urlopen(url) as response:
            assert json.load(response)["ok"] is True
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


# -- a real Application --------------------------------------------------------------------------
async def test_polling_application_echoes_and_confirms(emu: BotApiEmulator) -> None:
    app = build_app(emu)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with polling(app):
        emu.send_message(USER_ID, USER_ID, "hello")
        [reply] = await emu.wait_for_messages(USER_ID, 1, timeout=10)
        emu.send_message(GROUP_ID, USER_ID, "in the group")
        [group_reply] = await emu.wait_for_messages(GROUP_ID, 1, timeout=10)
    assert reply["text"] == "echo: hello"
    assert group_reply["text"] == "echo: in the group"
    assert emu.pending_updates() == []  # confirmed by the final getUpdates offset
    assert emu.calls("getUpdates")[-1]["params"]["offset"] > 0


async def test_callback_query_is_handled_and_answered(emu: BotApiEmulator) -> None:
    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("got it")
        await query.edit_message_text(f"chosen: {query.data}")

    app = build_app(emu)
    app.add_handler(CallbackQueryHandler(on_button))
    async with polling(app):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("One", callback_data="pick:1")]])
        await app.bot.send_message(USER_ID, "choose", reply_markup=keyboard)
        [message] = emu.sent_messages(USER_ID)
        update = emu.press_button(message, "pick:1", USER_ID)
        answer = await emu.wait_for_call("answerCallbackQuery", timeout=10)
        await emu.wait_for_call("editMessageText", timeout=10)
    assert answer["ok"] is True
    assert emu.callback_answer(update["callback_query"]["id"]) == {"text": "got it"}
    [edited] = emu.sent_messages(USER_ID)
    assert edited["text"] == "chosen: pick:1"
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard
    assert [old["text"] for old in emu.edit_history(USER_ID, edited["message_id"])] == ["choose"]


async def test_only_a_forged_press_sends_data_no_button_has(emu: BotApiEmulator, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("One", callback_data="a")]])
    await bot.send_message(USER_ID, "choose", reply_markup=keyboard)
    [message] = emu.sent_messages(USER_ID)
    with pytest.raises(ValueError, match="has no button 'b'"):
        emu.press_button(message, "b", USER_ID)
    update = emu.press_button(message, "b", USER_ID, forged=True)
    assert update["callback_query"]["data"] == "b"
    assert emu.callback_answer(update["callback_query"]["id"]) is None, "not answered yet"


async def test_presses_of_several_users_are_answered_each_and_a_toast_is_short(
    emu: BotApiEmulator, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("👍", callback_data="up")]])
    sent = await bot.send_message(GROUP_ID, "vote", reply_markup=keyboard)
    [message] = emu.sent_messages(GROUP_ID)
    first = emu.press_button(message, "up", USER_ID)["callback_query"]
    second = emu.press_button(message, "up", 777)["callback_query"]
    assert (first["from"]["id"], second["from"]["id"]) == (USER_ID, 777)
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(first["id"], "x" * 201)
    assert emu.callback_answer(first["id"]) is None, "a refused answer leaves it unanswered"
    assert await bot.answer_callback_query(first["id"], "x" * 200)
    assert await bot.answer_callback_query(second["id"], "noted", show_alert=True)
    assert emu.callback_answer(first["id"]) == {"text": "x" * 200}
    assert emu.callback_answer(second["id"]) == {"text": "noted", "show_alert": True}
    counted = InlineKeyboardMarkup([[InlineKeyboardButton("👍 2", callback_data="up")]])
    await bot.edit_message_reply_markup(GROUP_ID, sent.message_id, reply_markup=counted)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(GROUP_ID, sent.message_id, reply_markup=counted)
    [shown] = emu.sent_messages(GROUP_ID)
    assert (
        shown["text"] == "vote" and shown["reply_markup"]["inline_keyboard"][0][0]["text"] == "👍 2"
    )


async def test_unknown_callback_query_id(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


async def test_edit_message_text_rules(emu: BotApiEmulator, bot: Bot) -> None:
    sent = await bot.send_message(USER_ID, "<b>same</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>same</b>", USER_ID, sent.message_id, parse_mode="HTML")
    edited = await bot.edit_message_text("same", USER_ID, sent.message_id)  # bold removed
    assert isinstance(edited, type(sent)) and edited.entities == ()
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER_ID, 999)
    assert len(emu.edit_history(USER_ID, sent.message_id)) == 1


NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def _refusals(emu: BotApiEmulator, method: str) -> list[str]:
    """Telegram's descriptions of the refused calls of a method, as sent on the wire."""
    return [c["description"] for c in emu.calls(method) if c["done"] and not c["ok"]]


async def test_editing_a_bot_message_as_telegram_documents_it(
    emu: BotApiEmulator, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("🔕", callback_data="unsub:1")]])
    sent = await bot.send_message(
        GROUP_ID, "<b>Floods</b> in Narva", parse_mode="HTML", reply_markup=keyboard
    )
    edited = await bot.edit_message_text(
        "<b>Floods</b> in Narva\n\n<i>Also reported by</i> <a href='https://r.example/1'>Reuters"
        "</a>", GROUP_ID, sent.message_id, parse_mode="HTML", reply_markup=keyboard,
    )  # fmt: skip
    assert isinstance(edited, Message) and edited.text is not None
    assert edited.text.endswith("Also reported by Reuters") and edited.reply_markup == keyboard
    assert [e.type for e in edited.entities] == ["bold", "italic", "text_link"]
    # The same text and keyboard again: refused, in Telegram's words.
    with pytest.raises(BadRequest) as same:
        await bot.edit_message_text(
            edited.text_html, GROUP_ID, sent.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    assert same.value.message == NOT_MODIFIED.removeprefix("Bad Request: ").capitalize()
    # HTML is checked as sendMessage checks it, and so is the length.
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.edit_message_text("<b>open", GROUP_ID, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.edit_message_text("x" * 4097, GROUP_ID, sent.message_id)
    # A message of a user is not the bot's to edit.
    said = emu.send_message(GROUP_ID, USER_ID, "hello")["message"]
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("hi", GROUP_ID, said["message_id"])
    # An admin deletes the alert: it cannot be edited any more.
    emu.set_admins(GROUP_ID, [USER_ID])
    emu.delete_message(GROUP_ID, sent.message_id, by_user=USER_ID)
    with pytest.raises(BadRequest) as gone:
        await bot.edit_message_text("later", GROUP_ID, sent.message_id)
    assert gone.value.message == "Message to edit not found"
    assert _refusals(emu, "editMessageText") == [
        NOT_MODIFIED,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        "Bad Request: message is too long",
        "Bad Request: message can't be edited",
        "Bad Request: message to edit not found",
    ]
    assert emu.sent_messages(GROUP_ID) == [], "deleted, it is gone from what the chat shows"
    assert [m["text"] for m in emu.edit_history(GROUP_ID, sent.message_id)] == ["Floods in Narva"]


async def test_users_delete_messages_as_the_apps_let_them(emu: BotApiEmulator, bot: Bot) -> None:
    sent = await bot.send_message(GROUP_ID, "an alert")
    with pytest.raises(ValueError, match="cannot delete others' messages"):
        emu.delete_message(GROUP_ID, sent.message_id, by_user=777)
    own = emu.send_message(GROUP_ID, 777, "mine")["message"]
    emu.delete_message(GROUP_ID, own["message_id"], by_user=777)
    private = await bot.send_message(USER_ID, "an alert")
    emu.delete_message(USER_ID, private.message_id, by_user=USER_ID)
    with pytest.raises(KeyError):
        emu.delete_message(USER_ID, private.message_id)
    assert [m["text"] for m in emu.sent_messages()] == ["an alert"]


async def test_edits_meet_flood_control_like_sends(emu: BotApiEmulator, bot: Bot) -> None:
    sent = await bot.send_message(USER_ID, "an alert")
    emu.fail_next("editMessageText", retry_after=7)
    with pytest.raises(RetryAfter, match=r"Retry in (7 seconds|0:00:07)"):
        await bot.edit_message_text("an alert, edited", USER_ID, sent.message_id)
    await bot.edit_message_text("an alert, edited", USER_ID, sent.message_id)
    assert [m["text"] for m in emu.sent_messages(USER_ID)] == ["an alert, edited"]


async def test_commands_admins_and_members(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.set_my_commands([("ask", "Ask about the news"), ("help", "How to use me")])
    assert [c.command for c in await bot.get_my_commands()] == ["ask", "help"]
    emu.set_admins(GROUP_ID, [USER_ID], bot_is_admin=True, creator=7)
    admins = await bot.get_chat_administrators(GROUP_ID)
    assert sorted((a.user.id, a.status) for a in admins) == [
        (7, "creator"),
        (USER_ID, "administrator"),
        (emu.bot_user["id"], "administrator"),
    ]
    assert (await bot.get_chat_member(GROUP_ID, 31337)).status == "member"
    assert (await bot.get_chat(GROUP_ID)).title == "Readers"
    assert await bot.send_chat_action(GROUP_ID, "typing") is True


# -- webhook mode ----------------------------------------------------------------------------
async def test_webhook_application_receives_injected_updates(emu: BotApiEmulator) -> None:
    port = free_port()
    app = build_app(emu)
    app.add_handler(CommandHandler("ask", echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        try:
            hook = emu.webhook()
            assert hook is not None and hook["secret_token"] == "s3cret"
            emu.send_message(USER_ID, USER_ID, "/ask first")
            await emu.wait_for_messages(USER_ID, 1, timeout=10)
            update = emu.send_message(USER_ID, USER_ID, "/ask second", deliver="none")
            url = f"http://127.0.0.1:{port}/hook"
            assert await emu.post_update_to(url, update, secret_token="wrong") == 403
            assert await emu.post_update_to(url, update, secret_token="s3cret") == 200
            replies = await emu.wait_for_messages(USER_ID, 2, timeout=10)
            with pytest.raises(Conflict, match="webhook is active"):
                await app.bot.get_updates()
        finally:
            await app.updater.stop()
            await app.stop()
    assert [m["text"] for m in replies] == ["echo: /ask first", "echo: /ask second"]
    deliveries = emu.webhook_deliveries()
    assert [d["status"] for d in deliveries] == [200, 403, 200]
    assert [d["update_id"] for d in deliveries[1:]] == [update["update_id"]] * 2
    assert emu.pending_updates() == []


# -- test-side helpers ---------------------------------------------------------------------------
def test_sync_wait_and_its_timeout_message(emu: BotApiEmulator) -> None:
    def send_later() -> None:
        time.sleep(0.2)
        query = urllib.parse.urlencode({"chat_id": USER_ID, "text": "late"})
        urllib.request.urlopen(f"{emu.base_url}{emu.token}/sendMessage?{query}").close()

    sender = threading.Thread(target=send_later)
    sender.start()
    [message] = emu.wait_for_messages_sync(USER_ID, 1, timeout=5)
    sender.join()
    assert message["text"] == "late"
    with pytest.raises(TimeoutError, match=r"expected 2 bot message\(s\).*'late'"):
        emu.wait_for_messages_sync(USER_ID, 2, timeout=0.2)


async def test_sync_wait_refuses_to_block_a_running_loop(emu: BotApiEmulator) -> None:
    with pytest.raises(RuntimeError, match=r"await emu\.wait_for_messages"):
        emu.wait_for_messages_sync(USER_ID, 1, timeout=0.1)


def test_privacy_mode_hides_group_chatter() -> None:
    with BotApiEmulator(privacy_mode=True) as emu:
        emu.group(GROUP_ID, "Readers")
        emu.send_message(GROUP_ID, USER_ID, "just chatting")
        emu.send_message(GROUP_ID, USER_ID, "/ask@newsbot_test anything new?")
        emu.send_message(GROUP_ID, USER_ID, "hey @newsbot_test")
        emu.send_message(GROUP_ID, USER_ID, "/ask@otherbot hi")
        texts = [u["message"]["text"] for u in emu.pending_updates()]
    assert texts == ["/ask@newsbot_test anything new?", "hey @newsbot_test"]


def test_parse_html_edge_cases() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert (text, entities) == (
        "x = 1",
        [{"offset": 0, "length": 5, "type": "pre", "language": "python"}],
    )
    text, entities = parse_html("<blockquote expandable>q</blockquote>&#x1F600;&lt;")
    assert text == "q😀<" and entities[0]["type"] == "expandable_blockquote"
    assert parse_html("R&D &nbsp;", strict_entities=False) == ("R&D &nbsp;", [])
    with pytest.raises(HtmlError, match="Unclosed start tag"):
        parse_html("x <b")
    with pytest.raises(HtmlError, match='Unsupported start tag "br"'):
        parse_html("a<br>b")


# -- forum topics -----------------------------------------------------------------------------
async def test_forum_topics_route_messages_and_refuse_missing_or_closed_ones(
    emu: BotApiEmulator, bot: Bot
) -> None:
    forum = -100777
    emu.forum(forum, "Newsroom")
    emu.set_admins(forum, [USER_ID])
    chat = await bot.get_chat(forum)
    assert chat.is_forum is True
    created = await bot.create_forum_topic(forum, "Baltic")
    baltic = created.message_thread_id
    users_topic = emu.create_topic(forum, USER_ID, "Sport")
    inside = await bot.send_message(forum, "in Baltic", message_thread_id=baltic)
    assert (inside.message_thread_id, inside.is_topic_message) == (baltic, True)
    assert inside.reply_to_message is not None
    assert inside.reply_to_message.forum_topic_created is not None
    general = await bot.send_message(forum, "in General")
    assert general.message_thread_id is None and not general.is_topic_message
    assert [m["text"] for m in emu.topic_messages(forum, baltic)] == ["in Baltic"]
    assert [m["text"] for m in emu.topic_messages(forum, None)] == ["in General"]
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(forum, "nowhere", message_thread_id=99999)
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(GROUP_ID, "not a forum", message_thread_id=baltic)
    await bot.close_forum_topic(forum, users_topic)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(forum, "closed", message_thread_id=users_topic)
    await bot.reopen_forum_topic(forum, users_topic)
    await bot.send_message(forum, "open again", message_thread_id=users_topic)
    emu.delete_topic(forum, baltic)
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(forum, "gone", message_thread_id=baltic)
    with pytest.raises(BadRequest, match="not a forum"):
        await bot.create_forum_topic(GROUP_ID, "no")


async def test_a_users_message_in_a_topic_parses_as_a_topic_message_in_ptb(
    emu: BotApiEmulator, bot: Bot
) -> None:
    forum = -100778
    emu.forum(forum, "Newsroom")
    thread = emu.create_topic(forum, USER_ID, "Baltic")
    update = emu.send_message(forum, USER_ID, "/subscribe Estonia", thread_id=thread)
    message = Update.de_json(update, bot).message
    assert message is not None and message.is_topic_message
    assert message.message_thread_id == thread
    assert message.reply_to_message is not None and message.reply_to_message.message_id == thread
