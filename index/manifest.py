"""The manifest saved beside every index version: what built it, and what a reader must match."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import IndexCorruptError, IndexMismatchError

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
REBUILD_HINT = "rebuild it with `python -m index rebuild`"


@dataclass(frozen=True, slots=True)
class Manifest:
    """Written last into a version folder; a folder without one was never completed."""

    format_version: int
    build_id: str
    model: str
    dimension: int
    metric: str
    index_factory: str
    passage_max_tokens: int
    passage_min_tokens: int
    passage_overlap_sentences: int
    articles: int
    passages: int
    built_at: str

    def save(self, folder: Path) -> None:
        (folder / MANIFEST_NAME).write_text(json.dumps(asdict(self), indent=2) + "\n", "utf-8")

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST_NAME
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise IndexCorruptError(f"{path} is missing: {REBUILD_HINT}") from None
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"{path} cannot be read ({exc}): {REBUILD_HINT}") from None
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            found = data.get("format_version") if isinstance(data, dict) else None
            raise IndexMismatchError(
                f"the index in {folder} has format version {found}, this program reads "
                f"{FORMAT_VERSION}: {REBUILD_HINT}"
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise IndexCorruptError(
                f"{path} is not a valid manifest ({exc}): {REBUILD_HINT}"
            ) from None

    def check_compatible(self, model: str, dimension: int) -> None:
        """Refuse an index whose vectors another model made: the scores would be meaningless."""
        if self.model != model or self.dimension != dimension:
            raise IndexMismatchError(
                f"the index was built with model {self.model!r} ({self.dimension} dimensions) "
                f"but the configured model is {model!r} ({dimension} dimensions): either set "
                f"EMBEDDING_MODEL={self.model} or {REBUILD_HINT}"
            )
