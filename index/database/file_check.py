"""Opening the product's SQLite database so that damage is noticed at start, not by the rounds.

The bot's tables and the feeds' share one file (`SUBSCRIPTIONS_DB`), and every entry point that
opens it (the bot, `python -m bot …`, `python -m index feeds …`) goes through `check_file`:

SQLite happily opens a file whose pages were overwritten (every later query then fails with
"database disk image is malformed") and treats an existing 0-byte file as a new, empty
database (every subscription silently gone). So, at start:

- a missing file is created new: its schema is written to a temporary file that is then linked
  into place, so a crash never leaves an empty file of ours behind; it is readable by its owner
  only (0600, as `mkstemp` makes it), since a feed URL in it may carry credentials;
- an existing 0-byte file is refused: it is what a truncated database looks like;
- an existing file must pass `PRAGMA quick_check`;
- before a schema migration a copy is kept beside it as `<db>.bak-v<old version>`.

A refusal names the newest such backup, if there is one, and says how to start empty instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from index.errors import DatabaseError

BACKUP_SUFFIX = ".bak-v"
_BACKUP_VERSION = re.compile(r"\.bak-v(\d+)$")


def check_file(
    path: Path, create: Callable[[Path], None], error: type[DatabaseError] = DatabaseError
) -> bool:
    """Refuse (`error`) a damaged or emptied database; a missing one is made by `create` (given
    a new file's path) and linked into place. Whether the database existed before."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create(path, create)
        return False
    if path.stat().st_size == 0:
        raise error(
            f"the subscriptions database {path} is an empty file (0 bytes): SQLite would take it "
            f"for a new database and every subscription would be lost. {_fix(path)}"
        )
    db = sqlite3.connect(path, timeout=30)
    try:
        problems = [" ".join(str(row[0]).split()) for row in db.execute("PRAGMA quick_check(2)")]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    finally:
        db.close()
    if problems != ["ok"]:
        raise error(
            f"the subscriptions database {path} is damaged ({'; '.join(problems)}). " + _fix(path)
        )
    return True


def keep_backup(path: Path, version: int) -> Path:
    """Copy the database (SQLite's online backup) to `<db>.bak-v<version>` before migrating it."""
    target = backup_path(path, version)
    handle, temporary = tempfile.mkstemp(prefix=target.name + ".", dir=path.parent)
    os.close(handle)
    try:
        db, copy = sqlite3.connect(path, timeout=30), sqlite3.connect(temporary)
        try:
            db.backup(copy)
        finally:
            copy.close()
            db.close()
        os.replace(temporary, target)  # never a half-written backup under the backup's name
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}{BACKUP_SUFFIX}{version}")


def newest_backup(path: Path) -> Path | None:
    """The backup of the highest schema version kept beside the database, if any."""
    found = []
    for candidate in path.parent.glob(f"{path.name}{BACKUP_SUFFIX}*"):
        match = _BACKUP_VERSION.search(candidate.name)
        if match and candidate.stat().st_size > 0:
            found.append((int(match.group(1)), candidate))
    return max(found)[1] if found else None


def _fix(path: Path) -> str:
    """How to go on: restore the newest backup, or start with no subscriptions.

    The -wal and -shm files go too: SQLite would replay an old write-ahead log into whatever
    database is put at that path.
    """
    beside = f"{path.name}-wal and {path.name}-shm"
    start_empty = f"move it away (with any {beside} beside it) to start with no subscriptions"
    backup = newest_backup(path)
    if backup is None:
        return f"No backup of it was kept: {start_empty}."
    return (
        f"Stop the bot, delete any {beside} beside it and copy the backup {backup} over it; "
        f"or {start_empty}."
    )


def _create(path: Path, create: Callable[[Path], None]) -> None:
    """Write a new database beside `path`, then link it into place unless another process did."""
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".new", dir=path.parent)
    os.close(handle)
    try:
        create(Path(temporary))
        # Created at the same moment by another process (the bot and the CLI)? Use theirs.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        for leftover in (temporary, temporary + "-wal", temporary + "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
