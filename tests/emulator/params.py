"""Reading Bot API parameters the way Telegram does.

Telegram accepts query strings, ``application/x-www-form-urlencoded``, ``application/json`` and
``multipart/form-data``.  python-telegram-bot 22 sends form fields (multipart only with files)
where every value is a string: numbers and booleans as their JSON text (``"42"``, ``"true"``),
strings as they are, and nested objects (``reply_markup``, ``reply_parameters``,
``allowed_updates``, ``commands`` …) as JSON text.  So, like Telegram, the type of a field
decides how its text is read.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import ApiError

__all__ = ["read_params"]

_JSON_FIELDS = {
    "allowed_updates",
    "caption_entities",
    "commands",
    "entities",
    "link_preview_options",
    "media",
    "reply_markup",
    "reply_parameters",
    "scope",
}
_INT_FIELDS = {
    "cache_time",
    "from_chat_id",
    "limit",
    "max_connections",
    "message_id",
    "message_thread_id",
    "offset",
    "reply_to_message_id",
    "until_date",
    "user_id",
}
_BOOL_FIELDS = {
    "allow_sending_without_reply",
    "disable_notification",
    "disable_web_page_preview",
    "drop_pending_updates",
    "only_if_banned",
    "protect_content",
    "revoke_messages",
    "show_alert",
}


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge query string and body parameters, then give each known field its real type."""
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON request body must be an object")
        raw.update(body)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                raw[key] = {"file_name": value.filename, "size": len(value.file.read())}
            else:
                raw[key] = value
    return {key: _coerce(key, value) for key, value in raw.items()}


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # already typed (JSON body) or an uploaded file
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
    if key == "timeout":  # PTB sends fractional timedeltas as floats
        try:
            return float(value)
        except ValueError as exc:
            raise ApiError(400, "Bad Request: invalid timeout specified") from exc
    if key in _INT_FIELDS:
        try:
            return int(value)
        except ValueError as exc:
            raise ApiError(400, f"Bad Request: invalid {key} specified") from exc
    if key in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    if key == "chat_id":
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername"
    return value
