"""Which evaluation questions settings may be tuned on, and which ones the figures are reported on.

Settings chosen on the questions they are reported on look better than they are: part of the
gain is fitted to those questions. So every question belongs to a *group* that is never cut
(a news quiz's week, a Wikipedia article, a query), and whole groups go to one of two parts:

- **tune**: what settings may be chosen on;
- **report**: what the figures of the README are measured on.

News quizzes are split in time: the earliest weeks, until they hold at least half the
questions, tune; the later weeks report. That is how the product meets questions (its settings
are fixed before next week's news), and a story followed over several weeks stays mostly on one
side. Other groups are split by a hash of their name, so the split never depends on file order
and a group keeps its part when groups are added.

Folds (for cross-validation) are the weeks of a quiz, or `k` hash buckets of the groups.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

SALT = "newsbot-eval-split"
"""Part of what is hashed: changing it would draw another split (do not, once figures exist)."""
TUNE, REPORT = "tune", "report"
_QUIZ_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:_|$)")


@dataclass(frozen=True, slots=True)
class Split(Generic[T]):
    """The two parts, each in the order the items came in."""

    tune: list[T]
    report: list[T]


def quiz_week(question_id: str) -> str | None:
    """The ISO date a RealTimeQA question id starts with ("20220617_3" → "2022-06-17"), else None."""
    found = _QUIZ_DATE.match(question_id)
    return "-".join(found.groups()) if found else None


def hash_share(key: str, salt: str = SALT) -> float:
    """A stable number in [0, 1) for a key: the same on every machine and Python version."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_in_time(items: Sequence[T], group: Callable[[T], str]) -> Split[T]:
    """The earliest groups (in sorted order) until they hold at least half the items: tune;
    the later ones: report. Groups are never cut."""
    sizes: dict[str, int] = {}
    for item in items:
        sizes[group(item)] = sizes.get(group(item), 0) + 1
    tuning: set[str] = set()
    held = 0
    for name in sorted(sizes):
        if held * 2 >= len(items):
            break
        tuning.add(name)
        held += sizes[name]
    return _parts(items, lambda item: group(item) in tuning)


def split_by_hash(items: Sequence[T], group: Callable[[T], str], share: float = 0.5) -> Split[T]:
    """Items whose group hashes below `share` tune, the others report. Groups are never cut."""
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must lie strictly between 0 and 1, not {share}")
    return _parts(items, lambda item: hash_share(group(item)) < share)


def folds_by_group(items: Sequence[T], group: Callable[[T], str]) -> dict[str, list[T]]:
    """One fold per group, in sorted order (leave-one-group-out: for quizzes, one per week)."""
    folds: dict[str, list[T]] = {}
    for item in items:
        folds.setdefault(group(item), []).append(item)
    return {name: folds[name] for name in sorted(folds)}


def folds_by_hash(items: Sequence[T], group: Callable[[T], str], k: int) -> dict[str, list[T]]:
    """`k` folds of whole groups, by hash; an empty fold is left out."""
    if k < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, not {k}")
    folds: dict[str, list[T]] = {}
    for item in items:
        fold = math.floor(hash_share(group(item), f"{SALT}:folds") * k)
        folds.setdefault(f"fold {fold + 1}", []).append(item)
    return {name: folds[name] for name in sorted(folds)}


@dataclass(frozen=True, slots=True)
class Spread:
    """A metric over folds: its mean, standard deviation and range (NaN folds left out)."""

    mean: float
    sd: float
    low: float
    high: float
    folds: int

    def __str__(self) -> str:
        if not self.folds:
            return "—"
        return f"{self.mean:.3f} ± {self.sd:.3f} ({self.low:.3f}–{self.high:.3f})"


def spread(values: Iterable[float]) -> Spread:
    """The spread of one metric's per-fold values; a fold where it is undefined (NaN) is left out."""
    known = [v for v in values if not math.isnan(v)]
    if not known:
        return Spread(math.nan, math.nan, math.nan, math.nan, 0)
    sd = statistics.stdev(known) if len(known) > 1 else 0.0
    return Spread(statistics.fmean(known), sd, min(known), max(known), len(known))


def spreads(per_fold: Sequence[Mapping[str, float]]) -> dict[str, Spread]:
    """`spread` of every metric of the first fold, over all folds."""
    if not per_fold:
        return {}
    return {name: spread(fold.get(name, math.nan) for fold in per_fold) for name in per_fold[0]}


def _parts(items: Sequence[T], tunes: Callable[[T], bool]) -> Split[T]:
    tune: list[T] = []
    report: list[T] = []
    for item in items:
        (tune if tunes(item) else report).append(item)
    return Split(tune, report)
