"""Which passages a search may return: a window on when their article happened, and outlets.

The filter is applied inside the search by each store (a FAISS id selector, a Milvus filter
expression, a mask on BM25 scores), so the k best passages *within* it come back, not the k best
overall thinned out afterwards. An article's moment is its story moment
(`index.stories.fingerprint.story_moment`): its published date (a date alone counts as that
day's noon UTC, so it falls on the same calendar day in every time zone), or when it was first
indexed when it has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from index.stories.fingerprint import story_moment


@dataclass(frozen=True, slots=True)
class PassageFilter:
    """Passages whose article happened in [start, end) (seconds since the epoch, UTC), from one of
    `sources` (exact stored names; None: any) and none of `excluded_sources`."""

    start: int | None = None
    end: int | None = None
    sources: frozenset[str] | None = None
    excluded_sources: frozenset[str] = frozenset()

    @classmethod
    def between(
        cls,
        start: datetime | None,
        end: datetime | None,
        sources: frozenset[str] | None = None,
        excluded_sources: frozenset[str] = frozenset(),
    ) -> PassageFilter:
        """A filter from aware datetimes (a window read from a question)."""
        return cls(
            None if start is None else int(start.timestamp()),
            None if end is None else int(end.timestamp()),
            sources,
            excluded_sources,
        )

    @property
    def has_time(self) -> bool:
        return self.start is not None or self.end is not None

    @property
    def has_sources(self) -> bool:
        return self.sources is not None or bool(self.excluded_sources)

    def passes(self, moment: int, source: str | None) -> bool:
        """Whether an article of this moment (seconds) and outlet is let through."""
        if self.start is not None and moment < self.start:
            return False
        if self.end is not None and moment >= self.end:
            return False
        if self.sources is not None and source not in self.sources:
            return False
        return source is None or source not in self.excluded_sources

    def passes_record(
        self, published: str | None, first_indexed_at: str, source: str | None
    ) -> bool:
        """`passes` for an article's stored fields."""
        return self.passes(moment_seconds(published, first_indexed_at), source)

    def milvus_expression(self, moment_field: str | None = "moment") -> str:
        """The filter as a Milvus boolean expression on passage rows ("" lets everything
        through); `moment_field` None leaves the window out (a collection without moments)."""
        parts = []
        if moment_field is not None and self.start is not None:
            parts.append(f"{moment_field} >= {self.start}")
        if moment_field is not None and self.end is not None:
            parts.append(f"{moment_field} < {self.end}")
        if self.sources is not None:
            parts.append(f"source in {_milvus_strings(self.sources)}")
        if self.excluded_sources:
            parts.append(
                f"(source is null or source not in {_milvus_strings(self.excluded_sources)})"
            )
        return " and ".join(parts)


def moment_seconds(published: str | None, first_indexed_at: str) -> int:
    """An article's moment as seconds since the epoch (what stores filter on)."""
    return int(story_moment(published, first_indexed_at).timestamp())


def _milvus_strings(values: frozenset[str]) -> str:
    """A Milvus list literal of strings; JSON's escaping is what its expression parser reads."""
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in sorted(values)) + "]"
