"""An answer Telegram took, kept in the bot's database in one transaction: votable
(`bot.answers.votes`) and the chat's latest turn (`bot.answers.conversation`).

Both are for the reader's next step (a 👍, a reply that follows the answer up), not for the answer
itself, so they are written after the send, in one worker-thread hop and one commit (an answer
used to cost two transactions, one of them before its send). A new answer has no votes yet,
so its buttons are drawn without asking the database (`buttons_tally`); while the database is
known to be down they are left out, as they always were. A vote pressed while its answer is still
going out or being recorded waits for that (`sending`, `settled`) instead of finding no answer,
and so does a reply that follows it up (`chat_settled`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy import Engine

from bot.answers.conversation import ConversationStore, Turn
from bot.answers.service import Answer
from bot.answers.votes import AnswerVotes, Tally
from bot.database import WRITES
from bot.database_outage import DatabaseOutage


def buttons_tally(outage: DatabaseOutage) -> Tally | None:
    """The votes to draw under a new answer: none yet; no buttons (None) while the database is
    known to be down, since a vote could not be counted."""
    return None if outage.down else Tally()


@dataclass(frozen=True, slots=True)
class SentAnswers:
    """Writes of answers just sent; blocking: handlers call `record` through
    `asyncio.to_thread`."""

    engine: Engine
    votes: AnswerVotes
    conversation: ConversationStore
    outage: DatabaseOutage
    _pending: dict[str, tuple[int, asyncio.Event]] = field(default_factory=dict)
    """Keys of answers being sent or recorded, each with its chat and what is set when that
    is over."""

    @contextlib.asynccontextmanager
    async def sending(self, key: str, chat_id: int) -> AsyncIterator[None]:
        """Around sending the answer under `key` to `chat_id` and `record`ing it: votes on it
        and replies in its chat wait."""
        done = asyncio.Event()
        self._pending[key] = (chat_id, done)
        try:
            yield
        finally:
            del self._pending[key]
            done.set()

    async def settled(self, key: str) -> None:
        """Once the answer under `key` is recorded (or failed to be), if it is being sent here."""
        pending = self._pending.get(key)
        if pending is not None:
            await pending[1].wait()

    async def chat_settled(self, chat_id: int) -> None:
        """Once every answer being sent to `chat_id` here is recorded (or failed to be): a reply
        to one of them then finds its turn."""
        for chat, done in list(self._pending.values()):
            if chat == chat_id:
                await done.wait()

    def record(self, key: str, answer: Answer, turn: Turn, user_id: int | None) -> Turn | None:
        """Make `answer` (shown under the button key `key`) votable and keep `turn` as its
        chat's latest, together or not at all; the turn as kept, or None while the database
        cannot be reached (the outage logged once)."""

        def write() -> Turn:
            with self.engine.connect().execution_options(**WRITES) as db, db.begin():
                self.votes.record_in(
                    db, key, answer.page, turn.chat_id, answer.question.text, answer.hits,
                    answer.index_version, user_id,
                )  # fmt: skip
                return self.conversation.record_turn_in(db, turn)

        return self.outage.attempt("answers sent", write)
