"""A local Telegram Bot API emulator for end-to-end tests of the bot.

Usage::

    with BotApiEmulator() as emu:
        app = ApplicationBuilder().token(emu.token).base_url(emu.base_url).build()
        chat = emu.private_chat(emu.user(42, "Ann"))
        emu.send_message(chat, 42, "/start")
        ...
        emu.wait_for_messages_sync(chat["id"], 1)
"""

from __future__ import annotations

from .emulator import BotApiEmulator
from .errors import ApiError
from .html_check import HtmlError, parse_html, utf16_len
from .objects import chat_member, detect_entities

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "HtmlError",
    "chat_member",
    "detect_entities",
    "parse_html",
    "utf16_len",
]
