"""Reading a `/metrics` page as Prometheus does, for the tests of the metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(page: str) -> Samples:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for one not scraped (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(url: str) -> Samples:
    """GET `url` over HTTP, as Prometheus scrapes it."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url, timeout=30)
    response.raise_for_status()
    assert response.headers["content-type"].startswith("text/plain"), response.headers
    return parse(response.text)


async def scrape_until(
    url: str, settled: Callable[[Samples], bool], timeout: float = 30, what: str = "the metrics"
) -> Samples:
    """Scrapes `url` until `settled` holds: a handler counts a moment after its effect shows."""
    deadline = time.monotonic() + timeout
    while True:
        samples = await scrape(url)
        if settled(samples):
            return samples
        assert time.monotonic() < deadline, f"{what} never settled"
        await asyncio.sleep(0.1)
