"""The version a reader serves, followed as writers publish new ones.

Loading a version can take seconds: Milvus collections are loaded and their rows counted, a
FAISS version's files are checked against their checksums. Whoever asks first after a write
should not pay for it, so a new version loads in a background thread while the previous one
keeps answering.
"""

from __future__ import annotations

import logging
import threading
import time

from index.errors import IndexMissingError, NewsIndexError
from index.monitoring import (
    INDEX_ARTICLES,
    INDEX_LOAD_SECONDS,
    INDEX_LOADS,
    INDEX_PASSAGES,
    INDEX_VERSION,
)
from index.store.factory import VersionSource
from index.store.version import IndexVersion

log = logging.getLogger(__name__)


class _Load:
    """One version being loaded in the background; `version` is what callers waiting for it
    get: the new version, or the previous one if it failed or was overtaken."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.done = threading.Event()
        self.version: IndexVersion | None = None


class LiveVersion:
    """The version `source` names, loaded once per publish; safe to call from many threads.

    The first version loads in the asking thread, because nothing else can answer yet. After
    that, `serving()` starts loading a newly published version in the background and waits
    for it `wait_seconds` at most (INDEX_RELOAD_WAIT_SECONDS) before answering from the
    previous one; `latest()` waits until it is loaded. A version that fails to load is logged
    once, and the previous one keeps serving.
    """

    def __init__(self, source: VersionSource, wait_seconds: float) -> None:
        self._source = source
        self._wait_seconds = wait_seconds
        self._version: IndexVersion | None = None
        self._name: str | None = None  # what the source called the loaded version
        self._failed: str | None = None
        self._lock = threading.Lock()  # guards the fields above and `_loading`
        self._first_lock = threading.Lock()
        self._one_load_at_a_time = threading.Lock()
        self._loading: _Load | None = None

    def serving(self) -> IndexVersion:
        """The version to answer from now: the newly published one if it loads in time."""
        return self._get(self._wait_seconds)

    def latest(self) -> IndexVersion:
        """The version published last, waiting for it to load (for work that must see what
        was just written, such as an alert round after indexing its inbox)."""
        return self._get(None)

    def _get(self, wait_seconds: float | None) -> IndexVersion:
        name = self._source.current()
        with self._lock:
            version = self._version
            if version is not None and name in (None, self._name, self._failed):
                return version
        if version is None:
            return self._first(name, wait_seconds)
        assert name is not None
        load = self._load_in_background(name)
        load.done.wait(wait_seconds)
        with self._lock:
            found = load.version if load.done.is_set() else self._version
        assert found is not None
        return found

    def _first(self, name: str | None, wait_seconds: float | None) -> IndexVersion:
        with self._first_lock:
            if self._version is not None:  # another caller loaded it meanwhile
                return self._get(wait_seconds)
            if name is None:
                raise IndexMissingError(
                    f"no index in {self._source.describe()} yet: build one with "
                    "`python -m index rebuild`"
                )
            loaded = self._timed_load(name)  # its error is the caller's: nothing can answer
            with self._lock:
                self._version, self._name = loaded, name
            _describe(loaded)
            return loaded

    def _load_in_background(self, name: str) -> _Load:
        with self._lock:
            if self._loading is not None and self._loading.name == name:
                return self._loading
            load = self._loading = _Load(name)
        threading.Thread(target=self._load, args=(load,), name="index-reload", daemon=True).start()
        return load

    def _load(self, load: _Load) -> None:
        try:
            with self._one_load_at_a_time:
                with self._lock:
                    overtaken = self._loading is not load
                if not overtaken:
                    self._swap_in(load.name)
        finally:
            with self._lock:
                load.version = self._version
            load.done.set()

    def _swap_in(self, name: str) -> None:
        try:
            loaded = self._timed_load(name)
        except (NewsIndexError, OSError) as exc:
            self._keep(name, str(exc))
            return
        except Exception:  # a bug in loading must not stop the version that serves
            log.exception("loading index version %s failed", name)
            self._keep(name, "see the error above")
            return
        with self._lock:
            self._version, self._name, self._failed = loaded, name, None
        _describe(loaded)
        log.info("switched to index version %s", loaded.name)

    def _timed_load(self, name: str) -> IndexVersion:
        """`source.load`, timed and counted for the metrics."""
        started = time.perf_counter()
        try:
            loaded = self._source.load(name)
        except BaseException:
            INDEX_LOADS.labels(outcome="failed").inc()
            raise
        INDEX_LOAD_SECONDS.observe(time.perf_counter() - started)
        INDEX_LOADS.labels(outcome="loaded").inc()
        return loaded

    def _keep(self, name: str, reason: str) -> None:
        with self._lock:
            assert self._version is not None
            if name != self._failed:
                log.error(
                    "keeping index version %s: the new one failed to load: %s",
                    self._version.name,
                    reason,
                )
            self._failed = name


def _describe(version: IndexVersion) -> None:
    """The metrics that say which version is served, and how much it holds."""
    manifest = version.manifest
    INDEX_VERSION.info(
        {
            "version": version.name,
            "build_id": manifest.build_id,
            "model": manifest.model,
            "store": manifest.store,
            "format": str(manifest.format_version),
        }
    )
    INDEX_ARTICLES.set(manifest.articles)
    INDEX_PASSAGES.set(manifest.passages)
