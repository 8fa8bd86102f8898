"""Choosing `FollowUpRules` on the tune part of the follow-up set (`benchmarks.followups`):
a grid of the two settings, each point scored by how the follow-ups fare with context and how
a question about another story fares after the conversation (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GridPoint:
    """One setting of the rules and its figures: follow-ups with context (answer and article
    hit@1), and topic-switch questions with context (answer hit@1)."""

    cited_bonus: float
    new_question_confidence: float
    answer_hit1: float
    article_hit1: float
    switch_answer_hit1: float


def best(points: Sequence[GridPoint], default: tuple[float, float]) -> GridPoint:
    """The point with the best answer hit@1, then article hit@1, then topic-switch answer
    hit@1; a tie goes to the product's defaults, then to the smaller bonus and confidence."""
    if not points:
        raise ValueError("no grid points to choose from")

    def key(point: GridPoint) -> tuple[float, ...]:
        figures = (point.answer_hit1, point.article_hit1, point.switch_answer_hit1)
        known = tuple(-1.0 if math.isnan(f) else f for f in figures)
        is_default = (point.cited_bonus, point.new_question_confidence) == default
        return (*known, float(is_default), -point.cited_bonus, -point.new_question_confidence)

    return max(points, key=key)


def grid_table(points: Sequence[GridPoint], chosen: GridPoint) -> str:
    """A markdown table, one row per point, the chosen one in bold."""
    lines = [
        "| cited_bonus | new_question_confidence | answer hit@1 | article hit@1 "
        "| topic switch answer hit@1 |",
        "|---:|---:|---:|---:|---:|",
    ]
    for point in points:
        cells = [
            f"{point.cited_bonus:g}", f"{point.new_question_confidence:g}",
            *(_figure(v) for v in
              (point.answer_hit1, point.article_hit1, point.switch_answer_hit1)),
        ]  # fmt: skip
        if point == chosen:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _figure(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.3f}"
