"""How the bold sentence is chosen: ways of reading a sentence, compared on public QA data.

For every question whose first cited passage (the product's search) holds the answer, each
sentence of that passage is scored as the search does: the cosine between the question and the
sentence as the model reads it, plus a weight x the share of the question's words the sentence
holds. A choice is right when the best-scored sentence contains the answer. The readings:

- sentence: the sentence alone;
- title + sentence: after its article's title, as passages are embedded;
- previous + sentence: after the sentence before it in the passage;
- title + previous + sentence: both (BOLD_SENTENCE_IN_CONTEXT: what index versions of format 1 use,
  each sentence embedded at question time);

and the readings pooled from the passage's own forward pass (what format 2 stores, no model
call at question time): the mean of the passage's token embeddings over the sentence
("pooled: sentence", the stored one), over the previous sentence and it, and the stored
reading after int8 quantization.

Besides the whole set, the accuracy is given on two halves of the articles (alternate articles
of the cited passages, by title), so a choice that only fits one half shows. It needs
`../shared/eval/` and the evaluation index `python -m evaluation` builds (built here if missing).

    .venv/bin/python -m benchmarks.bold_sentence --dataset xquad
    .venv/bin/python -m benchmarks.bold_sentence --dataset realtimeqa --weights 0 1.5
    .venv/bin/python -m benchmarks.bold_sentence --readings "title + previous + sentence"
    .venv/bin/python -m benchmarks.bold_sentence --part tune --readings sentence

A last table sets the stored reading against the question's words alone and against an
answer-type rule (a sentence holding a number the question lacks gains a bonus when the question
asks how many, how much, when or what year). `--part` keeps one part's questions
(`evaluation.splits`), so a choice can be made on the tune part alone.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.datasets import DATASETS, SHARED_EVAL, open_dataset, question_parts
from evaluation.metrics import contains_answer
from index import IndexSettings, load_embedder
from index.embedding.model import Embedder
from index.embedding.model_input import document_text
from index.embedding.sentence_vectors import dequantize, quantize, spans_in_document
from index.lexical import tokenize
from index.passages.sentences import sentence_spans
from index.search.bold_sentence import sentence_overlap, sentences_in_context

ROOT = Path(__file__).resolve().parent.parent

READINGS: dict[str, Callable[[str, list[str]], list[str]]] = {
    "sentence": lambda title, sentences: sentences,
    "title + sentence": lambda title, sentences: [document_text(title, s) for s in sentences],
    "previous + sentence": lambda title, sentences: sentences_in_context(sentences),
    "title + previous + sentence": lambda title, sentences: [
        document_text(title, s) for s in sentences_in_context(sentences)
    ],
}


ASKS_NUMBER = re.compile(
    r"\b(how (many|much|long|old|far|large|big|tall|high|often)|what (year|percentage|percent|"
    r"decade|century|date|month|day)|which year|when)\b",
    re.IGNORECASE,
)
"""Questions whose answer is a number or a date (an answer type the sentence can be checked for)."""
_NUMBER = re.compile(r"\d+")


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(text))


@dataclass(slots=True)
class Case:
    """One question whose cited passage holds the answer, with its sentences scored."""

    half: int
    holds_answer: np.ndarray
    new_number: np.ndarray
    """Per sentence: it holds a number the question does not (for the answer-type rows)."""
    asks_number: bool
    overlap: np.ndarray
    cosines: dict[str, np.ndarray]


def collect(
    dataset: str, limit: int | None, readings: Sequence[str], part: str = "all"
) -> list[Case]:
    base = IndexSettings()
    embedder = load_embedder(base)
    data = open_dataset(dataset, base, embedder)
    index, loaded = data.index, data.questions
    split = question_parts(loaded)
    chosen = {"tune": split.tune, "report": split.report}.get(part, range(len(loaded.questions)))
    questions = [loaded.questions[p] for p in sorted(chosen)][:limit]
    titles: dict[str, int] = {}
    cases: list[Case] = []
    for question in questions:
        if not question.answers:
            continue
        hits = index.search(
            question.text, k=1, min_score=-1.0, bold_sentence=False, as_of=question.asked
        )
        if not hits or not contains_answer(hits[0].text, question.answers):
            continue
        hit = hits[0]
        spans = sentence_spans(hit.text) or [(0, len(hit.text))]
        sentences = [hit.text[a:b] for a, b in spans]
        query = embedder.encode_query(question.text).reshape(-1)
        cosines = {
            name: embedder.encode_documents(read(hit.title, sentences)) @ query
            for name, read in READINGS.items()
            if name in readings
        }
        cosines.update(pooled_cosines(embedder, hit.title, hit.text, spans, query))
        (words,) = tokenize([question.text])
        half = titles.setdefault(hit.title, len(titles)) % 2
        cases.append(
            Case(
                half,
                np.array([contains_answer(s, question.answers) for s in sentences]),
                np.array([bool(_numbers(s) - _numbers(question.text)) for s in sentences]),
                bool(ASKS_NUMBER.search(question.text)),
                np.array(sentence_overlap(words, tokenize(sentences))),
                cosines,
            )
        )
    return cases


POOLED = ("pooled: sentence", "pooled: previous + sentence", "pooled: sentence int8")


def pooled_cosines(
    embedder: Embedder, title: str, text: str, spans: list[tuple[int, int]], query: np.ndarray
) -> dict[str, np.ndarray]:
    """The readings pooled from the passage's own forward pass (what the index stores)."""
    document = document_text(title, text)
    inside = spans_in_document(len(document) - len(text) - 1, 0, spans)
    widened = [(inside[i - 1][0] if i else a, b) for i, (a, b) in enumerate(inside)]
    _, (alone, with_previous) = embedder.encode_passages([document] * 2, [inside, widened])
    codes, scales = quantize(alone)
    return {
        POOLED[0]: alone @ query,
        POOLED[1]: with_previous @ query,
        POOLED[2]: dequantize(codes, scales) @ query,
    }


