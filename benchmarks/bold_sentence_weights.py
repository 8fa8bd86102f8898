"""The bold sentence's weights: fitted on SQuAD's training questions, judged on the tune parts.

A sentence's score is a weighed sum of its cosine to the question (from the sentence vectors the
index stores), the share of the question's words it holds, and the cues of
`index.search.answer_cues`. The weights are fitted as a conditional logit (the passage's
sentences compete; the ones holding the answer should win) on questions of the SQuAD v1.1
*training* set, never on evaluation data, then compared with the choice before cues (cosine +
BOLD_SENTENCE_LEXICAL_WEIGHT × words) on the tune parts of XQuAD and RealTimeQA, where the
evaluation's first cited passage holds the answer. `--write` keeps the fitted weights in
`index/search/bold_sentence_weights.json`; the report parts are printed with `--report` only,
once the choice is made.

SQuAD's official train-v1.1.json is not obtainable on these machines; `--squad-train` reads any
file of its shape (`data[].paragraphs[].{context, qas[].{question, answers[].text}}`), e.g. the
copy rebuilt from the pages of rajpurkar/SQuAD-explorer (442 articles, 18,896 paragraphs,
87,599 questions, the official counts; CC BY-SA 4.0).

    .venv/bin/python -m benchmarks.bold_sentence_weights --squad-train /path/to/train.json
    .venv/bin/python -m benchmarks.bold_sentence_weights --squad-train … --write --report
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from evaluation.datasets import DATASETS, SHARED_EVAL, open_dataset, question_parts
from evaluation.metrics import contains_answer
from index import IndexSettings, load_embedder
from index.embedding.model import Embedder
from index.embedding.model_input import document_text
from index.embedding.sentence_vectors import dequantize, quantize, spans_in_document
from index.lexical import tokenize
from index.passages.sentences import sentence_spans
from index.search.answer_cues import CUE_NAMES, sentence_cues
from index.search.bold_sentence import WEIGHTS_PATH, sentence_overlap, stored_cosines
from index.search.query import prepare_query

FEATURES = ("cosine", "overlap", *CUE_NAMES)
BEFORE = np.array([1.0, 1.5] + [0.0] * len(CUE_NAMES))
"""The choice before cues: cosine + 1.5 × the question's words."""


@dataclass(slots=True)
class Case:
    """One question and the sentences of a passage holding its answer."""

    features: np.ndarray
    """One row per sentence, columns as FEATURES."""
    holds: np.ndarray


def features(
    question: str, title: str, sentences: Sequence[str], cosines: np.ndarray
) -> np.ndarray:
    asked, *words = tokenize([question, *sentences])
    overlap = sentence_overlap(asked, words)
    cues = [cue.as_list() for cue in sentence_cues(question, title, sentences)]
    return np.column_stack([cosines, overlap, np.array(cues, dtype=np.float64)])


def squad_train_cases(path: Path, embedder: Embedder, paragraphs: int) -> list[Case]:
    """Questions of `paragraphs` training paragraphs (chosen by hash, spread over articles),
    their sentences read as the index stores them (pooled from the passage, int8)."""
    data = json.loads(path.read_text("utf-8"))["data"]
    listed = [
        (article["title"].replace("_", " "), paragraph)
        for article in data
        for paragraph in article["paragraphs"]
    ]
    listed.sort(key=lambda item: hashlib.sha1(item[1]["context"].encode()).hexdigest())
    chosen = listed[:paragraphs]
    documents, spans, insides = [], [], []
    for title, paragraph in chosen:
        text = paragraph["context"]
        found = sentence_spans(text) or [(0, len(text))]
        document = document_text(title, text)
        documents.append(document)
        spans.append(found)
        insides.append(spans_in_document(len(document) - len(text) - 1, 0, found))
    print(f"embedding {len(documents)} SQuAD training paragraphs …", file=sys.stderr)
    _, sentence_vectors = embedder.encode_passages(documents, insides, progress=True)
    cases: list[Case] = []
    questions = [qa["question"] for _, paragraph in chosen for qa in paragraph["qas"]]
    print(f"encoding {len(questions)} questions …", file=sys.stderr)
    query_vectors = iter(embedder.encode_queries(questions))
    for (title, paragraph), found, vectors in zip(chosen, spans, sentence_vectors, strict=True):
        text = paragraph["context"]
        sentences = [text[a:b] for a, b in found]
        stored = dequantize(*quantize(vectors))
        for qa in paragraph["qas"]:
            query = next(query_vectors)
            answers = [a["text"] for a in qa["answers"]]
            holds = np.array([contains_answer(s, answers) for s in sentences])
            if len(sentences) > 1 and holds.any() and not holds.all():
                cosines = stored @ query.reshape(-1)
                cases.append(Case(features(qa["question"], title, sentences, cosines), holds))
    return cases


