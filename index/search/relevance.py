"""What a citation's relevance label says, measured per model.

A label ("strong", "good", "partial", "weak") stands for how often, on the evaluation data's
tuning questions, a cited passage with that cosine held the answer: a band's floor is the
lowest cosine from which at least `BAND_RATES[band]` of them did, on the model's isotonic fit
of that rate. `benchmarks/relevance_calibration.py` measures the floors and writes them to
`relevance_scales.json` beside this module, with the rates each band showed on the report
part; a model it has not measured keeps the fixed cuts of before (`FIXED_SCALE`).

The cosine is a model's own: the same passage scores 0.32 with one and 0.80 with another, so
one set of cuts for every model cannot mean the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

STRONG, GOOD, PARTIAL, WEAK = "strong", "good", "partial", "weak"
BAND_RATES: dict[str, float] = {STRONG: 0.6, GOOD: 0.4, PARTIAL: 0.2}
"""The share of cited passages holding the answer from which a band starts (WEAK below)."""
SCALES_PATH = Path(__file__).with_name("relevance_scales.json")


@dataclass(frozen=True, slots=True)
class RelevanceScale:
    """A model's cosine floors, strongest band first."""

    model: str
    floors: tuple[tuple[str, float], ...]
    measured: bool = True

    def band(self, score: float) -> str:
        return next((band for band, floor in self.floors if score >= floor), WEAK)


FIXED_SCALE = RelevanceScale("", ((STRONG, 0.60), (GOOD, 0.45), (PARTIAL, 0.30)), measured=False)
"""The cuts used before any were measured: for models without a scale of their own."""


def relevance_scale(model: str, path: Path = SCALES_PATH) -> RelevanceScale:
    """The measured scale of `model` (an EMBEDDING_MODEL value), else `FIXED_SCALE`."""
    return _scales(path).get(model, FIXED_SCALE)


@cache
def _scales(path: Path) -> dict[str, RelevanceScale]:
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    return {model: scale_from_record(model, record) for model, record in data["models"].items()}


def scale_from_record(model: str, record: dict[str, Any]) -> RelevanceScale:
    """A scale from its entry in `relevance_scales.json`; floors rise from weak to strong."""
    floors = tuple(
        (band, float(record["floors"][band])) for band in (STRONG, GOOD, PARTIAL)
        if record["floors"].get(band) is not None
    )  # fmt: skip
    values = [floor for _, floor in floors]
    if values != sorted(values, reverse=True):
        raise ValueError(f"the relevance floors of {model} do not fall from strong to partial")
    return RelevanceScale(model, floors)
