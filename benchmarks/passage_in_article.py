"""Which passage of an article to cite: the best-scored one, the lead, or the one holding more of
the question's words, measured where the first cited article has several candidate passages.

Search cites one passage per article (SEARCH_MAX_PER_ARTICLE=1): the passage ranked best. When
an article's lead and a later passage both match, the later one is sometimes the aftermath while
the answer is in the lead, or the reverse. For every answerable question of a part of
RealTimeQA, the first cited article's candidate passages are taken from a deeper search, and
each rule picks one of them; printed is how often the pick holds the answer, with the number
of questions where the article offered more than one passage.

    .venv/bin/python -m benchmarks.passage_in_article --part tune
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Sequence

from evaluation.datasets import DATASETS, SHARED_EVAL, open_dataset, question_parts
from evaluation.metrics import contains_answer
from index import IndexSettings, load_embedder
from index.search.hits import Hit

Rule = Callable[[Sequence[Hit]], Hit]


def lead_within(delta: float) -> Rule:
    def rule(passages: Sequence[Hit]) -> Hit:
        lead = next((h for h in passages if h.passage_number == 1), None)
        return lead if lead is not None and lead.score >= passages[0].score - delta else passages[0]

    return rule


def most_words(passages: Sequence[Hit]) -> Hit:
    def words(hit: Hit) -> float:
        return hit.evidence.sentence_coverage if hit.evidence else 0.0

    return max(passages, key=lambda h: (words(h), -h.rank))


RULES: dict[str, Rule] = {
    "best scored (today)": lambda passages: passages[0],
    "lead, if within 0.02 of the best cosine": lead_within(0.02),
    "lead, if within 0.05": lead_within(0.05),
    "lead, if within 0.10": lead_within(0.10),
    "lead always": lead_within(2.0),
    "most of the question's words in one sentence": most_words,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["tune", "report"], default="tune")
    parser.add_argument("--dataset", choices=["realtimeqa", "xquad"], default="realtimeqa")
    args = parser.parse_args(argv)
    if not (SHARED_EVAL / DATASETS[args.dataset][1]).is_file():
        print(f"{SHARED_EVAL} is not there: nothing to measure.", file=sys.stderr)
        return 0
    settings = IndexSettings()
    data = open_dataset(args.dataset, settings, load_embedder(settings))
    split = question_parts(data.questions)
    chosen = split.tune if args.part == "tune" else split.report
    cases: list[tuple[list[str], list[Hit]]] = []
    for question in (data.questions.questions[p] for p in chosen):
        if not question.answers:
            continue
        hits = data.index.search(
            question.text, k=40, max_per_article=20, min_score=-1.0, min_confidence=0.0,
            bold_sentence=False, as_of=question.asked, with_evidence=True,
        )  # fmt: skip
        if hits:
            first = hits[0].article_id
            cases.append((question.answers, [h for h in hits if h.article_id == first]))
    several = [c for c in cases if len(c[1]) > 1]
    print(f"{args.dataset} {args.part} part: {len(cases)} answerable questions; the first cited "
          f"article offers several passages for {len(several)}\n")  # fmt: skip
    print("| rule | answer hit@1, all | where the article offers several passages |")
    print("|---|---:|---:|")
    for name, rule in RULES.items():
        figures = [
            statistics.fmean(contains_answer(rule(passages).text, answers) for answers, passages in group)
            if group else float("nan")
            for group in (cases, several)
        ]  # fmt: skip
        print(f"| {name} | {figures[0]:.3f} | {figures[1]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
