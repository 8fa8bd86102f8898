"""Test-side events beyond plain messages: button presses, membership changes, migrations."""

from __future__ import annotations

import copy
import time
from typing import Any

from .world import ChatRef, Deliver, UserRef, World

__all__ = ["ChatEvents"]


class ChatEvents(World):
    """Callback queries, ``my_chat_member`` updates and group-to-supergroup migration."""

    def press_button(
        self,
        message: dict[str, Any],
        callback_data: str,
        user: UserRef,
        *,
        forged: bool = False,
        deliver: Deliver = "auto",
    ) -> dict[str, Any]:
        """A user presses an inline button of a bot message: ``callback_query`` update.

        The button must be on the message as it is now (after the bot's edits), as an official
        client can only press what it shows. ``forged=True`` sends ``callback_data`` whatever
        the buttons are, as a modified client can: Telegram documents that "the message
        originated the query can contain no callback buttons with this data".
        """
        state = self._state
        with state.lock:
            chat_id, message_id = message["chat"]["id"], message["message_id"]
            current = state.get_message(chat_id, message_id)
            if current is None or (chat_id, message_id) not in state.bot_messages:
                raise KeyError(f"bot message {message_id} in chat {chat_id} not found")
            rows = current.get("reply_markup", {}).get("inline_keyboard", [])
            datas = [b.get("callback_data") for row in rows for b in row]
            if callback_data not in datas and not forged:
                raise ValueError(f"message {message_id} has no button {callback_data!r}: {datas}")
            query_id = f"{int(time.time() * 1000)}{next(self._query_ids)}"
            query = {
                "id": query_id,
                "from": self._user(user),
                "message": copy.deepcopy(current),
                "chat_instance": str(abs(chat_id) * 7919),
                "data": callback_data,
            }
            state.callback_queries[query_id] = {"query": copy.deepcopy(query), "answer": None}
            return self._deliver(state.new_update("callback_query", query), deliver)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's ``answerCallbackQuery`` parameters for that query, or None if unanswered."""
        with self._state.lock:
            record = self._state.callback_queries.get(query_id)
            return copy.deepcopy(record["answer"]) if record else None

    def _bot_status_update(
        self, chat: ChatRef, actor: dict[str, Any], new_status: str, deliver: Deliver
    ) -> dict[str, Any]:
        state = self._state
        chat_obj = self._chat(chat)
        old = state.member(chat_obj["id"], self.bot_id)
        new = state.set_member(chat_obj["id"], state.bot_user, new_status)
        state.changed()
        payload = {
            "chat": chat_obj,
            "from": actor,
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": copy.deepcopy(new),
        }
        return self._deliver(state.new_update("my_chat_member", payload), deliver)

    def bot_added_to_chat(
        self,
        chat: ChatRef,
        by_user: UserRef,
        *,
        as_admin: bool = False,
        deliver: Deliver = "auto",
    ) -> dict[str, Any]:
        """``my_chat_member`` from "left" to member (channels: always administrator)."""
        with self._state.lock:
            chat_obj = self._chat(chat)
            admin = as_admin or chat_obj["type"] == "channel"
            self._state.set_member(chat_obj["id"], self._state.bot_user, "left")
            actor = self._user(by_user)
            status = "administrator" if admin else "member"
            return self._bot_status_update(chat_obj, actor, status, deliver)

    def bot_removed_from_chat(
        self, chat: ChatRef, by_user: UserRef | None = None, *, deliver: Deliver = "auto"
    ) -> dict[str, Any]:
        """The bot is kicked (in a private chat: blocked); sending there then gets 403."""
        with self._state.lock:
            chat_obj = self._chat(chat)
            if chat_obj["type"] == "private":
                actor = self._user(chat_obj["id"])
            else:
                actor = self._actor(chat_obj["id"], by_user)
            return self._bot_status_update(chat_obj, actor, "kicked", deliver)

    def migrate_group(
        self,
        chat_id: int,
        new_supergroup_id: int,
        by_user: UserRef | None = None,
        *,
        deliver: Deliver = "auto",
    ) -> dict[str, Any]:
        """Upgrade a group to a supergroup, as Telegram does when a group grows.

        Returns the ``migrate_to_chat_id`` message update of the old group; the
        ``migrate_from_chat_id`` message in the new supergroup is delivered after it.  From
        now on the Bot API answers calls for the old id with 400 + ``migrate_to_chat_id``.
        """
        state = self._state
        with state.lock:
            old = self._chat(chat_id)
            if old["type"] != "group":
                raise ValueError("only basic groups migrate to supergroups")
            actor = self._actor(chat_id, by_user)
            new = {"id": new_supergroup_id, "type": "supergroup", "title": old["title"]}
            state.chats[new_supergroup_id] = new
            state.members[new_supergroup_id] = copy.deepcopy(state.members.get(chat_id, {}))
            first = self._new_message(chat_id, actor, None, migrate_to_chat_id=new_supergroup_id)
            state.migrated[chat_id] = new_supergroup_id
            second = self._new_message(new, actor, None, migrate_from_chat_id=chat_id)
            update = self._deliver(state.new_update("message", first), deliver)
            self._deliver(state.new_update("message", second), deliver)
            return update
