"""What every bot process does before serving: make sure there is an index, and open it."""

from __future__ import annotations

import logging

from bot.settings import BotSettings
from index import IndexWriter, NewsIndex, index_exists, load_embedder

log = logging.getLogger(__name__)


def open_index(settings: BotSettings) -> NewsIndex:
    """The index, built from the sample articles first if there is none; the model loaded once.

    Blocking (model loading takes seconds): call it from a worker thread in async code.
    """
    embedder = load_embedder(settings)
    if not index_exists(settings):
        log.info(
            "no index in %s yet: building it from %s",
            settings.resolved_index_dir,
            settings.seeds_dir,
        )
        IndexWriter(settings, embedder).rebuild([settings.seeds_dir])
    index = NewsIndex(settings, embedder)
    index.snapshot()  # load it now rather than on the first question
    embedder.warm_up()  # likewise the model, which a cached build may not have needed
    return index
