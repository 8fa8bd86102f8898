"""Tell a write that failed because the disk is full from any other failure, and say where.

Full disks surface in many shapes: `OSError` with ENOSPC or EDQUOT, SQLite's "database or disk
is full", numpy's "1620 requested and 1008 written" (no errno), FAISS's RuntimeError from a
short `fwrite`. Where the error itself is not clear, the free space of the folders written to
decides.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from index.errors import DiskFullError

NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
NEARLY_FULL_BYTES = 64 << 10
"""Less free space than this after a failed write: the write failed for want of space."""


@contextlib.contextmanager
def full_disk_reported(*folders: Path) -> Iterator[None]:
    """Re-raise a write failure caused by a full disk as `DiskFullError`, naming the folder."""
    try:
        yield
    except (OSError, RuntimeError, sqlite3.OperationalError) as exc:
        where = full_folder(exc, folders)
        if where is None:
            raise
        raise DiskFullError(
            f"the disk is full: cannot write to {where} ({_free_bytes(where):,} bytes free); "
            "free some space and try again (what was indexed before is unchanged)"
        ) from exc


def full_folder(exc: BaseException, folders: tuple[Path, ...]) -> Path | None:
    """The folder among `folders` whose disk is full, if that is why `exc` was raised."""
    said_so = (isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS) or (
        isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)
    )
    nearly_full = [f for f in folders if _free_bytes(f) < NEARLY_FULL_BYTES]
    if nearly_full:
        return nearly_full[0]
    if said_so:
        return folders[0] if folders else Path(".")
    return None


def _free_bytes(folder: Path) -> int:
    """Free space on the folder's file system (its nearest existing parent's)."""
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            if candidate.exists():
                return shutil.disk_usage(candidate).free
    return 1 << 62
