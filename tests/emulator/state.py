"""The emulator's world: chats, members, messages, the update queue and the call log.

It is shared by the server thread (Bot API calls) and the test thread (injections and
assertions), so every access goes through ``lock``.  ``changed()`` wakes both kinds of
waiters: threads blocked on ``cond`` and event loops that registered a listener.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import ApiError
from .objects import chat_member

__all__ = ["State"]

# What Telegram delivers when allowed_updates is empty or was never set.
_OPT_IN_TYPES = {"chat_member", "message_reaction", "message_reaction_count"}

Listener = Callable[[], None]


class State:
    """Everything the emulated Telegram knows; plain dicts shaped like Bot API objects."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self._listeners: list[Listener] = []
        self.bot_user = bot_user
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.members: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> user -> ChatMember
        self.migrated: dict[int, int] = {}  # old group id -> supergroup id
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.topics: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> thread id -> topic
        self._next_message_id: dict[int, int] = {}
        self.bot_messages: list[tuple[int, int]] = []  # (chat_id, message_id) in sending order
        self.edit_history: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self.deleted: set[tuple[int, int]] = set()
        self.updates: list[dict[str, Any]] = []  # not yet confirmed
        self.dropped_updates: list[dict[str, Any]] = []  # filtered by allowed_updates/privacy
        self._next_update_id = 1
        self.allowed_updates: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.faults: dict[str, list[dict[str, Any]]] = {}
        self.answer_delays: dict[str, float] = {}
        """Seconds a method's answer waits after the call took effect (`slow_answers`)."""
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.poll_generation = 0

    # -- waking waiters ----------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        with self.lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self.lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def changed(self) -> None:
        """Call after every mutation (with ``lock`` held)."""
        self.cond.notify_all()
        for listener in list(self._listeners):
            listener()

    # -- chats and members -------------------------------------------------------------------
    def resolve_chat(self, chat_ref: Any) -> int:
        """Map a ``chat_id`` parameter to a known chat, raising Telegram's errors."""
        if isinstance(chat_ref, str):
            name = chat_ref.lstrip("@").lower()
            for chat in self.chats.values():
                if chat_ref.startswith("@") and (chat.get("username") or "").lower() == name:
                    return int(chat["id"])
            raise ApiError(400, "Bad Request: chat not found")
        if not isinstance(chat_ref, int) or isinstance(chat_ref, bool):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_ref in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_ref]},
            )
        if chat_ref not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_ref

    def member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """The ``ChatMember`` of a user; unknown users count as plain members."""
        known = self.members.get(chat_id, {}).get(user_id)
        if known is not None:
            return copy.deepcopy(known)
        user = self.bot_user if user_id == self.bot_user["id"] else self.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return chat_member(user, "member")

    def set_member(self, chat_id: int, user: dict[str, Any], status: str) -> dict[str, Any]:
        member = chat_member(user, status)
        self.members.setdefault(chat_id, {})[user["id"]] = member
        return member

    def bot_status(self, chat_id: int) -> str:
        return str(self.member(chat_id, self.bot_user["id"])["status"])

    def check_can_send(self, chat_id: int) -> None:
        """403 for chats the bot left, was kicked from or was blocked in."""
        chat_type = self.chats[chat_id]["type"]
        status = self.bot_status(chat_id)
        if chat_type == "private" and status == "kicked":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat_type} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat_type} chat")
        if chat_type == "channel" and status not in ("creator", "administrator"):
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")

    # -- messages ----------------------------------------------------------------------------
    def new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def store_message(self, message: dict[str, Any], *, by_bot: bool = False) -> None:
        chat_id = message["chat"]["id"]
        self.messages.setdefault(chat_id, {})[message["message_id"]] = message
        if by_bot:
            self.bot_messages.append((chat_id, message["message_id"]))
        self.changed()

    def get_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        if (chat_id, message_id) in self.deleted:
            return None
        return self.messages.get(chat_id, {}).get(message_id)

    # -- updates -----------------------------------------------------------------------------
    def new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        return update

    def is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _OPT_IN_TYPES

    def enqueue(self, update: dict[str, Any]) -> None:
        """Queue for getUpdates / the webhook; Telegram never stores unwanted update types."""
        if self.is_allowed(update):
            self.updates.append(update)
        else:
            self.dropped_updates.append({"update": update, "reason": "allowed_updates"})
        self.changed()

    def confirm(self, offset: int | None) -> None:
        """Forget updates the way getUpdates' ``offset`` does (negative: keep the last N)."""
        if not offset:
            return
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        else:
            self.updates = self.updates[offset:]
        self.changed()

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        """Unconfirmed updates of the currently allowed types (others are dropped)."""
        wanted = [u for u in self.updates if self.is_allowed(u)]
        if len(wanted) != len(self.updates):
            unwanted = [u for u in self.updates if not self.is_allowed(u)]
            self.dropped_updates.extend(
                {"update": u, "reason": "allowed_updates"} for u in unwanted
            )
            self.updates = wanted
        return copy.deepcopy(wanted[:limit])

    # -- call log and faults -----------------------------------------------------------------
    def log_call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        entry = {"method": method, "params": copy.deepcopy(params), "time": time.time()}
        entry.update(done=False, ok=None, error_code=None, description=None)
        self.calls.append(entry)
        return entry

    def finish_call(self, entry: dict[str, Any], error: ApiError | None) -> None:
        entry.update(done=True, ok=error is None)
        if error is not None:
            entry.update(error_code=error.code, description=error.description)
        self.changed()

    def take_fault(self, method: str) -> ApiError | None:
        queue = self.faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault["times"] -= 1
        if fault["times"] <= 0:
            queue.pop(0)
        return ApiError(fault["code"], fault["description"], fault["parameters"])
