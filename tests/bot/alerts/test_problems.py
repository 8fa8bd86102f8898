"""A lasting problem of a periodic step is logged when it starts, changes and clears."""

from __future__ import annotations

import logging

import pytest

from bot.alerts.problems import RecurringProblem
from index import DiskFullError


def test_a_problem_is_logged_once_until_it_changes_or_clears(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test.recurring")
    problem = RecurringProblem(log, "inbox")
    with caplog.at_level("INFO", logger="test.recurring"):
        for free in (4096, 0, 8192):  # the same problem, other figures
            problem.failed(DiskFullError(f"the disk is full ({free} bytes free)"))
        problem.failed(OSError("Permission denied"))
        problem.succeeded()
        problem.succeeded()
        problem.failed(ValueError("a bug"), expected=False)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "inbox: the disk is full (4096 bytes free) (logged once until it changes or clears)",
        "inbox: Permission denied (logged once until it changes or clears)",
        "inbox: working again",
        "inbox: unexpected error (logged once until it changes or clears)",
    ]
    assert caplog.records[-1].exc_info is not None, "an unexpected one keeps its traceback"
