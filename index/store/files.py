"""Files shared between versions: a version folder never changes once published, so the next one
may hard-link a file it keeps unchanged rather than copy it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_or_copy(source: Path, target: Path) -> None:
    """Share an unchanged file with the previous version (a copy where links cannot be made)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
