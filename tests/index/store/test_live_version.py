"""A newly published version loads in the background while the previous one answers
(`index.store.live_version`), on both stores.

The versions are real (written by `IndexWriter`, loaded by the store's own `VersionSource`);
`GatedSource` only holds a load back until the test opens its gate, which is how a test gets a
version that takes long to load (a large Milvus one takes seconds) without a large index.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.store.factory import VersionSource, version_source
from index.store.live_version import LiveVersion
from index.store.publish import IndexLayout
from index.store.version import IndexVersion
from tests.conftest import SEEDS, write_article
from tests.stores import both_stores

VOLCANO = (
    "A volcano on the Reykjanes peninsula in Iceland erupted again on Saturday night. Lava "
    "flowed towards the evacuated town of Grindavik, and the Blue Lagoon spa was closed."
)
LONG_ENOUGH = 30.0
"""Seconds a test waits for what must happen at once; only a broken program waits this long."""


class GatedSource:
    """The store's own version source; each load waits until `gate` is open."""

    def __init__(self, source: VersionSource) -> None:
        self._source = source
        self.gate = threading.Event()
        self.gate.set()
        self.loads: list[str] = []

    def current(self) -> str | None:
        return self._source.current()

    def load(self, name: str) -> IndexVersion:
        self.loads.append(name)
        assert self.gate.wait(LONG_ENOUGH), "the test never opened the gate"
        return self._source.load(name)

    def describe(self) -> str:
        return self._source.describe()


def _volcano(tmp_path: Path) -> Path:
    return write_article(tmp_path / "in", "volcano.md", "Iceland volcano erupts again", VOLCANO)


@both_stores
def test_a_new_version_loads_in_the_background_while_the_previous_answers(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    source = GatedSource(version_source(settings))
    live = LiveVersion(source, wait_seconds=0)
    first = live.serving()
    assert first.counts()[0] == 1 and source.loads == [source.current()]

    source.gate.clear()  # the next version is slow to load
    writer.add([_volcano(tmp_path)])
    published = source.current()
    assert published is not None and published != source.loads[0]
    answered: list[IndexVersion] = []
    askers = [threading.Thread(target=lambda: answered.append(live.serving())) for _ in range(8)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(LONG_ENOUGH)
    assert len(answered) == 8 and all(v is first for v in answered), "the previous one answers"
    assert source.loads == [source.loads[0], published], "loaded once, however many ask"

    source.gate.set()
    newest = live.latest()
    assert newest is not first and newest.counts()[0] == 2
    assert live.serving() is newest and source.loads.count(published) == 1


def test_latest_waits_for_the_new_version_and_serving_waits_at_most_its_limit(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    source = GatedSource(version_source(settings))
    live = LiveVersion(source, wait_seconds=0.2)
    first = live.serving()
    source.gate.clear()
    writer.add([_volcano(tmp_path)])

    assert live.serving() is first, "after its 0.2 s, a question is answered from the previous"
    waited: list[IndexVersion] = []
    waiting = threading.Thread(target=lambda: waited.append(live.latest()))
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and not waited, "latest() returns only once the new one loaded"
    source.gate.set()
    waiting.join(LONG_ENOUGH)
    assert len(waited) == 1 and waited[0].counts()[0] == 2
    assert live.serving() is waited[0]


def test_a_new_version_that_fails_to_load_is_logged_once_and_the_previous_keeps_serving(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    source = GatedSource(version_source(settings))
    live = LiveVersion(source, wait_seconds=0)
    first = live.serving()
    writer.add([_volcano(tmp_path)])
    folder = IndexLayout(settings.resolved_index_dir).current_version()
    assert folder is not None
    (folder / "manifest.json").write_text("{not json", "utf-8")  # damaged after its write

    with caplog.at_level(logging.ERROR, logger="index.store.live_version"):
        assert live.latest() is first
        assert live.serving() is first and live.latest() is first
    assert source.loads.count(str(folder)) == 1, "not loaded again at every question"
    (failure,) = [r for r in caplog.records if "failed to load" in r.getMessage()]
    assert "cannot be read" in failure.getMessage()


def test_the_alert_scan_sees_an_article_written_a_moment_before_whatever_the_wait(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """New articles are listed from the version published last, not the one serving."""
    writer = IndexWriter(settings, embedder)
    writer.rebuild([SEEDS])
    index = NewsIndex(settings.model_copy(update={"index_reload_wait_seconds": 0}), embedder)
    (seed,) = index.articles_indexed_since("")
    (volcano,) = writer.add([_volcano(tmp_path)]).added
    assert [a.id for a in index.articles_indexed_since(seed.first_indexed_at)] == [volcano]
