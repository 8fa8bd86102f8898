"""Every benchmark still runs: `python -m benchmarks.NAME --help` from the repository root, as a
user starts one, exits 0 with a usage line (no data set or model needed for that)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

BENCHMARKS = sorted(
    path.stem
    for path in (PROJECT_ROOT / "benchmarks").glob("*.py")
    if path.stem
    not in {
        "__init__",
        "alert_topic_length",
        "clustering",
        "corpora",
        "followup_index",
        "followup_tuning",
        "provenance",
        "story_sets",
    }  # helpers
)


def test_the_benchmarks_are_found() -> None:
    assert len(BENCHMARKS) >= 18 and "index_build" in BENCHMARKS


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_answers_help(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--help"],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "usage:" in done.stdout
