"""The last few questions a chat asked and what their answers cited, so that a reply to an answer
can be read as a follow-up ("and what did Germany say?").

Each answer the bot sends records a `Turn`: where it was asked (chat and forum topic), the
messages the answer went out as (a reply to any of them follows that turn up), the question, the
cited articles and their stories in the order shown, and when. Turns are kept in the bot's
database, so a reply taken by another replica finds the turn all the same; a turn older than
FOLLOWUP_MINUTES no longer counts, and each chat keeps only its newest `TURNS_KEPT_PER_CHAT`
(older and expired ones are deleted whenever a turn is recorded).

Follow-ups are not worth an unanswered question: while the database cannot be reached
(`bot.database_outage`), nothing is recorded and no turn is found, and questions are answered as
new ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, select

from bot.database import WRITES
from bot.database_outage import DatabaseOutage
from bot.schema import conversation_messages, conversation_turns
from index import Hit
from index.search.follow_up import FollowUp

CITED_FOR_FOLLOW_UP = 3
"""How many of the last answer's citations a follow-up prefers (those on its first page)."""
TURNS_KEPT_PER_CHAT = 20
"""A chat's newest turns kept; older ones are deleted when a new one is recorded."""
CHAIN_TURNS = 3
"""How many turns a follow-up looks back at: the one replied to and those it followed up."""
_T = TypeVar("_T")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Turn:
    """One answered question: what was asked, and what the answer cited, in order."""

    question: str
    article_ids: tuple[str, ...] = ()
    story_ids: tuple[str, ...] = ()
    """The story of each cited article, in the same order (an article without a story is a
    story of its own: its own id)."""
    chat_id: int = 0
    thread_id: int = 0
    """The forum topic it was asked in; 0: the chat itself."""
    message_ids: tuple[int, ...] = ()
    """The messages the answer was sent as (every page, when it took several)."""
    asked_at: datetime = field(default_factory=_now)
    id: int | None = None
    """Its number in the database; None before it is recorded (and in the terminal chat)."""
    follows: int | None = None
    """The `id` of the turn this question followed up, when it replied to one."""


def turn_of(question: str, hits: Sequence[Hit], **where: Any) -> Turn:
    """The turn of an answer that cited `hits` (`where`: chat_id, thread_id, message_ids,
    follows)."""
    return Turn(
        question,
        tuple(hit.article_id for hit in hits),
        tuple(hit.story_id or hit.article_id for hit in hits),
        **where,
    )


