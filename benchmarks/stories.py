"""Story assignment on labelled news-event sets: calibrate on the earlier part, report on the later.

Every article gets the card the index gives it (its passages cut and embedded by the packaged
model, `index.stories.fingerprint.make_card`) and `index.stories.assignment.assign_stories`
places them in stream order. On each set's tune part (its earliest 60% of days; an event
belongs to the part of its first day) the pair score's logistic weights are fitted to the
labelled pairs within the window and `join` is chosen for the best B-cubed F0.5; the report part
then compares the rules in `story_rules.json` (old) with the fitted ones (new) and with three
baselines through the same online grouping, each with its threshold tuned on tune: title words
(Jaccard), TF-IDF cosine of title and text, and the article vectors' cosine. `follow` is left
as it is: no set here says which event develops which.

Last, the time to place an article among 50,000 placed ones (real cards resampled over 7 to
50 days), cards built beforehand: no model call.

    .venv/bin/python -m benchmarks.stories
    .venv/bin/python -m benchmarks.stories --data ../stories-data/basil.jsonl
    .venv/bin/python -m benchmarks.stories --write --output benchmarks/results/stories.md

The data sets (JSON Lines of id, title, text, source, published, event) are not part of the
project: see `../stories-data/README.md` for where each comes from. A set whose name starts with
`uci_news_aggregator` is labelled per day and is scored within each day. The first set given
is the one `--write` calibrates `story_rules.json` on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy import sparse

from benchmarks import provenance
from benchmarks.clustering import Scores, best_earlier, online_groups, score_grouping
from benchmarks.story_sets import (
    DATA_DIR,
    DEFAULT_DATA,
    TUNE_SHARE,
    DataSet,
    Part,
    load_set,
    with_lead,
)
from index import IndexSettings, load_embedder
from index.passages.cutting import ChunkingOptions
from index.stories.assignment import (
    RULES_FILE,
    VECTOR_FLOOR,
    Placed,
    Placement,
    StoryRules,
    assign_stories,
    load_rules,
    story_id_of,
)
from index.stories.fingerprint import StoryCard

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ("vector", "names", "title", "days")
FITTED = ("vector", "names", "title")
"""The features `--write` fits: AllSides dates an article by its roundup, so every same-event
pair there is 0 days apart and a fitted days weight would only learn the labelling."""
THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)
LEAD_OPTIONS = (500, 1_000, 1_500, 3_000, 100_000)
FIT_PAIRS = 400_000
BLOCK = 256


# --- Pair scores, in blocks ----------------------------------------------------------------------


def word_matrix(sets: Sequence[frozenset[str]]) -> sparse.csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for row, words in enumerate(sets):
        for word in words:
            rows.append(row)
            columns.append(vocabulary.setdefault(word, len(vocabulary)))
    shape = (len(sets), max(1, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)), shape=shape)


def jaccard(matrix: sparse.csr_matrix, lo: int, hi: int) -> np.ndarray:
    shared = (matrix[lo:hi] @ matrix.T).toarray()
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    union = sizes[lo:hi, None] + sizes[None, :] - shared
    return np.where(
        (sizes[lo:hi, None] > 0) & (sizes[None, :] > 0), shared / np.maximum(union, 1), 0.0
    )


@dataclass
class Block:
    """Features of rows `lo:hi` against every article of a part (rows × articles)."""

    lo: int
    hi: int
    features: np.ndarray  # (4, rows, articles): vector cosine, names, title words, days apart
    scope: np.ndarray  # same scope (day, for per-day sets) or all True

    @property
    def within(self) -> np.ndarray:
        return self.features[3] * 86_400 <= WINDOW.total_seconds()


WINDOW = timedelta(hours=72)


def blocks(part: Part) -> Iterator[Block]:
    vectors = np.stack([c.vector for c in part.cards])
    names = word_matrix([c.names for c in part.cards])
    titles = word_matrix([c.title_words for c in part.cards])
    days = np.array([c.moment.timestamp() / 86_400 for c in part.cards])
    day_of = np.array([c.moment.date().toordinal() for c in part.cards])
    for lo in range(0, len(part.cards), BLOCK):
        hi = min(lo + BLOCK, len(part.cards))
        features = np.stack([
            vectors[lo:hi] @ vectors.T, jaccard(names, lo, hi), jaccard(titles, lo, hi),
            np.abs(days[lo:hi, None] - days[None, :]),
        ])  # fmt: skip
        scope = (
            day_of[lo:hi, None] == day_of[None, :]
            if part.within_day
            else np.ones_like(features[0], bool)
        )
        yield Block(lo, hi, features, scope)


def rule_scores(rules: StoryRules, features: np.ndarray) -> np.ndarray:
    weights = np.array(
        [rules.vector_weight, rules.names_weight, rules.title_weight, rules.days_weight]
    )
    return 1.0 / (1.0 + np.exp(-(rules.bias + np.tensordot(weights, features, axes=1))))


Scorer = Callable[[Block], tuple[np.ndarray, np.ndarray]]
"""Scores of a block's pairs and which pairs may be joined at all."""


