"""The buttons under an answer: ◂ Back / More ▸ to page through it, 👍 / 👎 to vote on it; the
data they carry and the patterns that accept it.

Button data can be sent from a modified client (any 64 bytes, whatever the buttons shown), so
each handler is registered with a strict pattern and reads only what it matched. Pure: no I/O,
tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.answers.votes import DOWN, UP, Tally

MORE_PREFIX = "more"
VOTE_PREFIX = "vote"
KEY = "[A-Za-z0-9_-]{1,16}"
"""A question's key (`AnswerService.remember`: 8 URL-safe characters)."""
PAGE = "[0-9]{1,4}"
"""A page number: ASCII digits, few enough that int() and the search they lead to stay cheap."""
MORE_PATTERN = rf"^{MORE_PREFIX}:{KEY}:{PAGE}$"
VOTE_PATTERN = rf"^{VOTE_PREFIX}:({KEY}):({PAGE}):(up|down)$"
_VOTE_WORDS = {UP: "up", DOWN: "down"}
_EMOJI = {UP: texts.BUTTON_VOTE_UP, DOWN: texts.BUTTON_VOTE_DOWN}


@dataclass(frozen=True, slots=True)
class VoteData:
    """What a vote button says: the answer (its question's key and page) and the vote."""

    key: str
    page: int
    vote: int


def vote_data(data: str) -> VoteData | None:
    """The vote a button's data stands for; None for anything `VOTE_PATTERN` refuses."""
    found = re.fullmatch(VOTE_PATTERN, data)
    if found is None:
        return None
    key, page, word = found.groups()
    return VoteData(key, int(page), UP if word == "up" else DOWN)


def vote_emoji(vote: int) -> str:
    return _EMOJI[vote]


def answer_keyboard(
    key: str, page: int, has_more: bool, votes: Tally | None, *, counts: bool
) -> InlineKeyboardMarkup | None:
    """◂ Back / More ▸ on one row when there is somewhere to page, 👍 / 👎 below when the answer
    can be voted on (`votes` None: it could not be recorded); None without any."""
    paging = []
    if page > 0:
        paging.append(
            InlineKeyboardButton(
                texts.BUTTON_PREVIOUS, callback_data=f"{MORE_PREFIX}:{key}:{page - 1}"
            )
        )
    if has_more:
        paging.append(
            InlineKeyboardButton(texts.BUTTON_MORE, callback_data=f"{MORE_PREFIX}:{key}:{page + 1}")
        )
    rows = [paging] if paging else []
    if votes is not None:
        rows.append(vote_row(key, page, votes, counts=counts))
    return InlineKeyboardMarkup(rows) if rows else None


def vote_row(key: str, page: int, votes: Tally, *, counts: bool) -> list[InlineKeyboardButton]:
    """👍 / 👎 with the answer's counts (`counts`, for groups, where everyone sees the same
    buttons), else with a check mark on the reader's own vote (a private chat)."""
    row = []
    for vote, count in ((UP, votes.up), (DOWN, votes.down)):
        emoji = _EMOJI[vote]
        if counts:
            label = texts.VOTE_COUNT(emoji, count)
        else:
            label = texts.VOTE_CHOSEN(emoji) if votes.mine == vote else emoji
        data = f"{VOTE_PREFIX}:{key}:{page}:{_VOTE_WORDS[vote]}"
        row.append(InlineKeyboardButton(label, callback_data=data))
    return row


def with_votes(
    markup: InlineKeyboardMarkup | None, key: str, page: int, votes: Tally, *, counts: bool
) -> InlineKeyboardMarkup:
    """The message's keyboard with its vote row drawn anew; the other rows (◂ Back / More ▸) as
    they are."""
    rows = markup.inline_keyboard if markup is not None else ()
    kept = [list(row) for row in rows if not any(_is_vote(button) for button in row)]
    return InlineKeyboardMarkup([*kept, vote_row(key, page, votes, counts=counts)])


def _is_vote(button: InlineKeyboardButton) -> bool:
    data = button.callback_data
    return isinstance(data, str) and data.startswith(f"{VOTE_PREFIX}:")
