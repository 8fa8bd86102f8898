"""Where `tests/index/test_hits.py` imports its hit strategies from: they moved with the answer
rendering tests (`tests.bot.answers.test_rendering`). Remove once that import names the new place."""

from __future__ import annotations

from tests.bot.answers.test_rendering import hit_lists, make_hit

__all__ = ["hit_lists", "make_hit"]
