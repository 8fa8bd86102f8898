"""Fixtures of the answer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.alerts.subscriptions import SubscriptionStore


@pytest.fixture
def replicas(database: Path | str) -> Iterator[tuple[SubscriptionStore, SubscriptionStore]]:
    """Two stores on one database, as two bot processes would open it."""
    first, second = SubscriptionStore(database), SubscriptionStore(database)
    yield first, second
    first.close()
    second.close()
