"""A FAISS file written with its SHA-256 taken as its bytes go out, on another thread.

An append writes the whole vector file anew (gigabytes at a million passages) and records its
SHA-256 in the manifest. Read back once written, the file cost the append another pass over it
after everything else was done (`benchmarks/results/index_growth.md`); hashed from the bytes
FAISS hands its writer, the digest is ready when the last chunk is written. hashlib lets go of
the GIL, so the hashing runs beside the serializing on the second core.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import faiss

from index.store.faiss.vectors import VECTORS_NAME

CHUNK_BYTES = 1 << 20
"""Small writes (FAISS writes headers a few bytes at a time) are gathered up to this size."""
CHUNKS_IN_FLIGHT = 32
"""Chunks written but not hashed yet, at most: the memory hashing may hold behind the writer."""


def save_faiss_hashed(index: faiss.Index, folder: Path, hashing: ThreadPoolExecutor) -> Future[str]:
    """`save_faiss`, its SHA-256 (hex) taken on `hashing`, which must run one task at a time (its
    tasks run in order): the digest, once the last chunk is hashed."""
    digest = hashlib.sha256()
    in_flight = threading.BoundedSemaphore(CHUNKS_IN_FLIGHT)
    gathered = bytearray()

    def hash_chunk(chunk: bytes) -> None:
        try:
            digest.update(chunk)
        finally:
            in_flight.release()

    def send(chunk: bytes) -> None:
        in_flight.acquire()
        hashing.submit(hash_chunk, chunk)

    with open(folder / VECTORS_NAME, "wb") as handle:

        def write(chunk: bytes) -> int:
            handle.write(chunk)
            if len(chunk) >= CHUNK_BYTES:
                if gathered:
                    send(bytes(gathered))
                    gathered.clear()
                send(chunk)
            else:
                gathered.extend(chunk)
                if len(gathered) >= CHUNK_BYTES:
                    send(bytes(gathered))
                    gathered.clear()
            return len(chunk)

        writer = faiss.PyCallbackIOWriter(write)  # type: ignore[attr-defined]
        try:
            faiss.write_index(index, writer)
        finally:
            del writer
        if gathered:
            send(bytes(gathered))
    return hashing.submit(digest.hexdigest)
