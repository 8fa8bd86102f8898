"""What every bot process does before serving: make sure there is an index, and open it."""

from __future__ import annotations

import logging

from bot.settings import BotSettings
from index import IndexWriter, NewsIndex, index_exists, load_embedder

log = logging.getLogger(__name__)


def open_index(settings: BotSettings) -> NewsIndex:
    """The index, built from the sample articles first if there is none; the question encoder
    loaded once (QUESTION_BACKEND: by default ONNX, so only a build loads torch).

    Blocking (model loading takes seconds): call it from a worker thread in async code.
    """
    if not index_exists(settings):
        log.info(
            "no index in %s yet: building it from %s",
            settings.resolved_index_dir,
            settings.seeds_dir,
        )
        IndexWriter(settings, load_embedder(settings)).rebuild([settings.seeds_dir])
    index = NewsIndex(settings)
    index.embedder.warm_up()  # load it now rather than on the first question
    index.checked(index.snapshot())  # likewise the version, and it must match the encoder
    return index
