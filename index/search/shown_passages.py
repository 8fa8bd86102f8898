"""Whole passages of a search's candidates, read only when a citation or a comparison needs one.

Ranking reads what it needs of every candidate from memory (`index.store.passage_facts`); the
text and the rest of a citation are read for the few passages selection compares (near-copies)
and the ones shown. They are read along the ranking, a batch at a time, so a search asks its
store once or twice however many candidates it weighed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.errors import IndexCorruptError
from index.store.manifest import REBUILD_HINT
from index.store.metadata import PassageRecord


class ShownPassages:
    """Records by row, read on first use together with the next unread rows of `ranked`."""

    def __init__(
        self,
        read: Callable[[Sequence[int]], dict[int, PassageRecord]],
        ranked: Sequence[int],
        batch: int,
        location: str = "",
    ) -> None:
        self._read = read
        self._ranked = list(ranked)
        self._position = {row: i for i, row in enumerate(self._ranked)}
        self._batch = max(1, batch)
        self._location = location
        self._records: dict[int, PassageRecord] = {}

    def __getitem__(self, row: int) -> PassageRecord:
        if row not in self._records:
            self.read([row])
        return self._records[row]

    def read(self, rows: Sequence[int]) -> dict[int, PassageRecord]:
        """These rows' records (reading those not read yet, with the rows ranked after them)."""
        missing = [row for row in dict.fromkeys(rows) if row not in self._records]
        if missing:
            wanted = dict.fromkeys(missing)
            for row in missing:
                start = self._position.get(row)
                if start is None:
                    continue
                ahead = (r for r in self._ranked[start + 1 :] if r not in self._records)
                for r in ahead:
                    if len(wanted) >= len(missing) + self._batch - 1:
                        break
                    wanted.setdefault(r)
            self._records.update(self._read(list(wanted)))
            lacking = [row for row in missing if row not in self._records]
            if lacking:
                raise IndexCorruptError(
                    f"the index version {self._location} lacks passage rows it ranked "
                    f"({lacking[:5]}): {REBUILD_HINT}"
                )
        return {row: self._records[row] for row in rows}
