"""Bot API dispatch plus the bot, webhook, command and chat methods.

Message methods live in :mod:`message_methods`; the long-polling ``getUpdates`` lives in the
server because it has to wait.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from typing import Any

from .errors import ApiError
from .forum import ForumMethods, place_in_thread
from .message_methods import MessageMethods, require
from .objects import ACTIVE_STATUSES, full_chat_info
from .state import State

__all__ = ["BotApi"]

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
Handler = Callable[[dict[str, Any]], Any]


class BotApi(MessageMethods, ForumMethods):
    """Dispatches Bot API calls onto :class:`State`; call with ``state.lock`` held."""

    def __init__(
        self, state: State, *, strict_html_entities: bool = True, privacy_mode: bool = False
    ) -> None:
        self.state = state
        self.strict_html_entities = strict_html_entities
        self.privacy_mode = privacy_mode
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": lambda _: True,
            "close": lambda _: True,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "leaveChat": self.leave_chat,
            "createForumTopic": self.create_forum_topic,
            "closeForumTopic": self.close_forum_topic,
            "reopenForumTopic": self.reopen_forum_topic,
            "deleteForumTopic": self.delete_forum_topic,
        }
        self._by_lower = {name.lower(): name for name in [*self.handlers, "getUpdates"]}

    def canonical(self, method: str) -> str | None:
        """Telegram's method names are case-insensitive."""
        return self._by_lower.get(method.lower())

    def call(self, method: str, params: dict[str, Any]) -> Any:
        return self.handlers[method](params)

    # -- bot and webhook ---------------------------------------------------------------------
    def get_me(self, _: dict[str, Any]) -> dict[str, Any]:
        me = copy.deepcopy(self.state.bot_user)
        me.update(
            can_join_groups=True,
            can_read_all_group_messages=not self.privacy_mode,
            supports_inline_queries=False,
        )
        return me

    def set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self.delete_webhook(params)
        if not re.match(r"^https?://[^/\s]+", url):
            raise ApiError(400, "Bad Request: bad webhook: Invalid URL specified")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise ApiError(
                400, "Bad Request: bad webhook: secret token contains unallowed characters"
            )
        state = self.state
        state.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections", 40),
            "last_error_date": None,
            "last_error_message": None,
        }
        if "allowed_updates" in params:
            state.allowed_updates = list(params["allowed_updates"] or [])
        if params.get("drop_pending_updates"):
            state.updates.clear()
        state.changed()
        return True

    def delete_webhook(self, params: dict[str, Any]) -> bool:
        self.state.webhook = None
        if params.get("drop_pending_updates"):
            self.state.updates.clear()
        self.state.changed()
        return True

    def get_webhook_info(self, _: dict[str, Any]) -> dict[str, Any]:
        hook = self.state.webhook or {}
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
        }
        if hook:
            info["max_connections"] = hook["max_connections"]
            if self.state.allowed_updates:
                info["allowed_updates"] = list(self.state.allowed_updates)
            if hook["last_error_date"]:
                info["last_error_date"] = hook["last_error_date"]
                info["last_error_message"] = hook["last_error_message"]
        return info

    # -- commands ----------------------------------------------------------------------------
    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = require(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        self.state.commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self.state.commands.get(self._commands_key(params), []))

    def delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.state.commands.pop(self._commands_key(params), None)
        return True

    # -- chats -------------------------------------------------------------------------------
    def send_chat_action(self, params: dict[str, Any]) -> bool:
        chat_id = self.state.resolve_chat(require(params, "chat_id"))
        self.state.check_can_send(chat_id)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        place_in_thread(self.state, chat_id, params, {})
        return True

    def get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self.state.resolve_chat(require(params, "chat_id"))
        return full_chat_info(self.state.chats[chat_id])

    def get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self.state.resolve_chat(require(params, "chat_id"))
        return self.state.member(chat_id, int(require(params, "user_id")))

    def get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self.state.resolve_chat(require(params, "chat_id"))
        if self.state.chats[chat_id]["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        members = self.state.members.get(chat_id, {}).values()
        return [copy.deepcopy(m) for m in members if m["status"] in ("creator", "administrator")]

    def get_chat_member_count(self, params: dict[str, Any]) -> int:
        chat_id = self.state.resolve_chat(require(params, "chat_id"))
        members = self.state.members.get(chat_id, {}).values()
        return sum(1 for m in members if m["status"] in ACTIVE_STATUSES)

    def leave_chat(self, params: dict[str, Any]) -> bool:
        state = self.state
        chat_id = state.resolve_chat(require(params, "chat_id"))
        chat = state.chats[chat_id]
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        state.check_can_send(chat_id)
        old = state.member(chat_id, state.bot_user["id"])
        new = state.set_member(chat_id, state.bot_user, "left")
        payload = {
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(state.bot_user),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        state.enqueue(state.new_update("my_chat_member", payload))
        return True
