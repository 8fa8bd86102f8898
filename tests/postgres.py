"""A throwaway PostgreSQL 15 cluster for the tests: initdb in a temporary folder, a free port on
127.0.0.1, no Unix socket, stopped and deleted at the end of the session.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
(or `nobody` where there is none) through `runuser`, in a folder that user owns. Without the
server binaries the tests that need it fail, saying how to install them: a SQLite stand-in
would prove nothing about PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg

PG_BIN = Path("/usr/lib/postgresql/15/bin")
INSTALL_HINT = (
    f"the PostgreSQL 15 server binaries are not in {PG_BIN} (initdb, pg_ctl): install them "
    "with `apt-get install postgresql` (.ci/run does it before the tests)"
)
SUPERUSER = "postgres"


class PostgresCluster:
    """One running server; `database()` makes an empty database for one test."""

    def __init__(self, *, durable: bool = False) -> None:
        """`durable`: fsync and synchronous commit on, as in production (benchmarks); the tests
        turn them off, since a throwaway cluster need not survive a power cut."""
        self.durable = durable
        if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
            raise RuntimeError(INSTALL_HINT)
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="newsbot-postgres-"))
        self.data = self.root / "data"
        if self.user is not None:
            record = pwd.getpwnam(self.user)
            os.chown(self.root, record.pw_uid, record.pw_gid)
        self._run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
             "-E", "UTF8", "--locale=C", "--no-sync"]
        )  # fmt: skip
        self.port = self._start()

    def pause(self) -> None:
        """Stop the server as an outage would (its data kept): clients get connection refused."""
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def resume(self) -> None:
        """Start the paused server again, on the same port."""
        if self._start(self.port) != self.port:
            raise RuntimeError(f"PostgreSQL came back on another port than {self.port}")

    def _start(self, port: int | None = None) -> int:
        for _attempt in range(5):  # a port found free may be taken before the server binds it
            port = port or _free_port()
            options = (
                f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                "-c max_connections=200"
            )
            if not self.durable:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            started = self._run(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                 "-w", "-t", "60", "-o", options, "start"],
                check=False,
            )  # fmt: skip
            if started.returncode == 0:
                return port
        log = (self.root / "server.log").read_text("utf-8", "replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")

    def _run(
        self, command: Sequence[str], *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=120, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")
        return done

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @contextlib.contextmanager
    def database(self) -> Iterator[str]:
        """An empty database of its own (from template0), dropped afterwards; its URL."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(statement.encode())

    def stop(self) -> None:
        self._run(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _server_user() -> str | None:
    """Who runs the server: ourselves, unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError(
        "running as root, and there is no `postgres` or `nobody` user to run PostgreSQL"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
