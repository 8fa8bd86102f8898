"""Readers' 👍 / 👎 under answers, kept in the bot's database (SQLite, or PostgreSQL that replicas
share, so a vote counts whichever replica takes it).

Each answer shown, one page of a question's passages, is recorded with what it cited and the
index version it came from: a vote then says which passages a reader found useful or not, and
`python -m bot feedback export` turns the votes into evaluation questions. One vote per reader
and answer, which the reader may change; of the reader, only the numeric user id is kept. The
newest FEEDBACK_ANSWERS_KEPT answers can be voted on; older ones are deleted, except those someone
voted on.

Votes are not worth an unanswered question: while the database cannot be reached
(`bot.database_outage`), answers go out without vote buttons and a vote is refused as unavailable
for the moment, until the database is back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    case,
    delete,
    false,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from bot.database import WRITES
from bot.database_outage import DatabaseOutage
from bot.schema import feedback_answers, feedback_votes

if TYPE_CHECKING:  # only named: the command line's `feedback` needs no search stack
    from index import Hit

UP, DOWN = 1, -1
"""A vote: 👍 is +1, 👎 is -1."""
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Tally:
    """The votes on one answer."""

    up: int = 0
    down: int = 0
    mine: int = 0
    """The vote of the reader it was asked for: UP, DOWN, or 0 for none."""


@dataclass(frozen=True, slots=True)
class VoteCast:
    """A vote counted: the answer's votes now, and the reader's vote before (0: none)."""

    tally: Tally
    previous: int


class VoteRefused(Enum):
    """Why a vote changed nothing."""

    UNKNOWN_ANSWER = "unknown answer"
    """Never recorded (an older bot's button, a forged one), recorded in another chat, or
    deleted since (older than the newest FEEDBACK_ANSWERS_KEPT, with no votes)."""
    UNAVAILABLE = "unavailable"
    """The database cannot be reached for the moment."""


@dataclass(frozen=True, slots=True)
class VoteTotals:
    """What /stats shows an admin: answers voted on, and their 👍 and 👎."""

    answers: int
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class VotedAnswer:
    """An answer someone voted on, with what it cited (`cited_passages`), for the export."""

    key: str
    page: int
    question: str
    passages: list[dict[str, Any]]
    index_version: str
    created_at: str
    up: int
    down: int


def cited_passages(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """What an answer cited, as the JSON kept with it: enough to find each passage again in
    its index version, and to judge it without the index."""
    return [
        {
            "article_id": hit.article_id, "row": hit.row, "start": hit.start, "end": hit.end,
            "title": hit.title, "source": hit.source, "published": hit.published,
            "rank": hit.rank, "score": hit.score, "relevance": hit.relevance,
        }
        for hit in hits
    ]  # fmt: skip


def _now_iso() -> str:
    """Timestamps as the other tables keep them: ISO 8601 in UTC, which compare as text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class AnswerVotes:
    """The answers that can be voted on and their votes; safe across threads (each call is one
    transaction), and blocking: handlers call it through `asyncio.to_thread`."""

    def __init__(self, engine: Engine, *, kept: int, outage: DatabaseOutage | None = None) -> None:
        self._engine = engine
        self._kept = kept
        self._outage = outage or DatabaseOutage()
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    # -- the bot --------------------------------------------------------------------------------
    def record(
        self,
        key: str,
        page: int,
        chat_id: int,
        question: str,
        hits: Sequence[Hit],
        index_version: str,
        user_id: int | None = None,
    ) -> Tally | None:
        """Make page `page` of the question behind `key` votable (a page shown again keeps what
        it first cited); its votes so far (`mine`: `user_id`'s). None while the database cannot
        be reached: the answer then goes out without vote buttons."""
        return self._reach(
            lambda: self._record(key, page, chat_id, question, hits, index_version, user_id)
        )

    def vote(
        self, key: str, page: int, chat_id: int, user_id: int, vote: int, now: str | None = None
    ) -> VoteCast | VoteRefused:
        """Count `user_id`'s vote (UP or DOWN) on an answer of chat `chat_id` at `now` (an ISO
        timestamp; by default the current time), replacing the one they cast before; the same
        vote again changes nothing."""
        if vote not in (UP, DOWN):
            raise ValueError(f"a vote is {UP} or {DOWN}, not {vote!r}")
        cast = self._reach(lambda: self._vote(key, page, chat_id, user_id, vote, now or _now_iso()))
        return VoteRefused.UNAVAILABLE if cast is None else cast

    def tally(self, key: str, page: int, user_id: int | None = None) -> Tally | None:
        """The votes on an answer now (None while the database cannot be reached)."""

        def read() -> Tally:
            with self._engine.connect() as db:
                return self._tally(db, key, page, user_id)

        return self._reach(read)

    def totals(self, since: str | None = None) -> VoteTotals | None:
        """Answers voted on and their votes, counting the votes cast (or changed) since `since`
        (an ISO timestamp; None: all); None while the database cannot be reached."""
        return self._reach(lambda: self._totals(since))

    # -- the command line -------------------------------------------------------------------------
    def voted_answers(self) -> Iterator[VotedAnswer]:
        """Every answer someone voted on, oldest first, with its 👍 and 👎 (for the export,
        which has no use of a database it cannot reach: errors are raised)."""
        counts = self._counts(None).subquery()
        rows = (
            select(
                feedback_answers.c.key, feedback_answers.c.page, feedback_answers.c.question,
                feedback_answers.c.passages, feedback_answers.c.index_version,
                feedback_answers.c.created_at, counts.c.up, counts.c.down,
            )
            .join(
                counts,
                (counts.c.key == feedback_answers.c.key)
                & (counts.c.page == feedback_answers.c.page),
            )
            .order_by(feedback_answers.c.seq)
        )  # fmt: skip
        with self._engine.connect() as db:
            for row in db.execute(rows):
                yield VotedAnswer(
                    row.key, row.page, row.question, json.loads(row.passages),
                    row.index_version, row.created_at, int(row.up), int(row.down),
                )  # fmt: skip

    # -- in one transaction each ----------------------------------------------------------------
    def _reach(self, work: Callable[[], _T]) -> _T | None:
        """`work()`, or None when the database cannot be reached (the outage logged once)."""
        return self._outage.attempt("votes", work)

    def _record(
        self,
        key: str,
        page: int,
        chat_id: int,
        question: str,
        hits: Sequence[Hit],
        index_version: str,
        user_id: int | None,
    ) -> Tally:
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            return self.record_in(db, key, page, chat_id, question, hits, index_version, user_id)

    def record_in(
        self,
        db: Connection,
        key: str,
        page: int,
        chat_id: int,
        question: str,
        hits: Sequence[Hit],
        index_version: str,
        user_id: int | None = None,
    ) -> Tally:
        """`record`'s write, inside the caller's transaction `db` (`bot.answers.sent_answers`
        keeps a new answer and its turn in one); database errors are the caller's."""
        newest = db.execute(
            self._insert(feedback_answers)
            .values(
                key=key, page=page, chat_id=chat_id, question=question,
                passages=json.dumps(cited_passages(hits), ensure_ascii=False),
                index_version=index_version, created_at=_now_iso(),
            )
            .on_conflict_do_nothing(index_elements=["key", "page"])
            .returning(feedback_answers.c.seq)
        ).scalar_one_or_none()  # fmt: skip
        if newest is None:  # shown before: paged back to
            return self._tally(db, key, page, user_id)
        # Through the index on (voted, seq): the voted answers, however many, are not read.
        db.execute(
            delete(feedback_answers).where(
                feedback_answers.c.voted == false(),
                feedback_answers.c.seq <= newest - self._kept,
            )
        )
        return Tally()

    def _vote(
        self, key: str, page: int, chat_id: int, user_id: int, vote: int, now: str
    ) -> VoteCast | VoteRefused:
        this = (feedback_votes.c.key == key) & (feedback_votes.c.page == page)
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            # Locks the answer's row (PostgreSQL) until the vote is in: a trim cannot delete it
            # meanwhile, and votes on one answer are counted one after the other.
            found = db.execute(
                update(feedback_answers)
                .where(
                    feedback_answers.c.key == key,
                    feedback_answers.c.page == page,
                    feedback_answers.c.chat_id == chat_id,
                )
                .values(voted=True)
            ).rowcount
            if found != 1:
                return VoteRefused.UNKNOWN_ANSWER
            previous = db.execute(
                select(feedback_votes.c.vote).where(this, feedback_votes.c.user_id == user_id)
            ).scalar_one_or_none()
            if previous != vote:
                new = {"vote": vote, "voted_at": now}
                db.execute(
                    self._insert(feedback_votes)
                    .values(key=key, page=page, user_id=user_id, **new)
                    .on_conflict_do_update(index_elements=["key", "page", "user_id"], set_=new)
                )
            return VoteCast(self._tally(db, key, page, user_id), previous or 0)

    @staticmethod
    def _tally(db: Connection, key: str, page: int, user_id: int | None) -> Tally:
        votes = feedback_votes.c
        mine = (
            func.max(case((votes.user_id == user_id, votes.vote)))
            if user_id is not None
            else literal(None)
        )
        up, down, own = db.execute(
            select(
                func.count(case((votes.vote == UP, 1))),
                func.count(case((votes.vote == DOWN, 1))),
                mine,
            ).where(votes.key == key, votes.page == page)
        ).one()
        return Tally(int(up), int(down), int(own or 0))

    @staticmethod
    def _counts(since: str | None) -> Select[Any]:
        """Per answer voted on (since `since`): its key, page, 👍 and 👎."""
        votes = feedback_votes.c
        query = select(
            votes.key,
            votes.page,
            func.count(case((votes.vote == UP, 1))).label("up"),
            func.count(case((votes.vote == DOWN, 1))).label("down"),
        ).group_by(votes.key, votes.page)
        return query if since is None else query.where(votes.voted_at >= since)

    def _totals(self, since: str | None) -> VoteTotals:
        counts = self._counts(since).subquery()
        with self._engine.connect() as db:
            answers, up, down = db.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(counts.c.up), 0),
                    func.coalesce(func.sum(counts.c.down), 0),
                ).select_from(counts)
            ).one()
        return VoteTotals(int(answers), int(up), int(down))