def rules_scorer(rules: StoryRules) -> Scorer:
    return lambda b: (rule_scores(rules, b.features), b.within & (b.features[0] >= VECTOR_FLOOR))


def best_matches(part: Part, scorer: Scorer) -> tuple[np.ndarray, np.ndarray]:
    """Each article's best-scoring earlier article within the window, and that score."""
    best, score = [], []
    for block in blocks(part):
        values, allowed = scorer(block)
        b, s = best_earlier(values, allowed, block.lo)
        best.append(b)
        score.append(s)
    return np.concatenate(best), np.concatenate(score)


def grouping_scores(part: Part, best: np.ndarray, score: np.ndarray, threshold: float) -> Scores:
    return score_grouping(part.labels(online_groups(best, score, threshold)), part.events)


SELECT_BETA = 0.5
"""Thresholds are chosen for the best B-cubed F0.5, precision weighing twice recall: two events
wrongly joined cost a chat an alert (the second event only edits the first's alert) and hide a
citation; one event wrongly split costs one duplicate alert."""


def sweep(part: Part, best: np.ndarray, score: np.ndarray) -> tuple[float, Scores]:
    """The threshold with the best B-cubed F0.5 (the higher one on a tie) and its scores."""
    results = [(t, grouping_scores(part, best, score, t)) for t in THRESHOLDS]
    return max(results, key=lambda r: (round(r[1].bcubed_f(SELECT_BETA), 6), r[0]))


# --- Calibration ---------------------------------------------------------------------------------


