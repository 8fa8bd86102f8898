"""The buttons under an answer, their data and the patterns that accept it; the votes' texts in
/stats and in toasts (all pure: no bot, no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.answers.answer_buttons import (
    MORE_PATTERN,
    VOTE_PATTERN,
    VoteData,
    answer_keyboard,
    vote_data,
    with_votes,
)
from bot.answers.rendering import format_vote_stats
from bot.answers.votes import DOWN, UP, Tally, VoteTotals
from tests.emulator import parse_html

KEY = "AbC_12-x"  # what `AnswerService.remember` makes: 8 URL-safe characters


def labels(markup: InlineKeyboardMarkup | None) -> list[list[str]]:
    return [[b.text for b in row] for row in (markup.inline_keyboard if markup else ())]


def datas(markup: InlineKeyboardMarkup | None) -> list[list[str | object]]:
    return [[b.callback_data for b in row] for row in (markup.inline_keyboard if markup else ())]


def test_paging_on_one_row_and_votes_below() -> None:
    markup = answer_keyboard(KEY, 1, True, Tally(), counts=False)
    assert labels(markup) == [["◂ Back", "More ▸"], ["👍", "👎"]]
    assert datas(markup) == [
        [f"more:{KEY}:0", f"more:{KEY}:2"],
        [f"vote:{KEY}:1:up", f"vote:{KEY}:1:down"],
    ]
    assert labels(answer_keyboard(KEY, 0, False, Tally(), counts=False)) == [["👍", "👎"]]
    assert labels(answer_keyboard(KEY, 0, True, None, counts=True)) == [["More ▸"]], (
        "not recorded: no vote buttons"
    )
    assert answer_keyboard(KEY, 0, False, None, counts=True) is None


def test_groups_see_the_counts_a_private_chat_the_readers_own_vote() -> None:
    tally = Tally(up=1234, down=0, mine=DOWN)
    assert labels(answer_keyboard(KEY, 0, False, tally, counts=True)) == [["👍 1,234", "👎"]]
    assert labels(answer_keyboard(KEY, 0, False, tally, counts=False)) == [["👍", "👎 ✓"]]
    assert labels(answer_keyboard(KEY, 0, False, Tally(2, 1, UP), counts=False)) == [["👍 ✓", "👎"]]


def test_the_vote_row_is_redrawn_and_the_paging_row_kept() -> None:
    shown = answer_keyboard(KEY, 2, True, Tally(), counts=True)
    redrawn = with_votes(shown, KEY, 2, Tally(3, 1), counts=True)
    assert labels(redrawn) == [["◂ Back", "More ▸"], ["👍 3", "👎 1"]]
    assert datas(redrawn)[0] == datas(shown)[0]
    only_votes = answer_keyboard(KEY, 0, False, Tally(), counts=True)
    assert labels(with_votes(only_votes, KEY, 0, Tally(1), counts=True)) == [["👍 1", "👎"]]
    assert labels(with_votes(None, KEY, 0, Tally(1), counts=True)) == [["👍 1", "👎"]]
    foreign = InlineKeyboardMarkup([[InlineKeyboardButton("Site", url="https://example.com")]])
    assert labels(with_votes(foreign, KEY, 0, Tally(), counts=True)) == [["Site"], ["👍", "👎"]]


def test_button_data_fits_telegrams_64_bytes_and_its_pattern() -> None:
    markup = answer_keyboard("x" * 16, 9998, True, Tally(), counts=True)
    assert markup is not None
    for row, pattern in zip(datas(markup), (MORE_PATTERN, VOTE_PATTERN), strict=True):
        for data in row:
            assert isinstance(data, str) and len(data.encode()) <= 64
            assert re.fullmatch(pattern, data)


def test_vote_data_is_read_from_what_the_pattern_accepts_only() -> None:
    assert vote_data(f"vote:{KEY}:0:up") == VoteData(KEY, 0, UP)
    assert vote_data(f"vote:{KEY}:12:down") == VoteData(KEY, 12, DOWN)
    for forged in (
        f"vote:{KEY}:0:sideways", f"vote:{KEY}:-1:up", f"vote:{KEY}:²:up", f"vote:{KEY}:0:up\n",
        f"vote:{KEY}:10000:up", "vote::0:up", f"vote:{'k' * 17}:0:up", f"vote:{KEY}:0",
        f"vote:{KEY}:0:up:1", "vote:a/b:0:up", f"more:{KEY}:0", "",
    ):  # fmt: skip
        assert vote_data(forged) is None, forged
        assert not re.fullmatch(VOTE_PATTERN, forged), forged


@given(st.text(max_size=80))
def test_any_data_is_a_vote_or_nothing_never_an_error(data: str) -> None:
    found = vote_data(data)
    assert found is None or (found.vote in (UP, DOWN) and 0 <= found.page <= 9999)


def test_vote_stats_for_admins() -> None:
    text = format_vote_stats(VoteTotals(1, 2, 0), VoteTotals(1234, 5678, 9), days=7)
    assert parse_html(text)[0] == (
        "🗳 Readers' votes\n"
        "Last 7 days: 1 answer voted on · 👍 2 · 👎 0\n"
        "All time: 1,234 answers voted on · 👍 5,678 · 👎 9"
    )
    down = format_vote_stats(None, VoteTotals(0, 0, 0), days=7)
    assert parse_html(down)[0] == "🗳 Readers' votes: " + texts.VOTES_STATS_UNAVAILABLE


@pytest.mark.parametrize("emoji", [texts.BUTTON_VOTE_UP, texts.BUTTON_VOTE_DOWN])
def test_vote_toasts_fit_telegrams_200_characters(emoji: str) -> None:
    assert texts.VOTE_NOTED(emoji) == f"Thanks — noted {emoji}"
    toasts = [texts.VOTE_NOTED(emoji), texts.VOTE_CHANGED(emoji), texts.VOTE_TOO_OLD]
    for toast in [*toasts, texts.VOTES_UNAVAILABLE, texts.BUTTON_GONE]:
        assert 1 <= len(toast) <= 200 and "<" not in toast, "plain text: no parse mode"
