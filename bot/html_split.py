"""Telegram HTML measured the way Telegram does, and split when it outgrows one message.

Telegram rejects a message whose visible text is longer than 4,096 UTF-16 code units, counted
after the tags are dropped and the entities decoded. Pure: no I/O and no telegram imports.
"""

from __future__ import annotations

import html
import re

from bot.excerpts import prefix_len, utf16_len

TELEGRAM_LIMIT = 4096

_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n\n|\n| |[^<&\s]+|.", re.DOTALL)
_BREAKS = {"\n\n": 3, "\n": 2, " ": 1}


def to_plain(html_text: str) -> str:
    """Our own HTML (texts.py, bot.citations, bot.answers.rendering) as the plain text Telegram would display."""
    return html.unescape(_TAG.sub("", html_text))


def visible_len(html_text: str) -> int:
    """The length Telegram checks against its limit: visible text, in UTF-16 code units."""
    return utf16_len(to_plain(html_text))


def split_message(html_text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of at most `limit` visible units, cut at a blank line, else a line, else a space.

    A safety net for messages that outgrow one Telegram message: tags open at a cut are closed
    at the end of the part and reopened at the start of the next, so every part is valid.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2, got {limit}")
    if visible_len(html_text) <= limit:
        return [html_text]
    tokens = _TOKEN.findall(html_text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, opening tag as written)
    chunk: list[str] = []
    size, breaks, i = 0, [], 0
    while i < len(tokens):
        token = tokens[i]
        width = 0 if token.startswith("<") and len(token) > 1 else utf16_len(html.unescape(token))
        if size + width <= limit:
            if token in _BREAKS:
                breaks.append((_BREAKS[token], size, len(chunk), i, list(stack)))
            chunk.append(token)
            size += width
            _track(stack, token)
            i += 1
            continue
        if breaks:
            useful = [b for b in breaks if b[1] >= limit // 4] or breaks
            _, _, at, i, stack = max(useful, key=lambda b: (b[0], b[1]))
            chunk, i = chunk[:at], i + 1
        elif size == 0:  # a single word wider than the limit: cut it
            n = max(1, prefix_len(token, limit))
            tokens[i : i + 1] = [token[:n], token[n:]]
            continue
        parts.append("".join(chunk) + "".join(f"</{name}>" for name, _ in reversed(stack)))
        chunk, size, breaks = [opening for _, opening in stack], 0, []
    parts.append("".join(chunk))
    return [part for part in parts if to_plain(part).strip()]


def _track(stack: list[tuple[str, str]], token: str) -> None:
    if token.startswith("</"):
        if stack:
            stack.pop()
    elif token.startswith("<") and len(token) > 1:
        name = re.match(r"<([\w-]+)", token)
        stack.append((name.group(1) if name else "", token))
