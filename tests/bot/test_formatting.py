"""Where `tests/index/test_hits.py` imports its hit strategies from: they are in
`tests.bot.rendering_helpers` now. Remove once that import names the new place."""

from __future__ import annotations

from tests.bot.rendering_helpers import hit_lists, make_hit

__all__ = ["hit_lists", "make_hit"]
