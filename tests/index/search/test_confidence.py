"""The confidence of a citation: a measured probability, its bands, and its stored model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.search.confidence import (
    EVIDENCE_NAMES,
    ConfidenceModel,
    Evidence,
    band,
    citation_evidence,
    confidence_model,
    evidence_words,
)
from index.search.fusion import Candidate


def _evidence(cosine: float, coverage: float = 0.5) -> Evidence:
    return Evidence(cosine, 0.01, 0.5, coverage, coverage, 1.0)


MODEL = ConfidenceModel(
    "m", means=(0.5, 0.0, 0.5, 0.5, 0.5, 0.5), scales=(0.1, 0.01, 0.3, 0.3, 0.3, 0.5),
    weights=(1.0, 0.2, 0.3, 0.8, 0.5, 0.1), intercept=-0.5, gate=0.2,
)  # fmt: skip


def test_more_evidence_is_more_confidence() -> None:
    low, high = MODEL.probability(_evidence(0.3)), MODEL.probability(_evidence(0.7))
    assert 0.0 < low < high < 1.0
    assert MODEL.probability(_evidence(0.5, 0.9)) > MODEL.probability(_evidence(0.5, 0.1))


def test_bands_follow_the_measured_rates() -> None:
    assert [band(p) for p in (0.95, 0.6, 0.59, 0.4, 0.39, 0.2, 0.19, 0.0)] == [
        "strong", "strong", "good", "good", "partial", "partial", "weak", "weak",
    ]  # fmt: skip


def test_question_words_in_the_passage_and_its_best_sentence() -> None:
    coverage, sentence = evidence_words(
        "Who signed the Kyiv security agreement?",
        "Security deals",
        ["Leaders met in Paris.", "Scholz signed the agreement with Kyiv."],
    )
    assert coverage == 1.0
    assert 0.5 < sentence <= 1.0
    assert evidence_words("", "title", ["text"]) == (0.0, 0.0)


def test_a_stored_model_is_read_and_one_fitted_on_other_evidence_refused(tmp_path: Path) -> None:
    record = {
        "evidence": list(EVIDENCE_NAMES), "means": list(MODEL.means), "scales": list(MODEL.scales),
        "weights": list(MODEL.weights), "intercept": MODEL.intercept, "gate": 0.2,
    }  # fmt: skip
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"models": {"m": record}}))
    loaded = confidence_model("m", path)
    assert loaded is not None and loaded.gate == 0.2
    assert loaded.probability(_evidence(0.6)) == pytest.approx(MODEL.probability(_evidence(0.6)))
    assert confidence_model("other", path) is None
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"models": {"m": {**record, "evidence": ["cosine"]}}}))
    with pytest.raises(ValueError, match="refit"):
        confidence_model("m", wrong)


def test_the_packaged_model_has_a_measured_confidence() -> None:
    assert confidence_model("packaged:all-MiniLM-L6-v2") is not None


def test_evidence_of_citations_among_the_candidates() -> None:
    candidates = [
        Candidate(1, "a", 0.7, 0.9), Candidate(2, "b", 0.6, 0.5), Candidate(3, "c", 0.5, 0.45),
    ]  # fmt: skip
    passages = {
        1: ("Security deals", ["Scholz signed the agreement with Kyiv."]),
        2: ("Weather", ["Rain in Paris."]),
    }
    first, second = citation_evidence(
        "Who signed the Kyiv security agreement?", candidates[:2], candidates, passages,
        {1: 4.0, 3: 8.0}, first=True,
    )  # fmt: skip
    assert first.margin == pytest.approx(0.4) and second.margin == pytest.approx(0.05)
    assert (first.lexical_share, second.lexical_share) == (0.5, 0.0)
    assert first.coverage == 1.0 and second.coverage == 0.0
    assert (first.first, second.first) == (1.0, 0.0)
    (later,) = citation_evidence("q", candidates[:1], candidates, passages, {}, first=False)
    assert later.first == 0.0 and later.lexical_share == 0.0
