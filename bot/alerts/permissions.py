"""Who may change a chat's subscriptions: its administrators, asked of Telegram each time.

Admin lists change often and Telegram is the authority, so nothing is cached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, ChatMember, ChatMemberAdministrator, Message, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden

from bot import texts
from bot.escaping import escape

log = logging.getLogger(__name__)

_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


@dataclass(frozen=True, slots=True)
class TargetChat:
    """The chat whose subscriptions a command changes, and how to name it in replies."""

    id: int
    title: str | None
    where_html: str
    """"" for the chat the command was sent in; "@channel" (escaped) otherwise."""
    thread_id: int = 0
    """The forum topic the command was sent in (0: none, or the chat's General topic)."""


async def is_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except (BadRequest, Forbidden) as exc:
        log.info("cannot check the member %s of chat %s: %s", user_id, chat_id, exc)
        return False
    return member.status in _ADMINS


async def may_manage_here(bot: Bot, message: Message, user: User | None) -> bool:
    """Private chats and channel posts (only admins post in a channel) always may; in groups,
    administrators, including anonymous ones (who post as the group itself)."""
    chat = message.chat
    if chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    return user is not None and await is_admin(bot, chat.id, user.id)


async def channel_for(bot: Bot, username: str, user: User | None) -> TargetChat | str:
    """The chat `@username` when both the user and the bot are admins there; else why not."""
    try:
        chat = await bot.get_chat(username)
    except (BadRequest, Forbidden):
        return texts.CHANNEL_NOT_FOUND
    if chat.type == ChatType.PRIVATE:
        return texts.CHANNEL_NOT_FOUND
    if user is None or not await is_admin(bot, chat.id, user.id):
        return texts.CHANNEL_USER_NOT_ADMIN
    try:
        own: ChatMember = await bot.get_chat_member(chat.id, bot.id)
    except (BadRequest, Forbidden):
        return texts.CHANNEL_BOT_NOT_ADMIN
    can_post = not isinstance(own, ChatMemberAdministrator) or own.can_post_messages is not False
    if own.status not in _ADMINS or (chat.type == ChatType.CHANNEL and not can_post):
        return texts.CHANNEL_BOT_NOT_ADMIN
    return TargetChat(chat.id, chat.title, escape(username))
