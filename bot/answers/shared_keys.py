"""The "More ▸" keys replicas share on PostgreSQL.

One bot process keeps them in memory (the default, on SQLite: nothing to share, and no database
write per question). Replicas behind one webhook must share them: the "More ▸" of an answer may
be pressed on another replica than the one that answered. The in-memory LRU of
`bot.answers.service` stays in front of the keys as a cache.

A key is not worth an unanswered question: while the database cannot be reached
(`bot.database_outage`), keys live in the in-memory LRU alone, until the database is back.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.questions import Question
from bot.database import WRITES
from bot.database_outage import DatabaseOutage
from bot.schema import answer_keys


class SharedAnswerKeys:
    """The question behind a "More ▸" key, for the newest `remembered` keys."""

    def __init__(
        self, engine: Engine, *, remembered: int, outage: DatabaseOutage | None = None
    ) -> None:
        self._engine = engine
        self._remembered = remembered
        self._outage = outage or DatabaseOutage()

    def put(self, key: str, chat_id: int, question: Question) -> None:
        """Share the key; while the database is down it stays in this replica's memory only."""
        if not self._outage.worth_trying():
            return
        try:
            self._put(key, chat_id, question)
        except SQLAlchemyError as exc:
            self._outage.failed('"More" buttons', exc)
        else:
            self._outage.succeeded()

    def _put(self, key: str, chat_id: int, question: Question) -> None:
        with self._engine.connect().execution_options(**WRITES) as db, db.begin():
            inserted = db.execute(
                answer_keys.insert().values(
                    key=key, chat_id=chat_id, question=question.text, cut=question.cut
                )
            ).inserted_primary_key
            assert inserted is not None
            seq = inserted[0]
            db.execute(delete(answer_keys).where(answer_keys.c.seq <= seq - self._remembered))

    def get(self, key: str) -> tuple[int, Question] | None:
        """The key's chat and question; None when unknown, or while the database is down."""
        if not self._outage.worth_trying():
            return None
        try:
            found = self._get(key)
        except SQLAlchemyError as exc:
            self._outage.failed('"More" buttons', exc)
            return None
        self._outage.succeeded()
        return found

    def _get(self, key: str) -> tuple[int, Question] | None:
        with self._engine.connect() as db:
            row = db.execute(
                select(answer_keys.c.chat_id, answer_keys.c.question, answer_keys.c.cut).where(
                    answer_keys.c.key == key
                )
            ).first()
        return None if row is None else (row.chat_id, Question(row.question, bool(row.cut)))