def accuracy(
    cases: Sequence[Case], reading: str, weight: float, number_bonus: float = 0.0
) -> float:
    """Share of cases whose best sentence (first on ties, as the search) holds the answer; with
    `number_bonus`, a sentence holding a number the question lacks gains it when the question
    asks for a number or a date."""
    right = [
        bool(
            c.holds_answer[
                int(
                    np.argmax(
                        c.cosines[reading]
                        + weight * c.overlap
                        + (number_bonus * c.new_number if c.asks_number else 0.0)
                    )
                )
            ]
        )
        for c in cases
    ]
    return statistics.fmean(right) if right else float("nan")


WORDS_ALONE = 1000.0
"""A words weight at which the cosine only breaks ties: the question's words alone."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["xquad", "realtimeqa"], default="xquad")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 1.0, 1.5, 2.0])
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument(
        "--part", choices=["all", "tune", "report"], default="all",
        help="only the questions of one part (evaluation.splits)",
    )  # fmt: skip
    parser.add_argument(
        "--readings", nargs="+", choices=list(READINGS), help="embedded readings (default: all)"
    )
    args = parser.parse_args(argv)
    if not (SHARED_EVAL / DATASETS[args.dataset][1]).is_file():
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    readings = args.readings or list(READINGS)
    cases = collect(args.dataset, args.limit, readings, args.part)
    halves = [[c for c in cases if c.half == h] for h in (0, 1)]
    print(
        f"{args.dataset}: {len(cases)} questions whose first cited passage holds the answer "
        f"(halves {len(halves[0])} / {len(halves[1])})\n"
    )
    print("| reading | words weight | all | half A | half B |")
    print("|---|---|---|---|---|")
    for reading in [*readings, *POOLED]:
        for weight in args.weights:
            figures = [
                accuracy(cases, reading, weight),
                *(accuracy(h, reading, weight) for h in halves),
            ]
            print(f"| {reading} | {weight:g} | " + " | ".join(f"{f:.3f}" for f in figures) + " |")
    stored = POOLED[0]
    print(f"\nThe stored reading ({stored}) against the question's words alone, and with a bonus")
    print("for a number the question lacks when it asks how many, how much, when or what year")
    print(f"({sum(c.asks_number for c in cases)} of {len(cases)} questions):\n")
    print("| choice | all | half A | half B |")
    print("|---|---|---|---|")
    variants = [
        ("cosine alone", 0.0, 0.0),
        ("words alone (cosine breaks ties)", WORDS_ALONE, 0.0),
        *((f"cosine + 1.5 x words + {b:g} for a number", 1.5, b) for b in (0.0, 0.1, 0.2)),
    ]
    for name, weight, bonus in variants:
        figures = [accuracy(group, stored, weight, bonus) for group in (cases, *halves)]
        print(f"| {name} | " + " | ".join(f"{f:.3f}" for f in figures) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
