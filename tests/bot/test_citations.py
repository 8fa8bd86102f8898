"""How a passage is cited: its date and its relevance label; when a story ran."""

from __future__ import annotations

import pytest

from bot.citations import date_span, format_date, relevance
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
    ("first", "last", "shown"),
    [
        ("2026-12-01T08:00:00+00:00", "2026-12-01T14:00:00+00:00", "1 Dec 2026"),
        ("2026-12-01T08:00:00+00:00", "2026-12-03T09:00:00+00:00", "1–3 Dec 2026"),
        ("2026-11-30", "2026-12-02", "30 Nov – 2 Dec 2026"),
        ("2025-12-31T23:00:00+00:00", "2026-01-02T01:00:00+00:00", "31 Dec 2025 – 2 Jan 2026"),
        ("2026-12-03", "2026-12-01", "1–3 Dec 2026"),
        ("2026-12-01", None, "1 Dec 2026"),
        ("late November", "2026-12-02", "late November – 2 Dec 2026"),
        (None, None, ""),
    ],
)
def test_date_span(first: str | None, last: str | None, shown: str) -> None:
    assert date_span(first, last) == shown


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.62, "strong match"), (0.60, "strong match"), (0.59, "good match"),
     (0.45, "good match"), (0.44, "partial match"), (0.30, "partial match"),
     (0.29, "weak match")],
)  # fmt: skip
def test_relevance_labels_of_citations_kept_before_bands_were_measured(
    score: float, label: str
) -> None:
    assert relevance(make_hit(score=score)) == label


@pytest.mark.parametrize(
    ("band", "label"),
    [("strong", "strong match"), ("good", "good match"),
     ("partial", "partial match"), ("weak", "weak match")],
)  # fmt: skip
def test_relevance_labels_say_the_band_search_measured(band: str, label: str) -> None:
    assert relevance(make_hit(score=0.32, relevance=band)) == label


def test_the_raw_score_is_not_shown_to_readers() -> None:
    assert "0.32" not in relevance(make_hit(score=0.32, relevance="good", confidence=0.47))
    assert "0.47" not in relevance(make_hit(score=0.32, relevance="good", confidence=0.47))
