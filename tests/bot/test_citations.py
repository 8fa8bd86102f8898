"""How a passage is cited: its date and its relevance label."""

from __future__ import annotations

import pytest

from bot.citations import format_date, relevance
from tests.bot.rendering_helpers import make_hit


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        ("2024-02-26", "26 Feb 2024"),
        ("2024-02-06T23:30:00+05:00", "6 Feb 2024"),
        ("2024-02-26T10:00:00Z", "26 Feb 2024"),
        ("  ", None),
        (None, None),
        ("sometime in late February of the year 2024", "sometime in late…"),
    ],
)
def test_format_date(published: str | None, shown: str | None) -> None:
    assert format_date(published) == shown


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.62, "strong match · 0.62"), (0.60, "strong match · 0.60"), (0.59, "good match · 0.59"),
     (0.45, "good match · 0.45"), (0.44, "partial match · 0.44"), (0.30, "partial match · 0.30"),
     (0.29, "weak match · 0.29")],
)  # fmt: skip
def test_relevance_labels_of_citations_kept_before_bands_were_measured(
    score: float, label: str
) -> None:
    assert relevance(make_hit(score=score)) == label


@pytest.mark.parametrize(
    ("band", "label"),
    [("strong", "strong match · 0.32"), ("good", "good match · 0.32"),
     ("partial", "partial match · 0.32"), ("weak", "weak match · 0.32")],
)  # fmt: skip
def test_relevance_labels_say_the_band_search_measured(band: str, label: str) -> None:
    assert relevance(make_hit(score=0.32, relevance=band)) == label
