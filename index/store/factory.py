"""Where the live version is and how to load it, for each VECTOR_STORE.

A reader asks `current()` on every call (one readlink, or one description of the Milvus
alias, which gives its collection and manifest together) and loads a version only when the
answer changes; a writer publishes through the same store. With Milvus the answer names the
collection and its revision, so an in-place write is picked up like a new version.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from index.embedding.model import configured_backend
from index.settings import IndexSettings
from index.store.faiss.version import Snapshot
from index.store.publish import IndexLayout
from index.store.version import IndexVersion


class VersionSource(Protocol):
    def current(self) -> str | None:
        """The live version's name (a folder path, a collection), None before the first."""
        ...

    def load(self, name: str) -> IndexVersion: ...

    def describe(self) -> str:
        """Where versions are looked for, for the "no index yet" message."""
        ...


class FaissSource:
    def __init__(self, settings: IndexSettings) -> None:
        self._settings = settings
        self._layout = IndexLayout(settings.resolved_index_dir)

    def current(self) -> str | None:
        folder = self._layout.current_version()
        return None if folder is None or not os.path.isdir(folder) else str(folder)

    def load(self, name: str) -> IndexVersion:
        settings = self._settings
        return Snapshot(
            Path(name),
            settings.embedding_model,
            configured_backend(settings),
            ef_search=settings.faiss_hnsw_ef_search,
        )

    def describe(self) -> str:
        return str(self._layout.root)


class MilvusSource:
    def __init__(self, settings: IndexSettings) -> None:
        from index.store.milvus.collections import (
            MilvusStore,  # pymilvus is imported only when used
        )

        self._settings = settings
        self._store = MilvusStore(settings)

    def current(self) -> str | None:
        return self._store.live_name()

    def load(self, name: str) -> IndexVersion:
        from index.store.milvus.collections import collection_of
        from index.store.milvus.version import MilvusVersion

        settings = self._settings
        return MilvusVersion(
            self._store,
            collection_of(name),
            settings.embedding_model,
            configured_backend(settings),
            ef_search=settings.faiss_hnsw_ef_search,
        )

    def describe(self) -> str:
        return f"{self._store.uri} (Milvus alias {self._store.alias})"


def version_source(settings: IndexSettings) -> VersionSource:
    if settings.vector_store == "milvus":
        return MilvusSource(settings)
    return FaissSource(settings)