def eval_cases(dataset: str, part: str, embedder: Embedder) -> list[Case]:
    """Questions of one part whose first cited passage (the product's search) holds the answer,
    its sentences with the cosines the version stores."""
    base = IndexSettings()
    data = open_dataset(dataset, base, embedder)
    index, loaded = data.index, data.questions
    split = question_parts(loaded)
    positions = split.tune if part == "tune" else split.report
    snapshot = index.snapshot()
    cases: list[Case] = []
    for question in (loaded.questions[p] for p in positions):
        if not question.answers:
            continue
        hits = index.search(
            question.text, k=1, min_score=-1.0, bold_sentence=False, as_of=question.asked
        )
        if not hits or not contains_answer(hits[0].text, question.answers):
            continue
        record = snapshot.passages([hits[0].row])[hits[0].row]
        prepared = prepare_query(question.text, base.search_max_query_chars) or question.text
        cosines, (spans,) = stored_cosines(snapshot, index.encode_question(prepared), [record])
        sentences = [record.text[a:b] for a, b in spans]
        holds = np.array([contains_answer(s, question.answers) for s in sentences])
        cases.append(Case(features(prepared, record.title, sentences, cosines), holds))
    return cases


def accuracy(cases: Sequence[Case], weights: np.ndarray) -> float:
    """Share of cases whose best-scored sentence (the first on ties) holds the answer."""
    right = [bool(c.holds[int(np.argmax(c.features @ weights))]) for c in cases]
    return statistics.fmean(right) if right else float("nan")