def training_pairs(part: Part, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The pairs the assignment scores (earlier article, within the window, vectors above the
    floor; same day for per-day sets): features and whether they are one event."""
    events = np.array([hash(e) for e in part.events])
    features, labels = [], []
    for block in blocks(part):
        earlier = np.arange(len(events))[None, :] < np.arange(block.lo, block.hi)[:, None]
        keep = earlier & block.within & block.scope & (block.features[0] >= VECTOR_FLOOR)
        features.append(block.features[:, keep].T)
        labels.append((events[block.lo : block.hi, None] == events[None, :])[keep])
    x, y = np.concatenate(features), np.concatenate(labels)
    if len(y) > FIT_PAIRS:
        chosen = np.random.default_rng(seed).choice(len(y), FIT_PAIRS, replace=False)
        x, y = x[chosen], y[chosen]
    return x, y


def fit_rules(
    part: Part, base: StoryRules, used: Sequence[str] = FEATURES
) -> tuple[StoryRules, Scores, int]:
    """Logistic weights fitted on the part's pairs (features not `used` weigh 0), and the `join`
    with the best B-cubed F0.5 of the online assignment on the same part."""
    x, y = training_pairs(part)
    columns = [FEATURES.index(f) for f in used]
    weights = np.zeros(len(FEATURES))
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        bias, weights[columns] = gradient_descent(x[:, columns], y)
    else:
        model = LogisticRegression(C=1.0, max_iter=2_000).fit(x[:, columns], y)
        bias, weights[columns] = float(model.intercept_[0]), model.coef_[0]
    rules = replace(
        base, bias=round(bias, 4), vector_weight=round(weights[0], 4),
        names_weight=round(weights[1], 4), title_weight=round(weights[2], 4),
        days_weight=round(weights[3], 4),
    )  # fmt: skip
    join, scores = sweep(part, *best_matches(part, rules_scorer(rules)))
    return replace(rules, join=float(join)), scores, len(y)


def gradient_descent(x: np.ndarray, y: np.ndarray, steps: int = 5_000) -> tuple[float, np.ndarray]:
    """Logistic regression without scikit-learn (mean log loss, small L2)."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.5 * (x.T @ (p - y) / len(y) + 1e-4 * w)
        b -= 0.5 * float((p - y).mean())
    return b, w


# --- Baselines -----------------------------------------------------------------------------------


def baseline_scorers(data: DataSet) -> dict[str, Callable[[Part], Scorer]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    tfidf.fit([f"{t}\n{x}" for t, x in data.tune.texts])

    def tfidf_scorer(part: Part) -> Scorer:
        matrix = tfidf.transform([f"{t}\n{x}" for t, x in part.texts])
        return lambda b: ((matrix[b.lo : b.hi] @ matrix.T).toarray(), b.within)

    return {
        "title words (Jaccard)": lambda part: lambda b: (b.features[2], b.within),
        "TF-IDF cosine, title + text": tfidf_scorer,
        "article vectors' cosine": lambda part: lambda b: (b.features[0], b.within),
    }


# --- The real assignment -------------------------------------------------------------------------


def assigned(part: Part, rules: StoryRules) -> tuple[Scores, float]:
    """`assign_stories` over the part in stream order: its scores and its ms per article."""
    started = time.perf_counter()
    placements = assign_stories([], part.cards, rules)
    ms = (time.perf_counter() - started) * 1000 / max(1, len(part.cards))
    stories = [placements[c.article_id].story_id for c in part.cards]
    return score_grouping(part.labels(stories), part.events), ms


def placement_cost(
    pool: Sequence[StoryCard],
    rules: StoryRules,
    per_day: int,
    total: int = 50_000,
    batch: int = 100,
    repeats: int = 5,
    seed: int = 0,
) -> tuple[float, int, float]:
    """Median ms per article placed in batches of `batch`, after `total` placed ones published
    at `per_day` (real cards with shifted moments); the placed articles in the reach, and the
    share of them an incoming article scores (those above `VECTOR_FLOOR`)."""
    rng = np.random.default_rng(seed)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    span = total / per_day

    def card(k: int, moment: datetime) -> StoryCard:
        return replace(pool[int(rng.integers(len(pool)))], article_id=f"a{k}", moment=moment)

    placed = [card(k, start + timedelta(days=float(rng.uniform(0, span)))) for k in range(total)]
    reach = max(rules.window, rules.follow_window)
    end = start + timedelta(days=span)
    near = [
        Placed(c, Placement(story_id_of(c.article_id))) for c in placed if c.moment >= end - reach
    ]
    times, scored = [], []
    stacked = np.stack([p.card.vector for p in near])
    for r in range(repeats):
        incoming = [card(total + r * batch + i, end + timedelta(seconds=int(rng.integers(3_600))))
                    for i in range(batch)]  # fmt: skip
        started = time.perf_counter()
        assign_stories(near, incoming, rules)
        times.append((time.perf_counter() - started) * 1000 / batch)
        scored.append(
            float((stacked @ np.stack([c.vector for c in incoming]).T >= VECTOR_FLOOR).mean())
        )
    return float(np.median(times)), len(near), float(np.mean(scored))


# --- Report --------------------------------------------------------------------------------------

VARIANTS: dict[str, tuple[tuple[str, ...], int | None]] = {
    "vector, names, title words (fitted by default)": (FITTED, None),
    "the same and days apart": (FEATURES, None),
    "vector and title words": (("vector", "title"), None),
    "vector and names": (("vector", "names"), None),
    "vector only": (("vector",), None),
    **{f"default features, LEAD_CHARS = {n:,}": (FITTED, n) for n in LEAD_OPTIONS},
}


def variant_rows(sets: Sequence[DataSet], base: StoryRules) -> list[str]:
    """Tune B-cubed F1 of each feature set and lead length, fitted and tuned on each set."""
    lines = ["| variant | " + " | ".join(d.name for d in sets) + " |", "|---|" + "---|" * len(sets)]
    for label, (used, lead) in VARIANTS.items():
        cells = []
        for data in sets:
            longest = max(len(x) for _, x in data.tune.texts)
            if lead is not None and longest <= min(LEAD_OPTIONS):
                cells.append("= (no text that long)")
                continue
            part = with_lead(data.tune, lead) if lead is not None else data.tune
            rules, scores, _ = fit_rules(part, base, used)
            cells.append(f"{scores.bcubed_f1:.3f} (join {rules.join:.2f})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def row(label: str, threshold: str, tune: Scores, report: Scores, note: str = "") -> str:
    r = report
    return (
        f"| {label} | {threshold} | {tune.bcubed_f(SELECT_BETA):.3f} | {r.pair_precision:.3f} | "
        f"{r.pair_recall:.3f} | {r.pair_f1:.3f} | {r.bcubed_precision:.3f} | "
        f"{r.bcubed_recall:.3f} | **{r.bcubed_f1:.3f}** | **{r.bcubed_f(SELECT_BETA):.3f}** | "
        f"{r.groups} / {r.events} |{note}"
    )


HEADER = [
    "| grouping | threshold | tune B³ F0.5 | pair P | pair R | pair F1 | B³ P | B³ R | B³ F1 "
    "| B³ F0.5 | groups / events |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
]


def set_table(data: DataSet, rules: dict[str, StoryRules]) -> tuple[list[str], list[str]]:
    """The report part's table for one set, and notes on how the real assignment ran."""
    lines, notes = list(HEADER), []
    for label, chosen in rules.items():
        tune = grouping_scores(
            data.tune, *best_matches(data.tune, rules_scorer(chosen)), chosen.join
        )
        report, ms = assigned(data.report, chosen)
        fast = grouping_scores(
            data.report, *best_matches(data.report, rules_scorer(chosen)), chosen.join
        )
        if abs(fast.bcubed_f1 - report.bcubed_f1) > 1e-9:
            notes.append(
                f"{label}: the threshold sweep's grouping differs from assign_stories' "
                f"(B³ F1 {fast.bcubed_f1:.3f} against {report.bcubed_f1:.3f})"
            )
        notes.append(f"{label}: assign_stories placed the report part at {ms:.2f} ms per article")
        lines.append(row(label, f"join {chosen.join:.2f}", tune, report))
    for label, make in baseline_scorers(data).items():
        threshold, tune = sweep(data.tune, *best_matches(data.tune, make(data.tune)))
        report = grouping_scores(
            data.report, *best_matches(data.report, make(data.report)), threshold
        )
        lines.append(row(label, f"{threshold:.2f}", tune, report))
    return lines, notes


def rules_text(rules: StoryRules) -> str:
    return (f"bias {rules.bias:g}, vector {rules.vector_weight:g}, names {rules.names_weight:g}, "
            f"title {rules.title_weight:g}, days {rules.days_weight:g}; join {rules.join:g}, "
            f"follow {rules.follow:g}")  # fmt: skip


def write_rules(rules: StoryRules, data: DataSet, command: str) -> None:
    """`story_rules.json` with the fitted weights and `join`, and where they came from."""
    kept = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    kept.update(
        bias=rules.bias, vector_weight=rules.vector_weight, names_weight=rules.names_weight,
        title_weight=rules.title_weight, days_weight=rules.days_weight, join=rules.join,
    )  # fmt: skip
    kept["calibration"] = {
        "data set": f"{data.name}.jsonl (see benchmarks/stories.py)",
        "part": f"tune: the events first reported {data.days[0]} to before {data.days[1]} "
        f"({len(data.tune.cards)} articles); follow is not calibrated (no set labels developments)",
        "date": datetime.now(UTC).date().isoformat(),
        "commit": provenance.commit(),
        "command": command,
    }
    RULES_FILE.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="example: python -m benchmarks.stories --write",
    )  # fmt: skip
    parser.add_argument("--data", type=Path, action="append", metavar="FILE",
                        help="a labelled set (JSON Lines); repeatable; the first calibrates. "
                        f"Default: {', '.join(p.name for p in DEFAULT_DATA)} in {DATA_DIR}")  # fmt: skip
    parser.add_argument("--write", action="store_true",
                        help="write the fitted weights and join to index/stories/story_rules.json")  # fmt: skip
    parser.add_argument("--output", type=Path, help="also write the report to this Markdown file")
    parser.add_argument(
        "--features", type=lambda text: tuple(text.split(",")), default=FITTED,
        help=f"the pair features fitted (the others weigh 0), of {','.join(FEATURES)}; "
        f"default {','.join(FITTED)}",
    )  # fmt: skip
    parser.add_argument(
        "--no-variants", action="store_true", help="skip the feature and lead variants"
    )
    parser.add_argument("--no-cost", action="store_true", help="skip the cost at 50,000 articles")
    args = parser.parse_args()
    if unknown := set(args.features) - set(FEATURES):
        parser.error(
            f"--features: no feature {', '.join(sorted(unknown))} (of {', '.join(FEATURES)})"
        )
    paths = []
    for path in args.data or DEFAULT_DATA:
        if path.exists():
            paths.append(path)
        else:
            print(f"skipped: {path} is not there (the labelled sets are not part of the project)")
    if not paths:
        return 0
    started = time.perf_counter()
    settings = IndexSettings()  # type: ignore[call-arg]
    embedder = load_embedder(settings)
    chunking = ChunkingOptions(
        max_tokens=settings.passage_max_tokens, min_tokens=settings.passage_min_tokens,
        overlap_sentences=settings.passage_overlap_sentences,
    )  # fmt: skip
    sets = [load_set(path, embedder, chunking) for path in paths]
    old = load_rules(RULES_FILE)
    calibration = sets[0]
    new, _, pairs = fit_rules(calibration.tune, old, args.features)
    command = " ".join(["python -m benchmarks.stories", *sys.argv[1:]])
    report = [
        "# Stories: same-event grouping on labelled news-event sets",
        "",
        f"- command: `{command}`",
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}, commit "
        f"{provenance.commit()}; model {embedder.model_name} ({embedder.backend})",
        f"- split by time: an event belongs to the part of its first day; tune = the earliest "
        f"{TUNE_SHARE:.0%} of each set's days, report = the rest",
        f"- old: `story_rules.json` as it was ({rules_text(old)})",
        f"- new: logistic weights of {', '.join(args.features)} (the others weigh 0) fitted on {pairs:,} pairs of {calibration.name}'s tune part "
        f"(earlier article within {old.window.total_seconds() / 3600:g} h, article vectors' "
        f"cosine ≥ {VECTOR_FLOOR}), join chosen for the best B³ F0.5 (precision weighing twice recall) on that part: {rules_text(new)}",
        "- baselines: the same online grouping (an article joins the story of its best-scoring "
        "earlier article within the window if the score clears the threshold), threshold chosen "
        "for the best B³ F0.5 on each set's tune part; TF-IDF fitted on the tune part",
        "",
    ]
    for data in sets:
        rules = {"old (hand-set)": old, f"new (fitted on {calibration.name})": new}
        if data is not calibration:
            rules[f"refitted on {data.name}"] = fit_rules(data.tune, old, args.features)[0]
        lines, notes = set_table(data, rules)
        tune, rep = data.tune, data.report
        report += [
            f"## {data.name}",
            "",
            f"tune {len(tune.cards)} articles, {len(set(tune.events))} events "
            f"({data.days[0]} to before {data.days[1]}); report {len(rep.cards)} articles, "
            f"{len(set(rep.events))} events ({data.days[1]} to {data.days[2]})"
            + ("; labelled per day, scored within each day" if tune.within_day else ""),
            "",
            *lines,
            "",
            *(f"- {note}" for note in notes),
            "",
        ]
        print("\n".join(report[-len(lines) - len(notes) - 6 :]), flush=True)
    if not args.no_variants:
        report += [
            "## Which features, how much lead (tune parts)",
            "",
            "Each variant fitted and its join chosen on each set's own tune part; B³ F1 there.",
            "",
            *variant_rows(sets, old),
            "",
        ]
    if not args.no_cost:
        pool = [c for data in sets for c in data.tune.cards + data.report.cards]
        report += [
            "## Cost: placing an article among 50,000 placed ones",
            "",
            f"{len(pool):,} real cards resampled with shifted moments, new rules; cards built "
            "beforehand, so no model call. The placed articles passed are those within reach "
            f"({max(old.window, old.follow_window).days} days back), as a write passes them.",
            "",
            "| articles a day | placed in reach | of them scored (cosine ≥ floor) "
            "| ms per article, batches of 100 | ms, one at a time |",
            "|---|---|---|---|---|",
        ]
        for per_day in (1_000, 2_000, 7_143):
            batched, near, scored = placement_cost(pool, new, per_day, batch=100)
            alone, _, _ = placement_cost(pool, new, per_day, batch=1, repeats=5)
            report.append(
                f"| {per_day:,} | {near:,} | {scored:.0%} | {batched:.1f} | {alone:.1f} |"
            )
        report.append("")
    report.append(f"Runtime {time.perf_counter() - started:.0f} s.")
    text = "\n".join(report) + "\n"
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    if args.write:
        write_rules(new, calibration, command)
        print(f"wrote {RULES_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
