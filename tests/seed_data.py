"""The sample index and the embedding cache its build fills, made once and copied into tests.

A subprocess that rebuilds the seeds with every vector cached embeds nothing and never imports
torch (two seconds instead of a dozen); one that starts from a copied index skips the rebuild.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

CACHE_FILE = Path("cache") / "embeddings.sqlite"


def copy_embedding_cache(source_data_dir: Path, data_dir: Path) -> Path:
    """The embedding cache of `source_data_dir` copied to where `data_dir`'s writers look for
    theirs (SQLite's backup, so whatever its write-ahead log holds comes along)."""
    target = data_dir / CACHE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_data_dir / CACHE_FILE)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


def copy_faiss_index(source_data_dir: Path, data_dir: Path) -> Path:
    """The FAISS index of `source_data_dir` copied as `data_dir`'s own (its `current` link is
    relative, so the copy is complete and independent)."""
    return Path(shutil.copytree(source_data_dir / "index", data_dir / "index", symlinks=True))