def fit(cases: Sequence[Case], l2: float = 0.01) -> np.ndarray:
    """Weights maximising the likelihood that a sentence holding the answer wins (softmax over
    each passage's sentences), scaled so the cosine's weight is 1 (the choice is the same)."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for case in cases:
            scores = case.features @ w
            p = np.exp(scores - scores.max())
            p /= p.sum()
            wanted = p * case.holds
            mass = wanted.sum()
            total -= float(np.log(mass))
            grad = grad + case.features.T @ (p - wanted / mass)
        return total / len(cases), grad / len(cases)

    found = minimize(loss, BEFORE * 5, jac=True, method="L-BFGS-B")
    weights: np.ndarray = found.x
    return weights / weights[0] if weights[0] > 0 else weights


TYPES = ("person", "number", "time", "place", "reason")


def fitted_with(fitted: np.ndarray, **values: float) -> np.ndarray:
    found = fitted.copy()
    for name, value in values.items():
        found[FEATURES.index(name)] = value
    return found


def candidates(fitted: np.ndarray) -> dict[str, np.ndarray]:
    """The choice before, with parts of the fitted weights: what each brings to news, where
    the question's words weigh more than in SQuAD's encyclopedia paragraphs."""

    def weights(**values: float) -> np.ndarray:
        found = BEFORE.copy()
        for name, value in values.items():
            found[FEATURES.index(name)] = value
        return found

    fitted_of = {name: float(fitted[FEATURES.index(name)]) for name in FEATURES}
    cues = {
        n: v for n, v in fitted_of.items() if n not in ("cosine", "overlap", "overlap_beyond_title")
    }
    lexical = fitted_of["overlap"] + fitted_of["overlap_beyond_title"]
    types = {n: fitted_of[n] for n in TYPES}
    return {
        "before + fitted answer types": weights(**types),
        "before + fitted answer types, no question in bold": weights(**types, interrogative=-1.0),
        "fitted, no question in bold": fitted_with(fitted, interrogative=-1.0),
        "before + fitted cues (its words kept)": weights(**cues),
        "before, words beyond the title instead": weights(overlap=0.0, overlap_beyond_title=1.5),
        "before, words half beyond the title": weights(overlap=0.75, overlap_beyond_title=0.75),
        "fitted, its words scaled to before's 1.5": weights(
            **cues,
            overlap=1.5 * fitted_of["overlap"] / lexical,
            overlap_beyond_title=1.5 * fitted_of["overlap_beyond_title"] / lexical,
        ),
    }


def write_weights(weights: np.ndarray, model: str, source: str, figures: dict[str, float]) -> None:
    data = (
        json.loads(WEIGHTS_PATH.read_text("utf-8"))
        if WEIGHTS_PATH.is_file()
        else {
            "about": "Bold-sentence weights per EMBEDDING_MODEL: written by python -m "
            "benchmarks.bold_sentence_weights --write (see index/search/bold_sentence.py).",
            "models": {},
        }
    )
    data["models"][model] = {
        "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, weights, strict=True)},
        "fitted on": source,
        "tune accuracy": {name: round(v, 3) for name, v in figures.items()},
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    WEIGHTS_PATH.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad-train", type=Path, required=True, help="SQuAD v1.1 train JSON")
    parser.add_argument("--paragraphs", type=int, default=1500, help="training paragraphs used")
    parser.add_argument("--write", action="store_true", help="keep the chosen weights")
    parser.add_argument(
        "--choice", default="fitted on SQuAD train", help="the row whose weights --write keeps"
    )
    parser.add_argument("--report", action="store_true", help="also print the report parts")
    parser.add_argument(
        "--datasets", nargs="+", choices=["xquad", "realtimeqa"], default=["xquad", "realtimeqa"]
    )
    parser.add_argument(
        "--cases", type=Path, help="keep the scored sentences in this file, and read them from it"
    )
    args = parser.parse_args(argv)
    if not (SHARED_EVAL / DATASETS["xquad"][1]).is_file():
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    settings = IndexSettings()
    parts = ["tune", "report"] if args.report else ["tune"]
    if args.cases and args.cases.is_file():
        with args.cases.open("rb") as handle:
            train, judged = pickle.load(handle)
        judged = {n: c for n, c in judged.items() if n.split()[-1] in parts}
    else:
        embedder = load_embedder(settings)
        train = squad_train_cases(args.squad_train, embedder, args.paragraphs)
        judged = {
            f"{dataset} {part}": eval_cases(dataset, part, embedder)
            for dataset in args.datasets
            for part in parts
        }
        if args.cases:
            with args.cases.open("wb") as handle:
                pickle.dump((train, judged), handle)
    fitted = fit(train)
    cues_only = fitted.copy()
    print(f"\n{len(train)} SQuAD training questions from {args.paragraphs} paragraphs\n")
    print("| weights | " + " | ".join(FEATURES) + " |")
    print("|---|" + "---|" * len(FEATURES))
    for name, weights in (("before", BEFORE), ("fitted", fitted)):
        print(f"| {name} | " + " | ".join(f"{w:.3f}" for w in weights) + " |")
    print("\n| choice | SQuAD train | " + " | ".join(f"{n} ({len(c)})" for n, c in judged.items()))
    print("|---|---|" + "---|" * len(judged))
    rows = {
        "before (cosine + 1.5 × words)": BEFORE,
        "fitted on SQuAD train": fitted,
        **candidates(fitted),
    }
    for name in CUE_NAMES:  # what each cue adds: the fitted weights without it
        without = cues_only.copy()
        without[FEATURES.index(name)] = 0.0
        rows[f"fitted, without {name}"] = without
    for name, weights in rows.items():
        values = [accuracy(train, weights), *(accuracy(c, weights) for c in judged.values())]
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    if args.write:
        chosen = rows[args.choice]
        figures = {n: accuracy(c, chosen) for n, c in judged.items() if n.endswith("tune")}
        source = f"{args.choice}: {args.squad_train.name}, {args.paragraphs} paragraphs"
        write_weights(chosen, settings.embedding_model, source, figures)
        print(f"\n{args.choice}: written to {WEIGHTS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
