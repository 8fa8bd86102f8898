"""The inbox folder: article files dropped there are indexed by the running bot, then filed away.

Indexed files move to `done/`, unreadable ones to `failed/` (the log says why), so nothing is
indexed twice and nothing is lost. A file still being written (changed in the last few
seconds) waits for the next round; writing to a temporary name and renaming it in is safest.
An article without an id or url is named after its file and its bytes (`story-1a2b3c4d`), so
two different `story.txt` dropped at different times are two articles, and the same file
dropped twice is one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from index import (
    IndexSettings,
    IndexWriter,
    NoArticlesError,
    WriteReport,
    load_embedder,
    path_origin,
)

log = logging.getLogger(__name__)

DONE = "done"
FAILED = "failed"
SETTLE_SECONDS = 2.0


def waiting_files(inbox: Path, *, now: float | None = None) -> list[Path]:
    """Files ready to index: at the top of the inbox, not hidden, not changed just now."""
    if not inbox.is_dir():
        return []
    now = time.time() if now is None else now
    ready = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            if now - path.stat().st_mtime >= SETTLE_SECONDS:
                ready.append(path)
        except OSError:  # removed meanwhile
            continue
    return ready


def index_inbox(settings: IndexSettings, inbox: Path) -> WriteReport | None:
    """Add what waits in the inbox to the index; None when nothing waited. Blocking.

    The build model (EMBEDDING_BACKEND, with torch) is loaded only when something waits."""
    files = waiting_files(inbox)
    if not files:
        return None
    try:
        # By content: every file dropped here is a new one, whatever its name.
        report = IndexWriter(settings, load_embedder(settings)).add(files, named_ids="content")
    except NoArticlesError:
        log.warning("inbox: no readable article in %s", ", ".join(p.name for p in files))
        _file_away(inbox, files, failed=set(files))
        return None
    for skipped in report.skipped:
        log.warning("inbox: not indexed: %s", skipped)
    origins = {s.origin for s in report.skipped}
    _file_away(inbox, files, failed={p for p in files if path_origin(p) in origins})
    log.info(
        "inbox: %d file(s): %d article(s) added, %d updated",
        len(files), len(report.added), len(report.updated),
    )  # fmt: skip
    return report


def _file_away(inbox: Path, files: Sequence[Path], *, failed: set[Path]) -> None:
    """Move indexed files to done/ and unreadable ones to failed/, never overwriting one."""
    for path in files:
        folder = inbox / (FAILED if path in failed else DONE)
        folder.mkdir(exist_ok=True)
        destination = folder / path.name
        if destination.exists():
            destination = folder / f"{path.stem}.{time.time_ns()}{path.suffix}"
        try:
            path.rename(destination)
        except OSError as exc:
            log.error("inbox: cannot move %s to %s: %s", path, folder, exc)
