"""A FAISS file written with its SHA-256 taken from the bytes as they go out
(`index.store.faiss.hashed_save`): the same file as FAISS writes, the digest of that file."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.disk import full_disk_reported
from index.errors import DiskFullError
from index.store.faiss import hashed_save
from index.store.faiss.hashed_save import save_faiss_hashed
from index.store.faiss.vectors import VECTORS_NAME, load_faiss
from tests.conftest import fill_disk


def _index(kind: str) -> faiss.Index:
    vectors = np.random.default_rng(7).standard_normal((3000, 32)).astype(np.float32)
    index = faiss.index_factory(32, kind, faiss.METRIC_INNER_PRODUCT)
    index.add(vectors)
    return index


@pytest.mark.parametrize("kind", ["Flat", "HNSW32,Flat"])
@pytest.mark.parametrize("chunks_in_flight", [1, hashed_save.CHUNKS_IN_FLIGHT])
def test_the_file_is_faiss_own_and_the_digest_is_its_sha256(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, chunks_in_flight: int
) -> None:
    monkeypatch.setattr(hashed_save, "CHUNK_BYTES", 4096)  # many chunks, big and gathered
    monkeypatch.setattr(hashed_save, "CHUNKS_IN_FLIGHT", chunks_in_flight)
    index = _index(kind)
    (tmp_path / "plain").mkdir()
    faiss.write_index(index, str(tmp_path / "plain" / VECTORS_NAME))
    with ThreadPoolExecutor(1) as hashing:
        digest = save_faiss_hashed(index, tmp_path, hashing).result(timeout=60)
    written = (tmp_path / VECTORS_NAME).read_bytes()
    assert written == (tmp_path / "plain" / VECTORS_NAME).read_bytes()
    assert digest == hashlib.sha256(written).hexdigest()
    assert load_faiss(tmp_path).ntotal == index.ntotal


def test_a_full_disk_while_writing_is_the_disk_full_error(small_disk: Path) -> None:
    """The writer's own file writes fail inside FAISS's callback: the error still names a full
    disk (`index.disk.full_disk_reported`), and nothing waits on the hashing forever."""
    fill_disk(small_disk)
    with (
        ThreadPoolExecutor(1) as hashing,
        pytest.raises(DiskFullError),
        full_disk_reported(small_disk),
    ):
        save_faiss_hashed(_index("HNSW32,Flat"), small_disk, hashing)
