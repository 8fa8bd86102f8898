"""Fixtures of the feed tests: a local web server, and settings that may fetch from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index import IndexSettings
from tests.feed_server import FeedServer, running_server


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from running_server()


@pytest.fixture
def feed_settings(isolated_environment: Path) -> IndexSettings:
    """127.0.0.1 allowed (the server is local), short timeouts, a small body cap."""
    return IndexSettings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=isolated_environment,
        feeds_allow_private=True,
        feeds_timeout_seconds=2.0,
        feeds_max_bytes=200_000,
    )
