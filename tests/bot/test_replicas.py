"""Three `python -m bot` replicas behind one webhook URL, as they would be deployed.

Real subprocesses in webhook mode share one throwaway PostgreSQL cluster (`DATABASE_URL`) and
one FAISS index folder (`INDEX_DIR`, versions published by `python -m index add` in another
process and followed by every replica through its `current` link). The vector store must be
one all processes can open at once: Milvus Lite is one process per data file, so replicas on
`VECTOR_STORE=milvus` need a Milvus server, not a file. The emulator posts every update to the
balancer's URL (`tests/balancer.py`), which spreads them over the replicas in turn and skips
one that refuses connections, as a load balancer with health checks does.

The leader (the holder of the alert lease, `bot.alerts.leader`, found in `pg_locks`) is killed with
SIGKILL while it is posting a round of alerts. Each `sendMessage` is answered late on purpose, so
the round lasts seconds and the kill lands inside it, between Telegram accepting an alert and
the leader marking it sent: that one alert may be posted twice (the alert log's *pending* state
gives at most one more send), and no alert may be lost or posted more often.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import psycopg
import pytest

from bot.alerts.leader import APPLICATION_NAME, LEASE_SECONDS
from tests.balancer import RoundRobinBalancer
from tests.bot.conftest import USER_ID
from tests.bot.test_entry_point import QUESTION, bot_env, free_port, telegram_env
from tests.conftest import write_article
from tests.emulator import BotApiEmulator

pytestmark = pytest.mark.slow

_T = TypeVar("_T")

REPLICAS = 3
ROUND_SECONDS = 1.0
SECRET = "replica-test-secret"
HOOK_PATH = "/telegram-hook"
READERS = (USER_ID, 5151, 6161)
"""Chats subscribed to every new article, each through another replica."""
ASKERS = iter(range(7001, 7100))
"""A new user for each question: their budgets never run out."""
SEND_DELAY_SECONDS = 0.5
START_TIMEOUT = 300  # three model loads at once on a loaded 2-core machine
ANSWER_TIMEOUT = 120

ARTICLES = [
    ("Finland opens its first new border crossing in a decade",
     "Finland opened a border crossing with Norway in Lapland on Monday, the first new one in ten "
     "years. Officials said lorries carrying timber and fish would save two hours a trip."),
    ("Dutch farmers protest against new nitrogen rules in The Hague",
     "Thousands of farmers drove tractors into The Hague on Wednesday to protest against rules "
     "that would cut nitrogen emissions by half and force some dairy farms to close."),
    ("Portugal's wine harvest is the smallest in twenty years",
     "Portugal's wine makers picked their smallest harvest in twenty years after a dry spring and "
     "summer heat waves, the national vine institute said, and prices are expected to rise."),
    ("Iceland's volcano erupts again near the town of Grindavik",
     "A volcano on Iceland's Reykjanes peninsula erupted for the fourth time since December, "
     "sending lava towards the evacuated fishing town of Grindavik and the Blue Lagoon."),
    ("Czech railway orders fifty new trains for regional lines",
     "The Czech state railway ordered fifty electric trains for regional lines around Prague and "
     "Brno, to replace carriages built in the 1970s, with the first due in three years."),
]  # fmt: skip
FIRST_BATCH, SECOND_BATCH = ARTICLES[:4], ARTICLES[4:]


@dataclass
class Replica:
    number: int
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def ready(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False


def eventually(check: Callable[[], _T | None], timeout: float, what: str) -> _T:
    """`check()` until it returns something true, every 50 ms; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):  # None, False, an empty count: not yet
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.05)
    return result


def leader_pid(database_url: str) -> int | None:
    """The process id of the replica holding the alert lease, from `pg_locks`."""
    with psycopg.connect(database_url) as db:
        row = db.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE %s",
            (f"{APPLICATION_NAME} pid %",),
        ).fetchone()
    return int(row[0].split()[4]) if row else None


