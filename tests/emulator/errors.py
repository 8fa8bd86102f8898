"""The error answer of a Bot API call."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError"]


class ApiError(Exception):
    """Raised by a method handler; becomes ``{"ok": false, "error_code": …}`` on the wire.

    ``parameters`` is Telegram's ``ResponseParameters`` (``retry_after``,
    ``migrate_to_chat_id``), which python-telegram-bot turns into ``RetryAfter`` and
    ``ChatMigrated``.
    """

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body