def _iso(moment: datetime) -> str:
    """Timestamps as the other tables keep them: ISO 8601 in UTC, which compare as text."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class ConversationStore:
    """Turns in the bot's database; safe across threads (each call is one transaction), and
    blocking: handlers call it through `asyncio.to_thread`."""

    def __init__(
        self,
        engine: Engine,
        *,
        followup: timedelta,
        kept_per_chat: int = TURNS_KEPT_PER_CHAT,
        outage: DatabaseOutage | None = None,
    ) -> None:
        self._engine = engine
        self._followup = followup
        self._kept = kept_per_chat
        self._outage = outage or DatabaseOutage()

    def record_turn(self, turn: Turn) -> Turn | None:
        """Keep a turn (its `id` ignored); the turn as kept, with its `id`. Deletes the chat's
        turns beyond its newest `kept_per_chat` and every expired one. None while the database
        cannot be reached."""
        return self._reach(lambda: self._record(turn))

    def turn_replied_to(
        self, chat_id: int, message_id: int, now: datetime | None = None
    ) -> Turn | None:
        """The turn whose answer `message_id` is (one of its messages), unless it is older than
        FOLLOWUP_MINUTES at `now`; None if there is none."""
        moment = now or _now()

        def read() -> Turn | None:
            with self._engine.connect() as db:
                seq = db.execute(
                    select(conversation_messages.c.turn).where(
                        conversation_messages.c.chat_id == chat_id,
                        conversation_messages.c.message_id == message_id,
                    )
                ).scalar_one_or_none()
                if seq is None:
                    return None
                found = self._turns(db, moment, conversation_turns.c.seq == seq)
            return found[0] if found else None

        return self._reach(read)

    def chain(
        self, turn: Turn, limit: int = CHAIN_TURNS, now: datetime | None = None
    ) -> list[Turn]:
        """`turn` and the turns it followed up, one after the other, oldest first: at most
        `limit`, none expired at `now` (the chain stops at the first one that is gone)."""
        if limit <= 0:
            return []

        def read() -> list[Turn]:
            with self._engine.connect() as db:
                kept = self._turns(db, now or _now(), conversation_turns.c.chat_id == turn.chat_id)
            by_id = {t.id: t for t in kept}
            chain = [by_id.get(turn.id, turn)]
            while len(chain) < limit and chain[-1].follows in by_id:
                followed = by_id[chain[-1].follows]
                if followed in chain:  # cannot happen with ids given in order; never loop
                    break
                chain.append(followed)
            return chain[::-1]

        return self._reach(read) or [turn]

    def recent_turns(
        self, chat_id: int, thread_id: int, limit: int = CHAIN_TURNS, now: datetime | None = None
    ) -> list[Turn]:
        """The last `limit` turns of a chat's forum topic (0: the chat itself) not expired at
        `now`, oldest first; [] while the database cannot be reached."""

        def read() -> list[Turn]:
            with self._engine.connect() as db:
                found = self._turns(
                    db, now or _now(),
                    conversation_turns.c.chat_id == chat_id,
                    conversation_turns.c.thread_id == thread_id,
                )  # fmt: skip
            return found[-limit:] if limit > 0 else []

        return self._reach(read) or []

    # -- in one transaction each ----------------------------------------------------------------
    def _reach(self, work: Callable[[], _T]) -> _T | None:
        """`work()`, or None when the database cannot be reached (the outage logged once)."""
        return self._outage.attempt("follow-ups", work)

    def _record(self, turn: Turn) -> Turn:
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            return self.record_turn_in(db, turn)

    def record_turn_in(self, db: Connection, turn: Turn) -> Turn:
        """`record_turn`'s write, inside the caller's transaction `db`
        (`bot.answers.sent_answers` keeps a new answer and its turn in one); database errors are
        the caller's."""
        turns, messages = conversation_turns.c, conversation_messages.c
        seq = db.execute(
            conversation_turns.insert()
            .values(
                chat_id=turn.chat_id, thread_id=turn.thread_id, question=turn.question,
                article_ids=json.dumps(list(turn.article_ids), ensure_ascii=False),
                story_ids=json.dumps(list(turn.story_ids), ensure_ascii=False),
                asked_at=_iso(turn.asked_at), follows=turn.follows,
            )
            .returning(turns.seq)
        ).scalar_one()  # fmt: skip
        # A message id is the chat's: one replaced by a new turn (it cannot be, bar a
        # recording retried) points at the newest.
        db.execute(
            delete(conversation_messages).where(
                messages.chat_id == turn.chat_id, messages.message_id.in_(turn.message_ids)
            )
        )
        if turn.message_ids:
            db.execute(
                conversation_messages.insert(),
                [
                    {"chat_id": turn.chat_id, "message_id": m, "turn": seq}
                    for m in dict.fromkeys(turn.message_ids)
                ],
            )
        newer = conversation_turns.alias("newer")  # not correlated with the outer query
        oldest_kept = (
            select(newer.c.seq)
            .where(newer.c.chat_id == turn.chat_id)
            .order_by(newer.c.seq.desc())
            .offset(self._kept - 1)
            .limit(1)
            .scalar_subquery()
        )
        stale = select(turns.seq).where(
            (turns.asked_at < _iso(turn.asked_at - self._followup))
            | ((turns.chat_id == turn.chat_id) & (turns.seq < oldest_kept))
        )
        gone = [int(s) for s in db.execute(stale).scalars()]
        if gone:
            db.execute(delete(conversation_messages).where(messages.turn.in_(gone)))
            db.execute(delete(conversation_turns).where(turns.seq.in_(gone)))
        return replace(turn, id=int(seq), message_ids=tuple(dict.fromkeys(turn.message_ids)))

    def _turns(self, db: Connection, now: datetime, *where: Any) -> list[Turn]:
        """The turns `where` selects that are not expired at `now`, oldest first, with their
        messages."""
        turns = conversation_turns.c
        rows = db.execute(
            select(conversation_turns)
            .where(*where, turns.asked_at >= _iso(now - self._followup))
            .order_by(turns.seq)
        ).all()
        if not rows:
            return []
        messages: dict[int, list[int]] = {}
        for seq, message_id in db.execute(
            select(conversation_messages.c.turn, conversation_messages.c.message_id)
            .where(conversation_messages.c.turn.in_([row.seq for row in rows]))
            .order_by(conversation_messages.c.message_id)
        ):
            messages.setdefault(int(seq), []).append(int(message_id))
        return [
            Turn(
                row.question, tuple(json.loads(row.article_ids)), tuple(json.loads(row.story_ids)),
                int(row.chat_id), int(row.thread_id), tuple(messages.get(int(row.seq), ())),
                datetime.fromisoformat(row.asked_at), int(row.seq),
                None if row.follows is None else int(row.follows),
            )
            for row in rows
        ]  # fmt: skip


def follow_up_of(turns: Sequence[Turn]) -> FollowUp | None:
    """What a follow-up to the last of `turns` (oldest first) is searched with: their questions
    and the last answer's first citations; None without a turn."""
    if not turns:
        return None
    return FollowUp(
        tuple(turn.question for turn in turns), turns[-1].article_ids[:CITED_FOR_FOLLOW_UP]
    )
