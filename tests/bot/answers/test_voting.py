"""Redraws of a group message's vote counts (`bot.answers.voting.Redraws`): one at a time per
message, the last one after every vote, and a burst of votes drawn in a few edits."""

from __future__ import annotations

import asyncio

from bot.answers.voting import Redraws


async def test_a_burst_of_votes_costs_two_redraws_and_the_last_counts_every_vote() -> None:
    redraws = Redraws()
    votes = 0
    drawn: list[tuple[int, int]] = []
    gate = asyncio.Event()

    async def vote_and_redraw(message_id: int = 7) -> None:
        nonlocal votes
        votes += 1  # the vote is in before its redraw asks for a turn
        async with redraws.turn(-100, message_id) as mine:
            if mine:
                counted = votes
                await gate.wait()  # an edit that takes a while
                drawn.append((message_id, counted))

    first = asyncio.create_task(vote_and_redraw())
    await asyncio.sleep(0)  # its turn: drawing, at the gate
    burst = [asyncio.create_task(vote_and_redraw()) for _ in range(5)]
    other = asyncio.create_task(vote_and_redraw(8))  # another message does not wait
    await asyncio.sleep(0.01)
    assert drawn == [] and not other.done()
    gate.set()
    await asyncio.gather(first, *burst, other)
    assert sorted(drawn) == [(7, 1), (7, 7), (8, 7)], "the second redraw of 7 saw all 7 votes"


async def test_a_redraw_cancelled_while_waiting_leaves_the_next_one_its_turn() -> None:
    redraws = Redraws()
    async with redraws.turn(-100, 7) as mine:
        assert mine
        waiting = asyncio.create_task(redraws.turn(-100, 7).__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.sleep(0)
    async with redraws.turn(-100, 7) as mine:
        assert mine, "nothing is left waiting"
