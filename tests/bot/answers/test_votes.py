"""Readers' votes in the bot's database (`bot.answers.votes`), on SQLite and on PostgreSQL, as
two replicas sharing one database see them."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import inspect

from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.votes import (
    DOWN,
    UP,
    AnswerVotes,
    Tally,
    VoteCast,
    VotedAnswer,
    VoteRefused,
    VoteTotals,
)
from bot.database import database_url, open_engine
from bot.database_outage import DatabaseOutage
from bot.db_copy import copy_state
from index import Hit

CHAT = -100


def hit(article_id: str, rank: int = 1, score: float = 0.6) -> Hit:
    return Hit(
        rank=rank, score=score, text="Macron said troops are not ruled out.", start=10, end=48,
        article_id=article_id, title=f"Story {article_id}", url=None, source="Wire",
        published="2024-02-26", row=rank * 7, relevance="good",
    )  # fmt: skip


HITS = [hit("macron", 1, 0.62), hit("estonia", 2, 0.48)]


def test_one_vote_per_reader_changeable_and_counted_on_every_replica(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    here = AnswerVotes(replicas[0].engine, kept=100)
    there = AnswerVotes(replicas[1].engine, kept=100)
    assert here.record("k1", 0, CHAT, "Who signed?", HITS, "build-1") == Tally()
    assert there.vote("k1", 0, CHAT, 7, UP) == VoteCast(Tally(1, 0, UP), previous=0)
    assert here.vote("k1", 0, CHAT, 8, UP) == VoteCast(Tally(2, 0, UP), previous=0)
    assert there.vote("k1", 0, CHAT, 7, DOWN) == VoteCast(Tally(1, 1, DOWN), previous=UP)
    assert here.vote("k1", 0, CHAT, 7, DOWN) == VoteCast(Tally(1, 1, DOWN), previous=DOWN)
    assert here.tally("k1", 0, 8) == Tally(1, 1, UP)
    assert there.tally("k1", 0) == Tally(1, 1, 0)
    assert here.tally("never", 0) == Tally(), "no votes"


def test_votes_keep_nothing_of_the_reader_but_the_numeric_id(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    columns = {c["name"] for c in inspect(replicas[0].engine).get_columns("feedback_votes")}
    assert columns == {"key", "page", "user_id", "vote", "voted_at"}


def test_a_vote_on_an_answer_never_recorded_or_of_another_chat_changes_nothing(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    votes = AnswerVotes(replicas[0].engine, kept=100)
    votes.record("k1", 0, CHAT, "Who signed?", HITS, "build-1")
    assert votes.vote("nope", 0, CHAT, 7, UP) is VoteRefused.UNKNOWN_ANSWER
    assert votes.vote("k1", 1, CHAT, 7, UP) is VoteRefused.UNKNOWN_ANSWER, "page 1: not shown"
    assert votes.vote("k1", 0, -200, 7, UP) is VoteRefused.UNKNOWN_ANSWER, "another chat's"
    assert votes.tally("k1", 0, 7) == Tally()
    assert list(votes.voted_answers()) == []


def test_a_page_shown_again_keeps_what_it_cited_first_and_its_votes(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    votes = AnswerVotes(replicas[0].engine, kept=100)
    votes.record("k1", 0, CHAT, "Who signed?", HITS, "build-1")
    votes.record("k1", 1, CHAT, "Who signed?", [hit("nato", 4)], "build-1")
    votes.vote("k1", 0, CHAT, 7, UP)
    again = votes.record("k1", 0, CHAT, "Who signed?", [hit("other")], "build-2", user_id=7)
    assert again == Tally(1, 0, UP)
    (voted,) = votes.voted_answers()
    assert (voted.key, voted.page, voted.index_version) == ("k1", 0, "build-1")
    assert [p["article_id"] for p in voted.passages] == ["macron", "estonia"]


def test_the_passages_cited_are_kept_as_json(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    votes = AnswerVotes(replicas[0].engine, kept=100)
    votes.record("k1", 0, CHAT, "Who signed “the” pact?", HITS, "build-1")
    votes.vote("k1", 0, CHAT, 7, DOWN)
    (voted,) = votes.voted_answers()
    assert voted == VotedAnswer(
        "k1", 0, "Who signed “the” pact?", voted.passages, "build-1", voted.created_at, 0, 1
    )
    assert voted.passages[0] == {
        "article_id": "macron", "row": 7, "start": 10, "end": 48, "title": "Story macron",
        "source": "Wire", "published": "2024-02-26", "rank": 1, "score": 0.62,
        "relevance": "good",
    }  # fmt: skip
    assert json.loads(json.dumps(voted.passages)) == voted.passages
    assert voted.created_at[:4].isdigit() and voted.created_at.endswith("+00:00")


def test_the_newest_answers_are_kept_and_voted_ones_whatever_their_age(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    votes = AnswerVotes(replicas[0].engine, kept=3)
    votes.record("k0", 0, CHAT, "question 0", HITS, "build-1")
    votes.vote("k0", 0, CHAT, 7, UP)
    for n in range(1, 8):
        votes.record(f"k{n}", 0, CHAT, f"question {n}", HITS, "build-1")
    assert votes.vote("k1", 0, CHAT, 7, UP) is VoteRefused.UNKNOWN_ANSWER, "too old, no votes"
    assert votes.vote("k0", 0, CHAT, 8, DOWN) == VoteCast(Tally(1, 1, DOWN), 0), "voted: kept"
    assert [
        votes.vote(f"k{n}", 0, CHAT, 7, UP) != VoteRefused.UNKNOWN_ANSWER for n in (5, 6, 7)
    ] == [True] * 3
    assert [a.key for a in votes.voted_answers()] == ["k0", "k5", "k6", "k7"]
    with replicas[0].engine.connect() as db:
        kept = db.exec_driver_sql("SELECT key FROM feedback_answers ORDER BY seq").scalars().all()
    assert kept == ["k0", "k5", "k6", "k7"]


def test_totals_count_the_answers_voted_and_their_votes_since_a_moment(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    votes = AnswerVotes(replicas[0].engine, kept=100)
    assert votes.totals() == VoteTotals(0, 0, 0)
    for key in ("old", "new"):
        votes.record(key, 0, CHAT, key, HITS, "build-1")
    votes.vote("old", 0, CHAT, 7, UP, now="2026-01-01T00:00:00+00:00")
    votes.vote("old", 0, CHAT, 8, DOWN, now="2026-01-01T00:00:00+00:00")
    votes.vote("new", 0, CHAT, 7, UP, now="2026-03-01T00:00:00+00:00")
    votes.vote("new", 0, CHAT, 8, UP, now="2026-03-01T00:00:00+00:00")
    votes.vote("old", 0, CHAT, 9, UP, now="2026-03-02T00:00:00+00:00")
    assert votes.totals() == VoteTotals(answers=2, up=4, down=1)
    assert votes.totals("2026-02-22T00:00:00+00:00") == VoteTotals(answers=2, up=3, down=0)
    assert votes.totals("2026-03-02T00:00:00+00:00") == VoteTotals(answers=1, up=1, down=0)


def test_readers_voting_at_once_are_all_counted(
    replicas: tuple[SubscriptionStore, SubscriptionStore],
) -> None:
    stores = [AnswerVotes(r.engine, kept=100) for r in replicas]
    stores[0].record("k1", 0, CHAT, "Who signed?", HITS, "build-1")
    with ThreadPoolExecutor(8) as pool:
        cast = list(
            pool.map(
                lambda user: stores[user % 2].vote("k1", 0, CHAT, user, UP if user % 3 else DOWN),
                range(1, 31),
            )
        )
    assert all(isinstance(c, VoteCast) for c in cast)
    assert stores[1].tally("k1", 0) == Tally(up=20, down=10)


def test_while_the_database_cannot_be_reached_votes_are_unavailable(tmp_path: Path) -> None:
    outage = DatabaseOutage()
    nowhere = open_engine(database_url(tmp_path / "no such folder" / "bot.sqlite"))
    votes = AnswerVotes(nowhere, kept=100, outage=outage)
    assert votes.record("k1", 0, CHAT, "Who signed?", HITS, "build-1") is None
    assert outage.down
    assert votes.vote("k1", 0, CHAT, 7, UP) is VoteRefused.UNAVAILABLE
    assert votes.tally("k1", 0) is None and votes.totals() is None
    nowhere.dispose()


def test_a_sqlite_bot_moved_to_postgresql_keeps_its_answers_and_votes(
    tmp_path: Path, postgres_url: str
) -> None:
    source = SubscriptionStore(tmp_path / "old.sqlite")
    old = AnswerVotes(source.engine, kept=100)
    for key in ("k1", "k2"):
        old.record(key, 0, CHAT, f"question {key}", HITS, "build-1")
    old.vote("k1", 0, CHAT, 7, UP)
    old.vote("k1", 0, CHAT, 8, DOWN)
    target = SubscriptionStore(postgres_url)
    try:
        copied = copy_state(source, target)
        assert (copied["feedback_answers"], copied["feedback_votes"]) == (2, 2)
        new = AnswerVotes(target.engine, kept=100)
        assert new.tally("k1", 0, 7) == Tally(1, 1, UP)
        assert new.vote("k2", 0, CHAT, 7, DOWN) == VoteCast(Tally(0, 1, DOWN), 0)
        assert new.record("k3", 0, CHAT, "question k3", HITS, "build-2") == Tally(), "seq goes on"
        assert [a.key for a in new.voted_answers()] == ["k1", "k2"]
    finally:
        source.close()
        target.close()
