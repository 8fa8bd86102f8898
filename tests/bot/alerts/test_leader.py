"""The alert lease on a real PostgreSQL server: one holder at a time, taken over when it goes."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
import pytest

from bot.alerts.leader import APPLICATION_NAME, LeaderLease
from bot.alerts.subscriptions import SubscriptionStore


def test_on_sqlite_the_one_process_always_leads(tmp_path: Path) -> None:
    store = SubscriptionStore(tmp_path / "subscriptions.sqlite")
    try:
        lease = LeaderLease(store.engine)
        assert lease.lead() and lease.lead() and lease.held
        lease.release()
    finally:
        store.close()


def test_one_replica_holds_the_lease_and_another_takes_it_when_released(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = SubscriptionStore(postgres_url)
    first, second = LeaderLease(store.engine), LeaderLease(store.engine)
    try:
        with caplog.at_level(logging.INFO, logger="bot.alerts.leader"):
            assert first.lead()
            assert not second.lead() and not second.held
            assert first.lead(), "the holder keeps it round after round"
            first.release()
            assert second.lead() and not first.lead()
        took = [r.getMessage() for r in caplog.records if "took the alert lease" in r.getMessage()]
        assert len(took) == 2, "one line each time a replica becomes the leader"
        with psycopg.connect(postgres_url) as db:
            (holder,) = db.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE l.locktype = 'advisory' AND l.objid = %s",
                (0x6C6561646572 & 0xFFFFFFFF,),
            ).fetchone() or ("",)
        assert holder.startswith(APPLICATION_NAME), "the holder is seen in pg_stat_activity"
    finally:
        first.release()
        second.release()
        store.close()


def test_a_leader_whose_session_ended_says_it_lost_the_lease(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The server ending the session (a dead process, a cut network) frees the lock at once."""
    store = SubscriptionStore(postgres_url)
    first, second = LeaderLease(store.engine), LeaderLease(store.engine)
    try:
        assert first.lead()
        with psycopg.connect(postgres_url, autocommit=True) as db:
            db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name LIKE %s",
                (f"{APPLICATION_NAME}%",),
            )
        assert second.lead(), "the lock went with the session"
        with caplog.at_level(logging.WARNING, logger="bot.alerts.leader"):
            assert not first.lead()
        assert any("lost the alert lease" in r.getMessage() for r in caplog.records)
        second.release()
        assert first.lead(), "and it may lead again later"
    finally:
        first.release()
        second.release()
        store.close()
