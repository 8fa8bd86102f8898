"""Milvus Lite's own server on a free local port: the way several processes (a bot, the command
line) share one Lite folder, for tests that run more than one."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from index import IndexSettings


@contextlib.contextmanager
def running_milvus_lite(folder: Path) -> Iterator[str]:
    """The server of a Lite data folder under `folder`, its URI while it runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = folder / "milvus-lite-server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "milvus_lite", "server", "--data-dir",
             str(folder / "lite.db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=log,
        )  # fmt: skip
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log_path.read_text(errors="replace")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "Milvus Lite's server did not start"
            time.sleep(0.1)
        yield uri
    finally:
        from index.store.milvus.collections import disconnect

        disconnect(IndexSettings(_env_file=None, milvus_uri=uri))  # type: ignore[call-arg]
        server.terminate()
        server.wait(timeout=30)
