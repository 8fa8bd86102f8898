"""Which replica runs the alert jobs: the one holding the alert lease.

Replicas sharing PostgreSQL all answer questions, but one at a time indexes the inbox, scans
new index versions and sends alerts and digests. Doing that work once saves every other replica
the model time of a scan, and keeps a single sender in front of Telegram's flood limits.

The lease is a PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) held on a
connection of its own, outside the pool, for as long as the replica lives; not a lease row with
an expiry. Why:

- **A dead leader frees it at once.** The lock belongs to the server session; when the leader's
  process dies, even by `kill -9`, its kernel closes the socket, the server ends the session and
  the lock is free for the next replica's round. A lease row would hold its expiry out however
  the leader died, and would need a write every round to renew it.
- **No clocks.** Whether a row has expired depends on replica clocks (or on a round trip to ask
  the server's); a lock is held or not.
- **A leader cut off without a closed socket** (its machine gone, a network partition) is noticed
  by TCP keepalives on both sides: the server's `tcp_keepalives_*`, set for this session, end
  the session after `LEASE_SECONDS` of silence, and the client's `keepalives_*` and
  `tcp_user_timeout` make the old leader's next check fail in about the same time. Server-wide
  `idle_session_timeout` and `idle_in_transaction_session_timeout` are switched off for this
  session, so an idle lease is never cut by them.

Every round starts with `lead()`: the leader checks that its connection answers and still holds
the lock (else it says it lost the lease and tries again), a non-leader tries to take it. So
after a leader dies another replica leads within ALERT_INTERVAL_SECONDS, or within
ALERT_INTERVAL_SECONDS + LEASE_SECONDS when the socket was not closed. An alert being sent at
that moment is sent at most once more, never lost: it stays *pending* in the alert log until
Telegram accepted it (`bot.alerts.delivery`), and a round's sending also holds the delivery lock
(`bot.alerts.delivery_lock`) in case two replicas ever believe they lead.

The lease needs a direct (or session-pooled) connection to PostgreSQL: a transaction-pooling
proxy would hand the session, and its lock, to someone else. On SQLite there is one bot process,
and the lease is always held.
"""

from __future__ import annotations

import logging
import os
import socket

from sqlalchemy import Connection, Engine, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.database import POSTGRES_CONNECT_TIMEOUT_SECONDS
from bot.database_outage import DatabaseOutage, reason

log = logging.getLogger(__name__)

LEASE_KEY = 0x6C6561646572  # "leader"; other advisory keys: bot.alerts.delivery_lock, bot.migrate
LEASE_SECONDS = 20
"""How long a leader cut off without a closed socket may go unnoticed (keepalives, both ends)."""
_KEEPALIVE_IDLE = 5
_KEEPALIVE_INTERVAL = 5
_KEEPALIVE_COUNT = 3  # 5 s idle + 3 probes 5 s apart: the session ends within LEASE_SECONDS
APPLICATION_NAME = "newsbot alert lease"
"""How the lease's session shows in `pg_stat_activity`, followed by `pid <process id> on <host>`."""


class LeaderLease:
    """`lead()` at each round, `release()` at shutdown; blocking calls, for a worker thread."""

    def __init__(self, engine: Engine, outage: DatabaseOutage | None = None) -> None:
        self._shared = engine.dialect.name == "postgresql"
        self._outage = outage or DatabaseOutage()
        self._holder = f"pid {os.getpid()} on {socket.gethostname()}"
        self._engine: Engine | None = None
        if self._shared:
            self._engine = create_engine(
                engine.url,
                poolclass=NullPool,  # one connection for life, never handed to anyone else
                connect_args={
                    "connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS,
                    "application_name": f"{APPLICATION_NAME} {self._holder}"[:63],
                    "keepalives": 1,
                    "keepalives_idle": _KEEPALIVE_IDLE,
                    "keepalives_interval": _KEEPALIVE_INTERVAL,
                    "keepalives_count": _KEEPALIVE_COUNT,
                    "tcp_user_timeout": LEASE_SECONDS * 1000,
                },
            )
        self._held: Connection | None = None

    @property
    def held(self) -> bool:
        """Whether this process led at its last `lead()` (always, on SQLite)."""
        return not self._shared or self._held is not None

    def lead(self) -> bool:
        """Whether this process runs the alert jobs now: keep the lease, or try to take it."""
        if not self._shared:
            return True
        if self._held is not None:
            if self._still_held(self._held):
                return True
            self._drop()
        return self._take()

    def _still_held(self, connection: Connection) -> bool:
        try:
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND objsubid = 1"
                    " AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": LEASE_KEY},
            ).scalar_one()
        except SQLAlchemyError as exc:
            log.warning(
                "lost the alert lease (%s): another replica may run the alert jobs", reason(exc)
            )
            return False
        if not held:
            log.warning("lost the alert lease: another replica may run the alert jobs")
        return bool(held)

    def _take(self) -> bool:
        assert self._engine is not None
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as exc:  # logged once per outage, not once per round
            self._outage.failed("the alert lease", exc)
            return False
        self._outage.succeeded()
        try:
            for setting in (
                f"SET tcp_keepalives_idle = {_KEEPALIVE_IDLE}",
                f"SET tcp_keepalives_interval = {_KEEPALIVE_INTERVAL}",
                f"SET tcp_keepalives_count = {_KEEPALIVE_COUNT}",
                "SET idle_session_timeout = 0",
                "SET idle_in_transaction_session_timeout = 0",
            ):
                connection.execute(text(setting))
            taken = bool(connection.execute(select(func.pg_try_advisory_lock(LEASE_KEY))).scalar())
        except SQLAlchemyError as exc:
            connection.close()
            log.warning("cannot take the alert lease (%s)", reason(exc))
            return False
        if not taken:
            connection.close()
            log.debug("another replica holds the alert lease")
            return False
        self._held = connection
        log.info("took the alert lease (%s): alert rounds and digests run here", self._holder)
        return True

    def _drop(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            try:
                held.invalidate()  # a connection that failed is not reused, only closed
                held.close()
            except SQLAlchemyError:
                pass

    def release(self) -> None:
        """Give the lease up (a clean stop): another replica takes it at its next round."""
        held, self._held = self._held, None
        if held is not None:
            try:
                held.execute(select(func.pg_advisory_unlock(LEASE_KEY)))
                log.info("released the alert lease: another replica takes it at its next round")
            except SQLAlchemyError as exc:
                log.warning("alert lease not released cleanly (%s)", reason(exc))
            finally:
                held.close()
        if self._engine is not None:
            self._engine.dispose()
