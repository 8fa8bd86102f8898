"""Outside text made safe for Telegram HTML: what users typed and what articles say.

Telegram rejects a whole message whose HTML is off, so every outside string goes through here
before it is put in a message; an echo of user input is also cut, so it cannot outgrow the
message. Pure: no I/O and no telegram imports.
"""

from __future__ import annotations

import html

from bot.excerpts import shorten

QUOTED_MAX_CHARS = 100  # the longest time zone name is 32; a longer echo only hides the point


def escape(text: str) -> str:
    """Text for Telegram HTML: only `&`, `<` and `>` need escaping outside attributes."""
    return html.escape(text, quote=False)


def quoted(text: str, limit: int = QUOTED_MAX_CHARS) -> str:
    """What a user typed, as a reply may echo it: on one line, cut after a word with "…" to
    `limit` units, escaped. Input is as long as a message (or longer, from a forged update),
    and a reply that echoes it whole can outgrow Telegram's limit and fail."""
    return escape(shorten(text, limit))


def escape_attr(text: str) -> str:
    """An attribute value (an href) inside double quotes, so `"` is escaped too."""
    return html.escape(text, quote=True)
