"""Relevance bands (`index.search.relevance`): a model's measured floors, and the fixed cuts for a
model without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import Embedder, IndexWriter, NewsIndex
from index.search.confidence import band
from index.search.relevance import (
    BAND_RATES,
    FIXED_SCALE,
    SCALES_PATH,
    WEAK,
    RelevanceScale,
    relevance_scale,
)
from index.settings import IndexSettings
from tests.conftest import SEEDS

BANDS = [*BAND_RATES, WEAK]


def test_the_default_model_has_a_measured_scale() -> None:
    model = IndexSettings(_env_file=None).embedding_model  # type: ignore[call-arg]
    scale = relevance_scale(model)
    assert scale.measured and scale.model == model
    assert json.loads(SCALES_PATH.read_text("utf-8"))["models"][model]["measured"]


def test_a_model_without_a_scale_keeps_the_fixed_cuts() -> None:
    assert relevance_scale("some/other-model") is FIXED_SCALE
    assert [FIXED_SCALE.band(s) for s in (0.6, 0.59, 0.45, 0.3, 0.29)] == [
        "strong", "good", "good", "partial", "weak",
    ]  # fmt: skip


@given(st.lists(st.floats(-1, 1), min_size=3, max_size=3), st.floats(-1, 1), st.floats(-1, 1))
def test_a_higher_score_is_never_in_a_lower_band(
    floors: list[float], low: float, high: float
) -> None:
    strong, good, partial = sorted(floors, reverse=True)
    scale = RelevanceScale("m", (("strong", strong), ("good", good), ("partial", partial)))
    low, high = sorted((low, high))
    assert BANDS.index(scale.band(high)) <= BANDS.index(scale.band(low))


def test_floors_that_do_not_fall_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "scales.json"
    floors = {"strong": 0.3, "good": 0.5, "partial": 0.1}
    path.write_text(json.dumps({"models": {"m": {"floors": floors, "measured": "x"}}}), "utf-8")
    with pytest.raises(ValueError, match="do not fall"):
        relevance_scale("m", path)


def test_an_unreached_band_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "scales.json"
    floors = {"strong": None, "good": 0.5, "partial": 0.25}
    path.write_text(json.dumps({"models": {"m": {"floors": floors, "measured": "x"}}}), "utf-8")
    scale = relevance_scale("m", path)
    assert [scale.band(s) for s in (0.99, 0.5, 0.3, 0.2)] == ["good", "good", "partial", "weak"]


def test_search_and_alert_citations_carry_their_models_band(
    settings: IndexSettings, embedder: Embedder
) -> None:
    """Answers are banded by their measured confidence, alerts (a topic, not a question) by the
    model's cosine scale."""
    IndexWriter(settings, embedder).rebuild([SEEDS])
    index = NewsIndex(settings, embedder)
    scale = relevance_scale(settings.embedding_model)
    hits = index.search(
        "Which countries signed security agreements with Ukraine?",
        min_score=-1,
        min_confidence=0,
        max_per_article=3,
    )
    assert len(hits) == 3
    assert all(h.confidence is not None and h.relevance == band(h.confidence) for h in hits)
    cited = index.cite(hits[0].row, 0.5)
    assert cited is not None and cited.relevance == scale.band(0.5)