def pending_alerts(database_url: str) -> int:
    with psycopg.connect(database_url) as db:
        row = db.execute("SELECT count(*) FROM alerts WHERE status = 'pending'").fetchone()
    return int(row[0]) if row else 0


def start_adding(
    folder: Path, articles: list[tuple[str, str]], index_dir: Path
) -> subprocess.Popen[bytes]:
    """`python -m index add` in its own process: a new index version for every replica. The
    version may be served (and alerted) before that process has finished exiting."""
    for title, body in articles:  # a name of its own: the same name would update an article
        write_article(folder, f"article-{ARTICLES.index((title, body))}.md", title, body)
    return subprocess.Popen(
        [sys.executable, "-m", "index", "-q", "add", str(folder), "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=bot_env(),
    )  # fmt: skip


def finished(adding: subprocess.Popen[bytes]) -> None:
    _, errors = adding.communicate(timeout=300)
    assert adding.returncode == 0, errors.decode("utf-8", "replace")


def alert_counts(emulator: BotApiEmulator) -> Counter[tuple[int, str]]:
    """How often each article was announced in each reader's chat."""
    counts: Counter[tuple[int, str]] = Counter()
    for chat in READERS:
        for message in emulator.sent_messages(chat):
            for title, _ in ARTICLES:
                if title in message.get("text", ""):
                    counts[chat, title] += 1
    return counts


def ask(emulator: BotApiEmulator, balancer: RoundRobinBalancer) -> int:
    """A question from a new user, answered; the number of the replica it was posted to."""
    asker = next(ASKERS)
    emulator.user(asker, f"Asker {asker}")
    emulator.private_chat(asker)
    update = emulator.send_message(asker, asker, QUESTION)
    answer = emulator.wait_for_messages_sync(asker, 1, timeout=ANSWER_TIMEOUT)[0]
    assert "10-year bilateral agreements" in answer["text"]
    forward = eventually(
        lambda: next((f for f in balancer.forwards() if f.update_id == update["update_id"]), None),
        10,
        "the balancer recorded the question",
    )
    return forward.replica


def test_three_replicas_share_a_webhook_and_a_new_leader_alerts_after_the_leader_is_killed(
    emulator: BotApiEmulator,
    seed_index_dir: Path,
    isolated_environment: Path,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    index_dir = isolated_environment / "index"
    shutil.copytree(seed_index_dir, index_dir, symlinks=True)
    for reader in READERS[1:]:
        emulator.user(reader, f"Reader {reader}")
        emulator.private_chat(reader)
    ports = [free_port() for _ in range(REPLICAS)]
    with RoundRobinBalancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        settings = {
            "WEBHOOK_URL": balancer.url(HOOK_PATH),
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_SECRET_TOKEN": SECRET,
            "DATABASE_URL": postgres_url,
            "INDEX_DIR": str(index_dir),
            "ALERT_INTERVAL_SECONDS": str(ROUND_SECONDS),
            "ALERT_DIGEST_AFTER": "20",  # one message per article: a long round to kill
            "LOG_LEVEL": "INFO",
        }
        replicas = []
        for number, port in enumerate(ports):
            log = tmp_path / f"replica-{number}.log"
            with log.open("wb") as handle:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bot"],
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    env=telegram_env(emulator, WEBHOOK_PORT=str(port), **settings),
                )
            replicas.append(Replica(number, port, log, process))
        try:
            _run_the_scenario(emulator, balancer, replicas, postgres_url, index_dir, tmp_path)
        finally:
            for replica in replicas:
                if replica.process.poll() is None:
                    replica.process.send_signal(signal.SIGTERM)
            for replica in replicas:
                replica.process.wait(timeout=60)
    survivors = [r for r in replicas if r.process.returncode != -signal.SIGKILL]
    assert len(survivors) == REPLICAS - 1
    for replica in survivors:
        assert replica.process.returncode == 0, replica.output()
        assert "Traceback" not in replica.output(), replica.output()
    assert sum("released the alert lease" in r.output() for r in survivors) == 1, (
        "the leader at the end gave the lease up on its clean stop"
    )


def _run_the_scenario(
    emulator: BotApiEmulator,
    balancer: RoundRobinBalancer,
    replicas: list[Replica],
    database_url: str,
    index_dir: Path,
    tmp_path: Path,
) -> None:
    for replica in replicas:
        eventually(replica.ready, START_TIMEOUT, f"replica {replica.number} ready")
    pids = {r.process.pid: r for r in replicas}
    first_leader = pids[
        eventually(lambda: leader_pid(database_url), 60, "a replica takes the alert lease")
    ]
    eventually(lambda: "took the alert lease" in first_leader.output(), 10, "its log line")
    assert sum("took the alert lease" in r.output() for r in replicas) == 1, "one leader"

    subscribed_through = set()
    for reader in READERS:  # each through the next replica
        update = emulator.send_message(reader, reader, "/subscribe all")
        emulator.wait_for_messages_sync(reader, 1, timeout=ANSWER_TIMEOUT)
        subscribed_through |= {
            f.replica for f in balancer.forwards() if f.update_id == update["update_id"]
        }
    assert subscribed_through == {0, 1, 2}
    answered_before = {ask(emulator, balancer) for _ in range(REPLICAS)}
    assert answered_before == {0, 1, 2}, "every replica answers questions"

    # A round of 12 alerts (4 articles x 3 chats), each sendMessage answered late: the leader
    # is killed once the first alert is out, in the middle of posting the others.
    emulator.slow_answers("sendMessage", SEND_DELAY_SECONDS)
    adding = start_adding(tmp_path / "first", FIRST_BATCH, index_dir)
    eventually(lambda: alert_counts(emulator), 120, "the first alert is posted")
    assert leader_pid(database_url) == first_leader.process.pid, "the leader posted it"
    first_leader.process.kill()
    killed_at = time.monotonic()
    posted_by_the_leader = sum(alert_counts(emulator).values())
    first_leader.process.wait(timeout=30)
    emulator.slow_answers("sendMessage", 0)
    assert 0 < posted_by_the_leader < len(READERS) * len(FIRST_BATCH), "killed mid-round"

    survivors = [r for r in replicas if r is not first_leader]
    new_leader = pids[
        eventually(
            lambda: (pid := leader_pid(database_url)) in pids and pid,
            ROUND_SECONDS + LEASE_SECONDS,
            "another replica takes the lease within ALERT_INTERVAL_SECONDS + LEASE_SECONDS",
        )
    ]
    print(f"new leader after {time.monotonic() - killed_at:.1f} s")
    assert new_leader in survivors
    finished(adding)
    eventually(lambda: "took the alert lease" in new_leader.output(), 10, "its log line")
    answered_after = [ask(emulator, balancer) for _ in range(2)]

    finished(start_adding(tmp_path / "second", SECOND_BATCH, index_dir))  # after the kill
    wanted = {(chat, title) for chat in READERS for title, _ in ARTICLES}
    eventually(
        lambda: wanted <= set(alert_counts(emulator)) and pending_alerts(database_url) == 0,
        120,
        "every article announced in every chat, nothing left pending",
    )
    answered_after += [ask(emulator, balancer) for _ in range(2)]
    assert set(answered_after) == {r.number for r in survivors}, "both survivors answer"

    counts = alert_counts(emulator)
    assert set(counts) == wanted
    repeated = {key: n for key, n in counts.items() if n > 1}
    print(f"alerts posted twice (in flight at the kill): {repeated or 'none'}")
    assert sum(n - 1 for n in repeated.values()) <= 1, (
        f"at most the alert in flight at the kill is posted again: {repeated}"
    )
    for chat in READERS:  # nothing else was posted to the readers
        assert len(emulator.sent_messages(chat)) == 1 + sum(
            n for (c, _), n in counts.items() if c == chat
        )
