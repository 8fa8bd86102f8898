"""Calibrate the confidence of citations: the chance a cited passage holds the answer, per model,
from all the evidence search has (`index.search.confidence`), against the cosine bands of before.

    .venv/bin/python -m benchmarks.confidence_calibration
    .venv/bin/python -m benchmarks.confidence_calibration --write --output benchmarks/results/confidence.md

Every answerable question of RealTimeQA and XQuAD (`../shared/eval`) goes through the product's
search, and each of its first five citations is judged: its passage holds the answer or not. On
the tune parts only (`evaluation.splits`), each data set weighing the same, a logistic regression
(scikit-learn) is fitted on the citations' evidence, and the gate (the lowest confidence an
answer's first citation must reach) is chosen to refuse as few answerable questions as the old
cosine gate (SEARCH_MIN_SCORE) did while answering the fewest unanswerable ones: questions of
another data set asked of this corpus (XQuAD's of RealTimeQA's news and the reverse, SciFact's
claims of both) and everyday chatter. Printed for the report parts, old (the isotonic fit of the
cosine, whose floors gave the old bands) against new: Brier score, expected calibration error
(10 bins), AUROC, the share holding the answer per band, wrong first citations labelled strong,
and the gate's two errors. `--write` stores the model and its gate in
`index/search/confidence_models.json`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from benchmarks.provenance import commit
from evaluation.datasets import DATASETS, SHARED_EVAL, load_questions, open_dataset, question_parts
from evaluation.metrics import contains_answer
from index import Embedder, IndexSettings, load_embedder
from index.search.confidence import EVIDENCE_NAMES, MODELS_PATH, Evidence, band
from index.search.relevance import BAND_RATES, WEAK, relevance_scale

DATASETS_JUDGED = ("realtimeqa", "xquad")
CITED = 5
CHATTER = (
    "hello", "hi there, how are you?", "thanks!", "good morning", "tell me a joke",
    "what can you do?", "lol", "ok cool", "who are you", "what's your favourite colour?",
    "can you help me with my homework", "I'm bored", "what time is it", "nice bot",
    "how do I reset my password", "recommend a good pizza place", "write me a poem",
    "what is 2 + 2", "are you a robot?", "bye",
)  # fmt: skip
"""Everyday messages a bot in a chat receives that no news article answers."""
OTHER_QUESTIONS: dict[str, tuple[str, ...]] = {
    "realtimeqa": ("xquad", "scifact"),
    "xquad": ("realtimeqa", "scifact"),
}
"""Whose questions are unanswerable from each corpus."""
UNANSWERABLE = "unanswerable"
"""The group of the tune parts' unanswerable questions: fitted on too (their first citation
holds no answer), weighing as much as each data set, so that being first is not mistaken for
holding the answer."""


@dataclass(frozen=True, slots=True)
class Judged:
    dataset: str
    part: str
    question: int
    rank: int
    evidence: Evidence
    holds: bool


def judge(data_name: str, settings: IndexSettings, embedder: Embedder) -> list[Judged]:
    """The first `CITED` citations of each answerable question, judged, with their evidence."""
    data = open_dataset(data_name, settings, embedder)
    questions = data.questions
    parts = question_parts(questions)
    judged: list[Judged] = []
    for part, positions in (("tune", parts.tune), ("report", parts.report)):
        for position in positions:
            question = questions.questions[position]
            if not question.answers:
                continue
            hits = data.index.search(
                question.text, k=CITED, min_score=-1.0, min_confidence=0.0,
                bold_sentence=False, as_of=question.asked, with_evidence=True,
            )  # fmt: skip
            for hit in hits:
                assert hit.evidence is not None
                judged.append(
                    Judged(data_name, part, position, hit.rank, hit.evidence,
                           contains_answer(hit.text, question.answers))
                )  # fmt: skip
    return judged


def unanswerable(
    data_name: str, settings: IndexSettings, embedder: Embedder
) -> dict[str, list[Evidence | None]]:
    """The first citation's evidence for questions this corpus cannot answer, by part (None:
    nothing found at all); the chatter is split between the parts too."""
    data = open_dataset(data_name, settings, embedder)
    found: dict[str, list[Evidence | None]] = {"tune": [], "report": []}
    texts: dict[str, list[str]] = {"tune": list(CHATTER[::2]), "report": list(CHATTER[1::2])}
    for other in OTHER_QUESTIONS[data_name]:
        path = SHARED_EVAL / DATASETS[other][1]
        if not path.is_file():
            continue
        asked = load_questions(path)
        parts = question_parts(asked)
        texts["tune"] += [asked.questions[p].text for p in parts.tune]
        texts["report"] += [asked.questions[p].text for p in parts.report]
    for part, questions in texts.items():
        for text in questions:
            hits = data.index.search(
                text,
                k=1,
                min_score=-1.0,
                min_confidence=0.0,
                bold_sentence=False,
                with_evidence=True,
            )
            found[part].append(hits[0].evidence if hits else None)
    return found


def features(rows: Sequence[Evidence]) -> np.ndarray:
    return np.array([astuple(e) for e in rows], dtype=np.float64).reshape(-1, len(EVIDENCE_NAMES))


def weights_per_dataset(judged: Sequence[Judged]) -> np.ndarray:
    """Sample weights under which each data set weighs the same, averaging 1 (so the fit's
    regularisation means what it means unweighted)."""
    sizes = {d: sum(j.dataset == d for j in judged) for d in {j.dataset for j in judged}}
    weights = np.array([1.0 / sizes[j.dataset] for j in judged])
    return weights * len(judged) / weights.sum()


@dataclass(slots=True)
class Fitted:
    means: np.ndarray
    scales: np.ndarray
    model: LogisticRegression

    def probability(self, rows: Sequence[Evidence]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = (features(rows) - self.means) / self.scales
        return self.model.predict_proba(x)[:, 1]


def fit_new(tune: Sequence[Judged]) -> Fitted:
    x = features([j.evidence for j in tune])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(
        (x - means) / scales, [j.holds for j in tune], sample_weight=weights_per_dataset(tune)
    )
    return Fitted(means, scales, model)


def fit_old(tune: Sequence[Judged]) -> IsotonicRegression:
    """What the old bands stood for: the isotonic fit of the share holding the answer against the
    cosine (`benchmarks.relevance_calibration`)."""
    model = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    model.fit([j.evidence.cosine for j in tune], [float(j.holds) for j in tune],
              sample_weight=weights_per_dataset(tune))  # fmt: skip
    return model


def calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean p − share holding| per bin of p, weighed by its size."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    return float(
        sum(abs(p[index == b].mean() - y[index == b].mean()) * (index == b).mean()
            for b in range(bins) if (index == b).any())
    )  # fmt: skip


def scores_table(
    judged: Sequence[Judged],
    ways: dict[str, Callable[[Sequence[Judged]], np.ndarray]],
    labels: dict[str, Callable[[Sequence[Judged]], list[str]]],
) -> list[str]:
    lines = [
        "| data set | way | Brier | calibration error | AUROC | wrong first citations labelled strong |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for dataset in sorted({j.dataset for j in judged}):
        rows = [j for j in judged if j.dataset == dataset]
        y = np.array([j.holds for j in rows], dtype=float)
        for name, way in ways.items():
            p = way(rows)
            first = [i for i, j in enumerate(rows) if j.rank == 1 and not j.holds]
            strong = sum(labels[name](rows)[i] == "strong" for i in first)
            lines.append(
                f"| {dataset} | {name} | {np.mean((p - y) ** 2):.3f} | "
                f"{calibration_error(p, y):.3f} | {roc_auc_score(y, p):.3f} | "
                f"{strong} of {len(first)} |"
            )
    return lines


def bands_table(
    judged: Sequence[Judged], labels: dict[str, Callable[[Sequence[Judged]], list[str]]]
) -> list[str]:
    names = [*BAND_RATES, WEAK]
    lines = [
        "| data set | way | " + " | ".join(names) + " |",
        "|---|---|" + "---:|" * len(names),
    ]
    for dataset in sorted({j.dataset for j in judged}):
        rows = [j for j in judged if j.dataset == dataset]
        for name, label in labels.items():
            given = label(rows)
            cells = []
            for band_name in names:
                inside = [j.holds for j, g in zip(rows, given, strict=True) if g == band_name]
                cells.append(f"{np.mean(inside):.2f} of {len(inside)}" if inside else "none")
            lines.append(f"| {dataset} | {name} | " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="store the model and its gate")
    parser.add_argument("--output", type=Path, help="append the tables here")
    parser.add_argument(
        "--datasets", nargs="+", choices=DATASETS_JUDGED, default=list(DATASETS_JUDGED)
    )
    args = parser.parse_args(argv)
    if not all((SHARED_EVAL / DATASETS[d][1]).is_file() for d in args.datasets):
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    settings = IndexSettings()
    embedder = load_embedder(settings)
    judged: list[Judged] = []
    refused: dict[str, dict[str, list[Evidence | None]]] = {}
    for name in args.datasets:
        judged += judge(name, settings, embedder)
        refused[name] = unanswerable(name, settings, embedder)
    tune = [j for j in judged if j.part == "tune"]
    report = [j for j in judged if j.part == "report"]
    never = [
        Judged(UNANSWERABLE, "tune", -1, 1, evidence, False)
        for data in refused.values()
        for evidence in data["tune"]
        if evidence is not None
    ]
    new, old = fit_new([*tune, *never]), fit_old(tune)
    scale = relevance_scale(settings.embedding_model)
    ways = {
        "old (cosine bands)": lambda rows: old.predict([j.evidence.cosine for j in rows]),
        "new (confidence)": lambda rows: new.probability([j.evidence for j in rows]),
    }
    labels = {
        "old (cosine bands)": lambda rows: [scale.band(j.evidence.cosine) for j in rows],
        "new (confidence)": lambda rows: [
            band(p) for p in new.probability([j.evidence for j in rows])
        ],
    }
    gate, gate_lines = choose_gate(judged, refused, new, settings.search_min_score)
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}"
    coefficients = dict(zip(EVIDENCE_NAMES, new.model.coef_[0].round(3).tolist(), strict=True))
    lines = [
        f"## Confidence of citations, {settings.embedding_model}, {when}",
        "",
        f"`{shlex.join(['python -m benchmarks.confidence_calibration', *sys.argv[1:]])}`: the "
        f"first {CITED} citations of every answerable question; fitted on the tune parts "
        f"({len(tune)} citations, and the first of {len(never)} unanswerable questions), each data "
        "set weighing the same; reported on the report parts "
        f"({len(report)} citations).",
        "",
        f"Weights over standardised evidence: {coefficients}; intercept "
        f"{new.model.intercept_[0]:.3f}.",
        "",
        "### Report parts",
        "",
        *scores_table(report, ways, labels),
        "",
        "Share of citations holding the answer, per band:",
        "",
        *bands_table(report, labels),
        "",
        *gate_lines,
        "",
        "### Tune parts (fitted on these)",
        "",
        *scores_table(tune, ways, labels),
        "",
        *bands_table(tune, labels),
    ]
    print("\n".join(lines))
    if args.write:
        write_model(settings.embedding_model, new, gate, when)
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")
    return 0


def choose_gate(
    judged: Sequence[Judged],
    refused: dict[str, dict[str, list[Evidence | None]]],
    new: Fitted,
    old_min_score: float,
) -> tuple[float, list[str]]:
    """The gate on the tune parts: refuse no more answerable questions than the old cosine gate
    did, and among such gates the one that answers the fewest unanswerable questions."""

    def errors(part: str, passes: Callable[[Evidence], bool]) -> tuple[float, float, int, int]:
        firsts = [j for j in judged if j.part == part and j.rank == 1]
        answerable_refused = np.mean([not passes(j.evidence) for j in firsts])
        others = [e for data in refused.values() for e in data[part]]
        answered = np.mean([e is not None and passes(e) for e in others])
        return float(answerable_refused), float(answered), len(firsts), len(others)

    def new_gate(gate: float) -> Callable[[Evidence], bool]:
        return lambda e: bool(new.probability([e])[0] >= gate)

    def old_gate(e: Evidence) -> bool:
        return e.cosine >= old_min_score

    old_tune = errors("tune", old_gate)
    candidates = [g / 100 for g in range(0, 96)]
    allowed = [g for g in candidates if errors("tune", new_gate(g))[0] <= old_tune[0] + 1e-9]
    gate = min(allowed, key=lambda g: (errors("tune", new_gate(g))[1], -g)) if allowed else 0.0
    lines = [
        f'The "not covered" gate: an answer\'s first citation must reach confidence {gate:.2f} '
        f"(chosen on the tune parts), against the old cosine gate {old_min_score:.2f}.",
        "",
        "| part | gate | answerable questions refused | unanswerable questions answered |",
        "|---|---|---:|---:|",
    ]
    for part in ("report", "tune"):
        for name, passes in (("old (cosine)", old_gate), ("new (confidence)", new_gate(gate))):
            a, u, n_a, n_u = errors(part, passes)
            lines.append(f"| {part} | {name} | {a:.3f} of {n_a} | {u:.3f} of {n_u} |")
    lines += ["", "Other gates on the tune parts:", "", "| gate | answerable refused | "
              "unanswerable answered |", "|---:|---:|---:|"]  # fmt: skip
    for other in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        a, u, _, _ = errors("tune", new_gate(other))
        lines.append(f"| {other:.2f} | {a:.3f} | {u:.3f} |")
    return gate, lines


def write_model(model: str, fitted: Fitted, gate: float, provenance: str) -> None:
    data = json.loads(MODELS_PATH.read_text("utf-8")) if MODELS_PATH.is_file() else {}
    data.setdefault(
        "about",
        "Confidence of citations per EMBEDDING_MODEL: a logistic model over standardised "
        "evidence, written by python -m benchmarks.confidence_calibration --write "
        "(see index/search/confidence.py).",
    )
    data.setdefault("models", {})[model] = {
        "evidence": list(EVIDENCE_NAMES),
        "means": fitted.means.round(6).tolist(),
        "scales": fitted.scales.round(6).tolist(),
        "weights": fitted.model.coef_[0].round(6).tolist(),
        "intercept": round(float(fitted.model.intercept_[0]), 6),
        "gate": gate,
        "measured": provenance,
    }
    MODELS_PATH.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
