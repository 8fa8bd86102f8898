"""Every benchmark still runs: `python -m benchmarks.NAME --help` from the repository root, as a
user starts one, exits 0 with a usage line (no data set or model needed for that).

All of them run in one interpreter, each as `runpy` runs `-m` (`__main__`, its own argv), so the
libraries they share are imported once rather than once per benchmark."""

from __future__ import annotations

import json
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
        "write_steps",
    }  # helpers
)


def test_the_benchmarks_are_found() -> None:
    assert len(BENCHMARKS) >= 18 and "index_build" in BENCHMARKS


HELP_OF_EACH = """
import contextlib, io, json, runpy, sys, traceback

answers = {}
for name in sys.argv[1:]:
    out, err = io.StringIO(), io.StringIO()
    sys.argv = [f"-m benchmarks.{name}", "--help"]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_module(f"benchmarks.{name}", run_name="__main__", alter_sys=True)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        except BaseException:
            traceback.print_exc()
            code = 1
    answers[name] = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
print(json.dumps(answers))
"""


def test_every_benchmark_answers_help() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_OF_EACH, *BENCHMARKS],
        capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.splitlines()[-1])
    assert sorted(answers) == BENCHMARKS
    failed = {
        name: answer["stderr"][-1500:]
        for name, answer in answers.items()
        if answer["code"] != 0 or "usage:" not in answer["stdout"]
    }
    assert not failed, failed
