"""Test-side world building: users, chats, and the updates users cause.

Every method is thread-safe and returns the dict it created.  Update-making methods take
``deliver``: ``"auto"`` queues the update for ``getUpdates`` (or POSTs it to the webhook, if the
bot set one), ``"none"`` only builds it (send it yourself with ``post_update_to``).
"""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any, Literal

from .objects import detect_entities, quoted
from .state import State

__all__ = ["ChatRef", "Deliver", "UserRef", "World"]

Deliver = Literal["auto", "none"]
ChatRef = dict[str, Any] | int
UserRef = dict[str, Any] | int
_SERVICE_KEYS = (
    "new_chat_members",
    "left_chat_member",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
)


class World:
    """Injection half of :class:`~tests.emulator.BotApiEmulator`."""

    def __init__(self, state: State, *, privacy_mode: bool) -> None:
        self._state = state
        self._privacy_mode = privacy_mode
        self._query_ids = itertools.count(1)

    # -- lookups -----------------------------------------------------------------------------
    def _user(self, ref: UserRef) -> dict[str, Any]:
        user_id = int(ref["id"] if isinstance(ref, dict) else ref)
        if user_id not in self._state.users:
            if isinstance(ref, dict):
                self._state.users[user_id] = copy.deepcopy(ref)
            else:
                return self.user(user_id, first_name=f"User {user_id}")
        return copy.deepcopy(self._state.users[user_id])

    def _chat(self, ref: ChatRef) -> dict[str, Any]:
        chat_id = int(ref["id"] if isinstance(ref, dict) else ref)
        if chat_id not in self._state.chats:
            raise KeyError(f"unknown chat {chat_id}: create it with private_chat/group/channel")
        if chat_id in self._state.migrated:
            raise ValueError(f"group {chat_id} migrated to {self._state.migrated[chat_id]}")
        return copy.deepcopy(self._state.chats[chat_id])

    def _actor(self, chat_id: int, by_user: UserRef | None) -> dict[str, Any]:
        """Who performed a chat-level action: the given user, else the chat's creator/admin."""
        if by_user is not None:
            return self._user(by_user)
        members = self._state.members.get(chat_id, {}).values()
        for status in ("creator", "administrator"):
            for member in members:
                if member["status"] == status and member["user"]["id"] != self.bot_id:
                    return copy.deepcopy(member["user"])
        return self.user(1, first_name="Group Admin")

    @property
    def bot_id(self) -> int:
        return int(self._state.bot_user["id"])

    # -- users and chats ---------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "Test User",
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        with self._state.lock:
            self._state.users[user_id] = user
        return copy.deepcopy(user)

    def private_chat(self, user: UserRef) -> dict[str, Any]:
        with self._state.lock:
            person = self._user(user)
            chat = {"id": person["id"], "type": "private", "first_name": person["first_name"]}
            chat.update({k: person[k] for k in ("last_name", "username") if k in person})
            self._add_chat(chat, bot_status="member")
            return copy.deepcopy(chat)

    def group(
        self, chat_id: int, title: str, type: Literal["group", "supergroup"] = "group"
    ) -> dict[str, Any]:
        if chat_id >= 0:
            raise ValueError("group and supergroup ids are negative")
        chat = {"id": chat_id, "type": type, "title": title}
        with self._state.lock:
            self._add_chat(chat, bot_status="member")
        return copy.deepcopy(chat)

    def channel(self, chat_id: int, title: str, username: str | None = None) -> dict[str, Any]:
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        chat: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title}
        if username:
            chat["username"] = username.lstrip("@")
        with self._state.lock:
            self._add_chat(chat, bot_status="administrator")  # bots post only as admins
        return copy.deepcopy(chat)

    def _add_chat(self, chat: dict[str, Any], bot_status: str) -> None:
        self._state.chats[chat["id"]] = chat
        self._state.set_member(chat["id"], self._state.bot_user, bot_status)
        self._state.changed()

    def set_admins(
        self,
        chat_id: int,
        user_ids: list[int],
        bot_is_admin: bool = True,
        *,
        creator: int | None = None,
    ) -> list[dict[str, Any]]:
        """Make exactly these users (and ``creator``) the chat's administrators."""
        with self._state.lock:
            chat = self._chat(chat_id)
            members = self._state.members.setdefault(chat["id"], {})
            for member in list(members.values()):
                if member["status"] in ("creator", "administrator"):
                    self._state.set_member(chat["id"], member["user"], "member")
            bot_status = "administrator" if bot_is_admin else "member"
            self._state.set_member(chat["id"], self._state.bot_user, bot_status)
            if creator is not None:
                self._state.set_member(chat["id"], self._user(creator), "creator")
            for user_id in user_ids:
                self._state.set_member(chat["id"], self._user(user_id), "administrator")
            self._state.changed()
            admins = [m for m in members.values() if m["status"] in ("creator", "administrator")]
            return copy.deepcopy(admins)

    # -- delivery ----------------------------------------------------------------------------
    def inject(self, kind: str, payload: dict[str, Any], *, deliver: Deliver = "auto") -> dict:
        """Any update type (``kind`` is e.g. ``"message"``); assigns the next update_id."""
        with self._state.lock:
            return self._deliver(self._state.new_update(kind, payload), deliver)

    def _deliver(self, update: dict[str, Any], deliver: Deliver, visible: bool = True) -> dict:
        if deliver not in ("auto", "none"):
            raise ValueError(f"deliver must be 'auto' or 'none', not {deliver!r}")
        if deliver == "auto":
            if visible:
                self._state.enqueue(update)
            else:
                self._state.dropped_updates.append({"update": update, "reason": "privacy_mode"})
                self._state.changed()
        return copy.deepcopy(update)

    def _visible(self, message: dict[str, Any]) -> bool:
        """Privacy mode: in groups, bots that are not admins only see what is meant for them."""
        chat_id = message["chat"]["id"]
        if not self._privacy_mode or message["chat"]["type"] not in ("group", "supergroup"):
            return True
        if self._state.bot_status(chat_id) == "administrator":
            return True
        if any(key in message for key in _SERVICE_KEYS):
            return True
        if message.get("reply_to_message", {}).get("from", {}).get("id") == self.bot_id:
            return True
        text = message.get("text") or message.get("caption") or ""
        me = "@" + str(self._state.bot_user.get("username", "")).lower()
        for entity in message.get("entities", []):
            # utf-16 offsets equal str offsets for the ASCII commands/mentions matched here
            word = text[entity["offset"] : entity["offset"] + entity["length"]].lower()
            if entity["type"] == "bot_command" and ("@" not in word or word.endswith(me)):
                return True
            if entity["type"] == "mention" and word == me:
                return True
        return False

    # -- messages from users -----------------------------------------------------------------
    def _new_message(
        self, chat: ChatRef, sender: UserRef | None, reply_to: int | None, **content: Any
    ) -> dict[str, Any]:
        state = self._state
        chat_obj = self._chat(chat)
        message: dict[str, Any] = {
            "message_id": state.new_message_id(chat_obj["id"]),
            "date": int(time.time()),
            "chat": chat_obj,
        }
        if sender is None:
            message["sender_chat"] = copy.deepcopy(chat_obj)
        else:
            message["from"] = self._user(sender)
            if str(state.member(chat_obj["id"], message["from"]["id"])["status"]) == "left":
                state.set_member(chat_obj["id"], message["from"], "member")
        message.update(content)
        if "text" in content and (entities := detect_entities(content["text"])):
            message["entities"] = entities
        if reply_to is not None:
            target = state.get_message(chat_obj["id"], reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {chat_obj['id']} to reply to")
            message["reply_to_message"] = quoted(target)
        state.store_message(message)
        return message

    def send_message(
        self,
        chat: ChatRef,
        user: UserRef,
        text: str,
        reply_to_message_id: int | None = None,
        *,
        thread_id: int | None = None,
        deliver: Deliver = "auto",
    ) -> dict[str, Any]:
        """A user's text message; `thread_id`: in that forum topic (see `tests.emulator.forum`)."""
        with self._state.lock:
            if thread_id is not None:
                reply_to_message_id = reply_to_message_id or thread_id
            message = self._new_message(chat, user, reply_to_message_id, text=text)
            if thread_id is not None:
                message["message_thread_id"] = thread_id
                message["is_topic_message"] = True
            update = self._state.new_update("message", message)
            return self._deliver(update, deliver, self._visible(message))

    def send_sticker(
        self, chat: ChatRef, user: UserRef, emoji: str = "👍", *, deliver: Deliver = "auto"
    ) -> dict[str, Any]:
        n = next(self._query_ids)
        sticker = {
            "file_id": f"sticker-{n}",
            "file_unique_id": f"st{n}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        with self._state.lock:
            message = self._new_message(chat, user, None, sticker=sticker)
            update = self._state.new_update("message", message)
            return self._deliver(update, deliver, self._visible(message))

    def send_photo(
        self, chat: ChatRef, user: UserRef, caption: str | None = None, *, deliver: Deliver = "auto"
    ) -> dict[str, Any]:
        n = next(self._query_ids)
        photo = [{"file_id": f"photo-{n}", "file_unique_id": f"ph{n}", "width": 90, "height": 90}]
        content: dict[str, Any] = {"photo": photo}
        if caption:
            content["caption"] = caption
        with self._state.lock:
            message = self._new_message(chat, user, None, **content)
            update = self._state.new_update("message", message)
            return self._deliver(update, deliver, self._visible(message))

    def channel_post(self, channel: ChatRef, text: str, *, deliver: Deliver = "auto") -> dict:
        with self._state.lock:
            if self._chat(channel)["type"] != "channel":
                raise ValueError("channel_post needs a channel")
            message = self._new_message(channel, None, None, text=text)
            return self._deliver(self._state.new_update("channel_post", message), deliver)

    def edit_message(
        self, message: dict[str, Any], text: str, *, deliver: Deliver = "auto"
    ) -> dict[str, Any]:
        """A user (or channel) edits one of their messages: ``edited_message`` update."""
        with self._state.lock:
            stored = self._state.get_message(message["chat"]["id"], message["message_id"])
            if stored is None:
                raise KeyError(f"message {message['message_id']} not found")
            if (stored["chat"]["id"], stored["message_id"]) in self._state.bot_messages:
                raise ValueError("users cannot edit the bot's messages")
            stored["text"] = text
            stored["edit_date"] = int(time.time())
            stored.pop("entities", None)
            if entities := detect_entities(text):
                stored["entities"] = entities
            self._state.changed()
            is_channel = stored["chat"]["type"] == "channel"
            kind = "edited_channel_post" if is_channel else "edited_message"
            return self._deliver(
                self._state.new_update(kind, stored), deliver, self._visible(stored)
            )

    def delete_message(
        self, chat: ChatRef, message_id: int, *, by_user: UserRef | None = None
    ) -> None:
        """A user deletes a message, as the apps let them: their own anywhere, anyone's in a
        private chat with the bot, anyone's in a group or channel they administer. Telegram
        tells bots nothing of it; the bot finds out when an edit answers "message to edit not
        found". Without ``by_user``: the chat's admin (or, in a private chat, its user)."""
        with self._state.lock:
            chat_id = int(self._chat(chat)["id"])
            message = self._state.get_message(chat_id, message_id)
            if message is None:
                raise KeyError(f"message {message_id} of chat {chat_id} not found")
            kind = self._state.chats[chat_id]["type"]
            if by_user is not None and kind != "private":
                user_id = int(self._user(by_user)["id"])
                own = (message.get("from") or {}).get("id") == user_id
                status = self._state.member(chat_id, user_id)["status"]
                if not own and status not in ("creator", "administrator"):
                    raise ValueError(f"user {user_id} cannot delete others' messages here")
            self._state.deleted.add((chat_id, message_id))
            self._state.changed()
