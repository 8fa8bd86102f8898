"""Whether the bot's database is reachable, as the calls that need it find it.

Answering a question needs only the index; the database holds subscriptions, alerts and, with
replicas, the shared question budget and "More ▸" keys. When PostgreSQL is stopped or cut off,
the bot goes on answering with what it keeps in memory (`bot.answers.shared_keys`,
`bot.answers.budget`), database commands get a short "try again later", and the alert lease
waits (`bot.alerts.leader`). One object per process records the outage, so it is logged once
when it starts and once when it ends, however many calls fail in between, and while it lasts
the database is tried again only every `retry_seconds` (a server that does not answer costs each
try the connect timeout).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

RETRY_SECONDS = 10.0
"""While the database is down, how often a call tries it again instead of going without."""


class DatabaseOutage:
    """The database's reachability for this process; safe to share between threads."""

    def __init__(
        self, retry_seconds: float = RETRY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._next_try = 0.0

    @property
    def down(self) -> bool:
        """Whether the last call that needed the database found it unreachable."""
        return self._since is not None

    def worth_trying(self) -> bool:
        """Whether a call should try the database now: always while it is up, and once every
        `retry_seconds` while it is down (the others go without at once)."""
        with self._lock:
            if self._since is None:
                return True
            now = self._clock()
            if now < self._next_try:
                return False
            self._next_try = now + self._retry_seconds
            return True

    def failed(self, what: str, exc: BaseException) -> None:
        """A call for `what` could not reach the database: the first since it was up logs it."""
        with self._lock:
            if self._since is not None:
                return
            self._since = self._clock()
            self._next_try = self._since + self._retry_seconds
        log.warning(
            "the database cannot be reached (%s, for %s): questions are answered without it, "
            "database commands are refused until it is back; tried again every %g s",
            reason(exc), what, self._retry_seconds,
        )  # fmt: skip

    def succeeded(self) -> None:
        """A call reached the database: an outage, if there was one, is over (logged once)."""
        if self._since is None:  # the common case, without taking the lock
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.warning("the database is reachable again after %.0f s", self._clock() - since)

    def attempt(self, what: str, work: Callable[[], _T]) -> _T | None:
        """`work()`, or None when the database cannot be reached for `what` (the outage
        recorded, logged once): for calls that are worth less than the answer they serve."""
        if not self.worth_trying():
            return None
        try:
            done = work()
        except SQLAlchemyError as exc:
            self.failed(what, exc)
            return None
        self.succeeded()
        return done


def reason(exc: BaseException) -> str:
    """The driver's first line (psycopg names host and port, never the password), or the
    error's kind."""
    orig = getattr(exc, "orig", None) if isinstance(exc, SQLAlchemyError) else exc
    first = str(orig).strip().splitlines()[0] if orig is not None and str(orig).strip() else ""
    return first or type(exc).__name__
