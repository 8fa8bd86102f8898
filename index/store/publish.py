"""The on-disk layout of an index folder and its atomic swap.

    INDEX_DIR/
      current -> versions/<build id>     symlink, replaced atomically on every write
      versions/<build id>/               immutable once published: manifest, FAISS, SQLite
      versions/.staging-<build id>/      a build in progress (removed if it died)
      .write.lock                        one writer at a time

A writer builds a complete version in a staging folder, renames it into place and only then
points `current` at it. A writer killed at any moment leaves `current` on the previous version,
and readers only ever open published, complete versions.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from index.errors import IndexBusyError

log = logging.getLogger(__name__)

STAGING_PREFIX = ".staging-"
KEEP_VERSIONS = 2  # the live one, and the one a running reader may still be on


class IndexLayout:
    """Paths and the swap protocol of one index folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current_link = root / "current"
        self.versions = root / "versions"

    def current_version(self) -> Path | None:
        """The published version folder `current` points at, or None before the first build."""
        try:
            target = os.readlink(self.current_link)
        except FileNotFoundError:
            return None
        except OSError:
            return None
        return (self.root / target).resolve()

    @staticmethod
    def new_build_id() -> str:
        """Sortable to the microsecond, so "the newest versions" is a sort by name."""
        return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]

    def new_staging(self) -> tuple[str, Path]:
        """A fresh, empty folder to build the next version in, and its build id."""
        build_id = self.new_build_id()
        staging = self.versions / f"{STAGING_PREFIX}{build_id}"
        staging.mkdir(parents=True)
        return build_id, staging

    def publish(self, build_id: str, staging: Path) -> Path:
        """Make a complete staging folder the live version: rename it, then swap the symlink."""
        for path in staging.rglob("*"):  # the word index is a folder of its own
            _fsync_file(path)
        final = self.versions / build_id
        os.rename(staging, final)
        _fsync_dir(self.versions)
        temporary_link = self.root / f".current-{build_id}"
        os.symlink(os.path.relpath(final, self.root), temporary_link)
        os.replace(temporary_link, self.current_link)
        _fsync_dir(self.root)
        return final

    def collect_garbage(self) -> None:
        """Remove dead staging folders and all but the newest published versions."""
        if not self.versions.is_dir():
            return
        current = self.current_version()
        published = sorted(
            (p for p in self.versions.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.name,
        )
        keep = {p.resolve() for p in published[-KEEP_VERSIONS:]}
        if current:
            keep.add(current)
        for path in self.versions.iterdir():
            if path.resolve() not in keep:
                shutil.rmtree(path, ignore_errors=True)
        for link in self.root.glob(".current-*"):
            link.unlink(missing_ok=True)

    @contextlib.contextmanager
    def write_lock(self, wait_seconds: float = 600.0) -> Iterator[None]:
        """Hold the folder's write lock; the OS drops it if the process dies."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".write.lock", "a+") as handle:
            deadline = time.monotonic() + wait_seconds
            announced = False
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusyError(
                            f"another process is still writing to {self.root}; try again later"
                        ) from None
                    if not announced:
                        log.warning("waiting for another process writing to %s", self.root)
                        announced = True
                    time.sleep(0.2)
            try:
                self._remove_dead_staging()  # holding the lock, no staging folder is alive
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _remove_dead_staging(self) -> None:
        if self.versions.is_dir():
            for path in self.versions.glob(f"{STAGING_PREFIX}*"):
                log.info("removing %s left by a write that did not finish", path.name)
                shutil.rmtree(path, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    if path.is_file():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
