"""The answer pipeline shared by Telegram and the terminal chat: question → passages, off the loop."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cachetools import LRUCache

from bot.answers.questions import Question
from bot.answers.rendering import scope_lines
from bot.answers.shared_keys import SharedAnswerKeys
from index import Hit, NewsIndex
from index.search.question_reading import QuestionReading, read_question
from index.store.passage_filter import PassageFilter

log = logging.getLogger(__name__)

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Answer:
    """One page of passages for a question."""

    question: Question
    hits: list[Hit]
    page: int
    has_more: bool
    index_version: str = ""
    """The build id of the index version live when it was answered (recorded with votes)."""
    reading: QuestionReading | None = None
    """What the question asked besides its subject: window, outlets (`read_question`)."""
    outside_window: bool = False
    """Nothing inside the asked window answered: these hits are the best from other days."""
    scope: list[str] = field(default_factory=list)
    """What the answer says under the question about how it was searched (`scope_lines`)."""


class AnswerService:
    """Searches the index in a worker thread, so model work never blocks the event loop,
    and remembers recent questions so a "more" button can page through them (in memory, and
    in the shared database too when replicas share one: `shared`)."""

    def __init__(
        self,
        index: NewsIndex,
        *,
        per_page: int,
        remembered: int = 2000,
        shared: SharedAnswerKeys | None = None,
    ) -> None:
        self.index = index
        self.per_page = per_page
        self._questions: LRUCache[str, tuple[int, Question]] = LRUCache(maxsize=remembered)
        self._shared = shared

    def answer_sync(
        self,
        question: Question,
        page: int = 0,
        *,
        zone: ZoneInfo = UTC_ZONE,
        now: datetime | None = None,
    ) -> Answer:
        """The `page`-th group of passages (one extra is fetched to know if there are more).

        The question is read first (`read_question`: operators, outlets, time words in the
        chat's `zone`), and searched inside the filter it asks for; when nothing inside its
        window answers, the best matches from other days are given, and said to be.
        """
        now = now or datetime.now(UTC)
        outlets = [name for name, _ in self.index.sources()]
        reading = read_question(question.text, now, zone, outlets)

        def search(passage_filter: PassageFilter | None) -> list[Hit]:
            return self.index.search(
                reading.text, self.per_page + 1, offset=page * self.per_page, as_of=now.date(),
                passage_filter=passage_filter, newest_first=reading.newest_first,
            )  # fmt: skip

        hits = search(reading.passage_filter)
        outside = False
        if not hits and reading.window is not None:
            hits = search(reading.outside_window)
            outside = bool(hits)
        version = self.index.snapshot().manifest.build_id  # the one searched, bar a publish since
        shown = hits[: self.per_page]
        log.info(
            "answer page %d: %s", page,
            ", ".join(f"{h.relevance} {h.confidence:.2f}" if h.confidence is not None
                      else f"{h.relevance} cosine {h.score:.2f}" for h in shown) or "not covered",
        )  # fmt: skip
        scope = scope_lines(
            None if reading.window is None else reading.window.label,
            reading.outlets, reading.excluded_outlets, unknown=reading.unknown_outlets,
            outside_window=outside, problems=reading.problems, newest_first=reading.newest_first,
        )  # fmt: skip
        return Answer(
            question, shown, page, len(hits) > self.per_page, version, reading, outside, scope
        )

    async def answer(
        self, question: Question, page: int = 0, *, zone: ZoneInfo = UTC_ZONE
    ) -> Answer:
        return await asyncio.to_thread(self.answer_sync, question, page, zone=zone)

    async def remember(self, question: Question, chat_id: int) -> str:
        """A short key for the question asked in that chat, small enough for a button's 64-byte
        callback data; the least recently used are forgotten first."""
        key = secrets.token_urlsafe(6)
        self._questions[key] = (chat_id, question)
        if self._shared is not None:
            await asyncio.to_thread(self._shared.put, key, chat_id, question)
        return key

    async def recall(self, key: str, chat_id: int) -> Question | None:
        """The question behind a key, only in the chat it was asked in: a button's data can be
        sent from anywhere (a modified client), and another chat's question is not theirs."""
        found = self._questions.get(key)
        if found is None and self._shared is not None:
            found = await asyncio.to_thread(self._shared.get, key)  # asked on another replica
            if found is not None:
                self._questions[key] = found
        if found is None or found[0] != chat_id:
            return None
        return found[1]
