"""``BotApiEmulator``: a local Telegram Bot API for end-to-end tests of the bot.

Point python-telegram-bot at it with ``ApplicationBuilder().base_url(emu.base_url)``; build the
world and inject what users do with the methods inherited from :class:`World` and
:class:`ChatEvents`; read back what the bot did with the methods here.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from .api import BotApi
from .chat_events import ChatEvents
from .forum import ForumWorld
from .server import ApiServer
from .state import State
from .waiting import no_running_loop, wait_async, wait_sync

__all__ = ["BotApiEmulator"]

CallPredicate = Callable[[dict[str, Any]], bool]
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class BotApiEmulator(ChatEvents, ForumWorld):
    """A Telegram Bot API server on 127.0.0.1, run from its own thread and event loop."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "newsbot_test",
        bot_id: int | None = None,
        *,
        bot_first_name: str = "News Bot",
        privacy_mode: bool = False,
        strict_html_entities: bool = True,
    ) -> None:
        prefix = token.split(":", 1)[0]
        if bot_id is None:
            bot_id = int(prefix) if prefix.isdigit() else 123456
        bot_user = {"id": bot_id, "is_bot": True, "first_name": bot_first_name}
        bot_user["username"] = bot_username
        state = State(bot_user)
        super().__init__(state, privacy_mode=privacy_mode)
        self._token = token
        self._api = BotApi(
            state, strict_html_entities=strict_html_entities, privacy_mode=privacy_mode
        )
        self._server = ApiServer(state, self._api, token)
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Self:
        if not self._started:
            self._server.start()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._server.stop()
            self._started = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self._started:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()`` / ``Bot(base_url=)``, which append the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> dict[str, Any]:
        return copy.deepcopy(self._state.bot_user)

    # -- fault injection ---------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this answer.

        429 defaults to ``retry_after=1`` and Telegram's "Too Many Requests: retry after N".
        """
        canonical = self._api.canonical(method)
        if canonical is None:
            raise ValueError(f"the emulator does not implement {method}")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            )
        parameters: dict[str, int] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        fault = {"code": error_code, "description": description, "times": times}
        fault["parameters"] = parameters or None
        with self._state.lock:
            self._state.faults.setdefault(canonical, []).append(fault)

    def slow_answers(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` ``seconds`` late, after it took effect (0: at once):
        a slow network, or a window in which the bot may die after Telegram accepted a call."""
        canonical = self._api.canonical(method)
        if canonical is None:
            raise ValueError(f"the emulator does not implement {method}")
        with self._state.lock:
            self._state.answer_delays[canonical] = seconds

    # -- reading what the bot did --------------------------------------------------------------
    def _sent(self, chat_id: int | None) -> list[dict[str, Any]]:
        state = self._state
        found = []
        for key in state.bot_messages:
            if (chat_id is None or key[0] == chat_id) and key not in state.deleted:
                found.append(copy.deepcopy(state.messages[key[0]][key[1]]))
        return found

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (and did not delete), in order, as they are after edits."""
        with self._state.lock:
            return self._sent(chat_id)

    def chat_history(self, chat_id: int) -> list[dict[str, Any]]:
        """All live messages of a chat, users' and the bot's, by message_id."""
        with self._state.lock:
            messages = self._state.messages.get(chat_id, {})
            live = [m for k, m in messages.items() if (chat_id, k) not in self._state.deleted]
            return copy.deepcopy(sorted(live, key=lambda m: m["message_id"]))

    def edit_history(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        """Earlier versions of a bot message, oldest first."""
        with self._state.lock:
            return copy.deepcopy(self._state.edit_history.get((chat_id, message_id), []))

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Every Bot API call: method, params, time, done, ok, error_code, description."""
        with self._state.lock:
            calls = self._state.calls
            return copy.deepcopy([c for c in calls if method is None or c["method"] == method])

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates waiting for the bot (not yet confirmed by an offset or a webhook 2xx)."""
        with self._state.lock:
            return copy.deepcopy(self._state.updates)

    def dropped_updates(self) -> list[dict[str, Any]]:
        """Updates Telegram would not deliver (allowed_updates, privacy mode), with reasons."""
        with self._state.lock:
            return copy.deepcopy(self._state.dropped_updates)

    def webhook(self) -> dict[str, Any] | None:
        """The webhook the bot set (url, secret_token, …), or None."""
        with self._state.lock:
            return copy.deepcopy(self._state.webhook)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return copy.deepcopy(self._state.webhook_deliveries)

    def member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        with self._state.lock:
            return self._state.member(chat_id, user_id)

    # -- waiting -----------------------------------------------------------------------------
    def _messages_check(self, chat_id: int, count: int) -> Callable[[], list | None]:
        def check() -> list[dict[str, Any]] | None:
            sent = self._sent(chat_id)
            return sent if len(sent) >= count else None

        return check

    def _messages_timeout(self, chat_id: int, count: int, timeout: float) -> TimeoutError:
        with self._state.lock:
            sent = [(m["chat"]["id"], m.get("text")) for m in self._sent(None)]
            failed = [
                (c["method"], c["error_code"], c["description"])
                for c in self._state.calls
                if c["done"] and not c["ok"]
            ]
        return TimeoutError(
            f"expected {count} bot message(s) in chat {chat_id} within {timeout} s; "
            f"the bot sent {sent}; failed calls: {failed}"
        )

    def _call_check(self, method: str, predicate: CallPredicate | None) -> Callable[[], Any]:
        def check() -> dict[str, Any] | None:
            for call in self._state.calls:
                wanted = call["method"] == method and call["done"]
                if wanted and (predicate is None or predicate(call["params"])):
                    return copy.deepcopy(call)
            return None

        return check

    def _call_timeout(self, method: str, timeout: float) -> TimeoutError:
        with self._state.lock:
            seen = [(c["method"], c["params"]) for c in self._state.calls if c["method"] == method]
        return TimeoutError(f"no matching {method} call within {timeout} s; {method} calls: {seen}")

    def wait_for_messages_sync(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Block until the bot has ``count`` messages in the chat; returns them all."""
        no_running_loop("wait_for_messages")
        result = wait_sync(self._state, self._messages_check(chat_id, count), timeout)
        if result is None:
            raise self._messages_timeout(chat_id, count, timeout)
        return result

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        result = await wait_async(self._state, self._messages_check(chat_id, count), timeout)
        if result is None:
            raise self._messages_timeout(chat_id, count, timeout)
        return result

    def wait_for_call_sync(
        self, method: str, predicate: CallPredicate | None = None, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Block until a finished call of ``method`` whose params satisfy ``predicate`` exists."""
        no_running_loop("wait_for_call")
        result = wait_sync(self._state, self._call_check(method, predicate), timeout)
        if result is None:
            raise self._call_timeout(method, timeout)
        return result

    async def wait_for_call(
        self, method: str, predicate: CallPredicate | None = None, timeout: float = 30.0
    ) -> dict[str, Any]:
        result = await wait_async(self._state, self._call_check(method, predicate), timeout)
        if result is None:
            raise self._call_timeout(method, timeout)
        return result

    # -- webhook -----------------------------------------------------------------------------
    async def post_update_to(
        self, url: str, update: dict[str, Any], secret_token: str | None = None
    ) -> int:
        """POST an update to a webhook URL as Telegram would; returns the HTTP status (0: no
        connection).  Runs on the emulator's loop, so the bot may share the caller's loop."""
        coro = self._server.post_update(url, update, secret_token)
        status, _ = await asyncio.wrap_future(self._server.submit(coro))
        return status

    def post_update_to_sync(
        self, url: str, update: dict[str, Any], secret_token: str | None = None
    ) -> int:
        no_running_loop("post_update_to")
        status, _ = self._server.run(self._server.post_update(url, update, secret_token), 60)
        return status
