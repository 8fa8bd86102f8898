"""Forum topics, as Telegram documents them for supergroups with topics enabled.

- A forum is a supergroup whose ``Chat`` has ``is_forum: true``.
- ``createForumTopic`` (the bot needs the ``can_manage_topics`` admin right) or a user creates
  a topic: a ``forum_topic_created`` service message, whose ``message_id`` is the topic's
  ``message_thread_id``. ``closeForumTopic`` / ``reopenForumTopic`` / ``deleteForumTopic``.
- A message in a topic carries ``message_thread_id`` and ``is_topic_message: true``, and
  replies to the topic's service message unless it replies to another message of the topic.
- Sending with ``message_thread_id`` posts into that topic: "Bad Request: message thread not
  found" when there is no such topic (never was, or deleted), "Bad Request: TOPIC_CLOSED" in a
  closed one; without it a message goes to the General topic, as in a plain supergroup.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from .errors import ApiError
from .objects import quoted
from .state import State

__all__ = ["ForumMethods", "ForumWorld", "place_in_thread"]

THREAD_NOT_FOUND = "Bad Request: message thread not found"
TOPIC_CLOSED = "Bad Request: TOPIC_CLOSED"


def _topics(state: State, chat_id: int) -> dict[int, dict[str, Any]]:
    return state.topics.setdefault(chat_id, {})


def _open_topic(state: State, chat_id: int, thread_id: Any) -> dict[str, Any]:
    try:
        number = int(thread_id)
    except (TypeError, ValueError):
        raise ApiError(400, "Bad Request: invalid message thread identifier specified") from None
    topic = _topics(state, chat_id).get(number)
    if topic is None or topic["deleted"]:
        raise ApiError(400, THREAD_NOT_FOUND)
    return topic


def place_in_thread(state: State, chat_id: int, params: dict[str, Any], message: dict) -> None:
    """Put a message the bot sends into the topic its ``message_thread_id`` names (if any)."""
    thread_id = params.get("message_thread_id")
    if thread_id in (None, ""):
        return
    if not state.chats[chat_id].get("is_forum"):
        raise ApiError(400, THREAD_NOT_FOUND)
    topic = _open_topic(state, chat_id, thread_id)
    if topic["closed"]:
        raise ApiError(400, TOPIC_CLOSED)
    message["message_thread_id"] = topic["message_thread_id"]
    message["is_topic_message"] = True
    if "reply_to_message" not in message:
        opening = state.get_message(chat_id, topic["message_thread_id"])
        if opening is not None:
            message["reply_to_message"] = quoted(opening)


def _new_topic(state: State, chat_id: int, name: str, creator: dict[str, Any]) -> dict[str, Any]:
    """The topic and its ``forum_topic_created`` service message."""
    chat = state.chats[chat_id]
    message_id = state.new_message_id(chat_id)
    created = {"name": name, "icon_color": 7322096}
    service = {
        "message_id": message_id,
        "message_thread_id": message_id,
        "is_topic_message": True,
        "date": int(time.time()),
        "chat": copy.deepcopy(chat),
        "from": copy.deepcopy(creator),
        "forum_topic_created": created,
    }
    state.store_message(service, by_bot=creator.get("id") == state.bot_user["id"])
    topic = {"message_thread_id": message_id, **created, "closed": False, "deleted": False}
    _topics(state, chat_id)[message_id] = topic
    return service


class ForumMethods:
    """Forum topic methods of :class:`~tests.emulator.api.BotApi`; call with the lock held."""

    state: State

    def _forum(self, params: dict[str, Any]) -> int:
        chat_id = self.state.resolve_chat(params.get("chat_id"))
        if not self.state.chats[chat_id].get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        member = self.state.member(chat_id, self.state.bot_user["id"])
        if member["status"] != "administrator" or not member.get("can_manage_topics", True):
            raise ApiError(400, "Bad Request: not enough rights to manage topics")
        return chat_id

    def create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._forum(params)
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_EMPTY")
        service = _new_topic(self.state, chat_id, name, self.state.bot_user)
        topic = _topics(self.state, chat_id)[service["message_id"]]
        return {k: topic[k] for k in ("message_thread_id", "name", "icon_color")}

    def close_forum_topic(self, params: dict[str, Any]) -> bool:
        chat_id = self._forum(params)
        _open_topic(self.state, chat_id, params.get("message_thread_id"))["closed"] = True
        self.state.changed()
        return True

    def reopen_forum_topic(self, params: dict[str, Any]) -> bool:
        chat_id = self._forum(params)
        _open_topic(self.state, chat_id, params.get("message_thread_id"))["closed"] = False
        self.state.changed()
        return True

    def delete_forum_topic(self, params: dict[str, Any]) -> bool:
        chat_id = self._forum(params)
        _open_topic(self.state, chat_id, params.get("message_thread_id"))["deleted"] = True
        self.state.changed()
        return True


class ForumWorld:
    """Test-side forum building: a forum supergroup, topics users create or delete."""

    _state: State

    def forum(self, chat_id: int, title: str) -> dict[str, Any]:
        """A supergroup with topics enabled (the bot a member; make it admin with set_admins)."""
        chat = self.group(chat_id, title, type="supergroup")  # type: ignore[attr-defined]
        with self._state.lock:
            self._state.chats[chat_id]["is_forum"] = True
            self._state.changed()
        return {**chat, "is_forum": True}

    def create_topic(self, chat_id: int, user_id: int, name: str) -> int:
        """A user opens a topic; returns its ``message_thread_id``. The service message is not
        delivered as an update (bots rarely need it); the topic's messages are."""
        with self._state.lock:
            if not self._state.chats[chat_id].get("is_forum"):
                raise ValueError(f"chat {chat_id} is not a forum")
            creator = self._user(user_id)  # type: ignore[attr-defined]
            return int(_new_topic(self._state, chat_id, name, creator)["message_id"])

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An admin deletes a topic (and, for the bot, everything in it)."""
        with self._state.lock:
            _open_topic(self._state, chat_id, thread_id)["deleted"] = True
            self._state.changed()

    def close_topic(self, chat_id: int, thread_id: int, closed: bool = True) -> None:
        """An admin closes (or, with `closed=False`, reopens) a topic."""
        with self._state.lock:
            _open_topic(self._state, chat_id, thread_id)["closed"] = closed
            self._state.changed()

    def topic_messages(self, chat_id: int, thread_id: int | None) -> list[dict[str, Any]]:
        """What the bot sent into one topic (None: outside every topic, i.e. General)."""
        with self._state.lock:
            found = [
                copy.deepcopy(self._state.messages[c][m])
                for c, m in self._state.bot_messages
                if c == chat_id and "forum_topic_created" not in self._state.messages[c][m]
            ]
        return [m for m in found if m.get("message_thread_id") == thread_id]
