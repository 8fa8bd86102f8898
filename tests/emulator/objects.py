"""Builders for Bot API objects (plain dicts) shaped so python-telegram-bot accepts them.

PTB builds its objects with ``cls(**data)``, so every field PTB treats as required must be
present; the builders here are the one place that knows those fields.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .html_check import utf16_len

__all__ = [
    "ACTIVE_STATUSES",
    "chat_member",
    "detect_entities",
    "full_chat_info",
    "quoted",
    "strip_text",
]

ACTIVE_STATUSES = ("creator", "administrator", "member", "restricted")

_ADMIN_RIGHTS = (
    "can_be_edited",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}(?!\w)")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")


def chat_member(user: dict[str, Any], status: str, until_date: int = 0) -> dict[str, Any]:
    """A ``ChatMember`` of the given status with the fields PTB requires for that status."""
    member: dict[str, Any] = {"status": status, "user": copy.deepcopy(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member["is_anonymous"] = False
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        member["can_be_edited"] = False
    elif status == "kicked":
        member["until_date"] = until_date
    return member


def full_chat_info(chat: dict[str, Any]) -> dict[str, Any]:
    """``ChatFullInfo`` for ``getChat``: the chat plus the fields PTB 22 requires."""
    info = copy.deepcopy(chat)
    info.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    return info


def quoted(message: dict[str, Any]) -> dict[str, Any]:
    """The copy of a message put in ``reply_to_message`` (Telegram does not nest replies)."""
    inner = copy.deepcopy(message)
    inner.pop("reply_to_message", None)
    return inner


def _entity(text: str, start: int, end: int, kind: str) -> dict[str, Any]:
    return {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's plain text: bot commands, @mentions and URLs."""
    found: list[tuple[int, int, str]] = []
    for pattern, kind in ((_COMMAND, "bot_command"), (_URL, "url"), (_MENTION, "mention")):
        for match in pattern.finditer(text):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in found):
                found.append((start, end, kind))
    return [_entity(text, s, e, kind) for s, e, kind in sorted(found)]


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping entities with it."""
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    stripped = text.strip()
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept
