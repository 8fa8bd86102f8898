"""One replica at a time sends the pending alerts, so replicas sharing PostgreSQL never send one
alert twice.

Every replica scans (a match is logged once whoever logs it: `ON CONFLICT DO NOTHING`), but two
replicas reading the same pending rows would both post them. A round's delivery therefore holds
a PostgreSQL session-level advisory lock; a replica that cannot take it at once skips delivering
this round (the one holding it sends everything pending), and the server releases it by itself
if that replica dies. Instant alerts and daily digests go to different chats and have a lock
each: a digest is never skipped because an instant round was sending at digest time. A SQLite file has one bot process, so the lock is always taken there.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, func, select

log = logging.getLogger(__name__)

_DELIVERY_LOCK_KEYS = {"instant": 0x616C657274, "daily": 0x616C657275}  # "alert", and one more


class DeliveryLock:
    """`acquire()` without waiting, then `release()`; blocking calls, for a worker thread."""

    def __init__(self, engine: Engine, delivery: str) -> None:
        """`delivery`: which alerts are being sent, `instant` or `daily`."""
        self._engine = engine
        self._key = _DELIVERY_LOCK_KEYS[delivery]
        self._held: Connection | None = None

    def acquire(self) -> bool:
        """Whether this process may deliver now."""
        if self._engine.dialect.name != "postgresql":
            return True
        connection = self._engine.connect()
        try:
            taken = bool(connection.execute(select(func.pg_try_advisory_lock(self._key))).scalar())
            connection.commit()  # the lock is the session's: no transaction left open meanwhile
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            log.debug("another replica is delivering alerts; skipping this round's delivery")
            return False
        self._held = connection
        return True

    def release(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        try:
            held.execute(select(func.pg_advisory_unlock(self._key)))
            held.commit()
        finally:
            held.close()
