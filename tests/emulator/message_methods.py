"""Bot API methods about messages: sending, editing, deleting, answering button presses.

Each validates like Telegram and answers with Telegram's error descriptions, so the bot's
error handling meets the same exceptions it will meet in production.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from .errors import ApiError
from .forum import place_in_thread
from .html_check import HtmlError, parse_html, utf16_len
from .objects import quoted, strip_text
from .state import State

__all__ = ["MAX_CALLBACK_ANSWER_LENGTH", "MAX_TEXT_LENGTH", "MessageMethods", "require"]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
"""answerCallbackQuery's `text`: "0-200 characters" (the Bot API documentation)."""
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def require(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Bad Request: {name} is empty")
    return params[name]


class MessageMethods:
    """Message handlers of :class:`~tests.emulator.api.BotApi`; call with ``state.lock`` held."""

    state: State
    strict_html_entities: bool

    def _render(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """Text and entities after parse_mode, with Telegram's emptiness and length limits."""
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        mode = str(params.get("parse_mode") or "")
        if mode.lower() == "html":
            try:
                text, entities = parse_html(text, strict_entities=self.strict_html_entities)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        elif mode.lower() in ("markdown", "markdownv2"):
            raise ApiError(400, f"Bad Request: parse_mode {mode} is not supported by the emulator")
        elif mode:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {mode!r}")
        else:
            entities = list(params.get("entities") or [])
        text, entities = strip_text(text, entities)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        """The inline keyboard to show on the message (other markups are not echoed back)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard markup JSON object")
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not button.get("text"):
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            elif "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return {"inline_keyboard": copy.deepcopy(rows)}

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if not reply:
            return None
        if not isinstance(reply, dict):
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        target_chat = chat_id
        if reply.get("chat_id") is not None:
            target_chat = self.state.resolve_chat(reply["chat_id"])
        target = self.state.get_message(target_chat, int(reply.get("message_id", 0)))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self.state
        chat_id = state.resolve_chat(require(params, "chat_id"))
        state.check_can_send(chat_id)
        text, entities = self._render(params)
        target = self._reply_target(chat_id, params)
        markup = self._markup(params)
        chat = state.chats[chat_id]
        message: dict[str, Any] = {
            "message_id": state.new_message_id(chat_id),
            "date": int(time.time()),
            "chat": copy.deepcopy(chat),
            "text": text,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = copy.deepcopy(chat)
        else:
            message["from"] = copy.deepcopy(state.bot_user)
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        if target is not None:
            message["reply_to_message"] = quoted(target)
        place_in_thread(state, chat_id, params, message)
        state.store_message(message, by_bot=True)
        return copy.deepcopy(message)

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the emulator")
        chat_id = self.state.resolve_chat(require(params, "chat_id"))
        self.state.check_can_send(chat_id)
        message = self.state.get_message(chat_id, int(require(params, "message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if (chat_id, message["message_id"]) not in self.state.bot_messages:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(self, message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        current = {key: message.get(key) for key in changes}
        if current == changes:
            raise ApiError(400, _NOT_MODIFIED)
        key = (message["chat"]["id"], message["message_id"])
        self.state.edit_history.setdefault(key, []).append(copy.deepcopy(message))
        for name, value in changes.items():
            if value:
                message[name] = value
            else:
                message.pop(name, None)
        message["edit_date"] = int(time.time())
        self.state.changed()
        return copy.deepcopy(message)

    def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        text, entities = self._render(params)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        changes = {"text": text, "entities": entities or None, "reply_markup": self._markup(params)}
        return self._apply_edit(message, changes)

    def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        return self._apply_edit(message, {"reply_markup": self._markup(params)})

    def delete_message(self, params: dict[str, Any]) -> bool:
        state = self.state
        chat_id = state.resolve_chat(require(params, "chat_id"))
        message = state.get_message(chat_id, int(require(params, "message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        own = (chat_id, message["message_id"]) in state.bot_messages
        is_group = state.chats[chat_id]["type"] != "private"
        if not own and is_group and state.bot_status(chat_id) != "administrator":
            raise ApiError(400, "Bad Request: message can't be deleted")
        state.deleted.add((chat_id, message["message_id"]))
        state.changed()
        return True

    def answer_callback_query(self, params: dict[str, Any]) -> bool:
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query = self.state.callback_queries.get(str(params.get("callback_query_id", "")))
        if query is None or query["answer"] is not None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        query["answer"] = {k: v for k, v in params.items() if k != "callback_query_id"}
        self.state.changed()
        return True
