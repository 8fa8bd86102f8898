"""Problems of a step that runs every few seconds, logged once rather than at every round.

A full disk or a damaged file fails the alert round's steps every ALERT_INTERVAL_SECONDS until
someone acts: the log says so when it starts (with the traceback, when it is unexpected), when
it turns into another problem, and when the step works again, never the same line each round.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

_DIGITS = re.compile(r"\d+")


class RecurringProblem:
    """The current problem of one named step, if any."""

    def __init__(self, logger: logging.Logger, step: str) -> None:
        self._log = logger
        self._step = step
        self._current: str | None = None

    def failed(self, error: BaseException, *, expected: bool = True) -> None:
        """Log `error` unless it is the problem already logged (counts and sizes aside)."""
        key = f"{type(error).__qualname__}: {_DIGITS.sub('#', str(error))}"
        if key == self._current:
            return
        self._current = key
        if expected:
            self._log.error("%s: %s (logged once until it changes or clears)", self._step, error)
        else:
            self._log.exception(
                "%s: unexpected error (logged once until it changes or clears)",
                self._step,
                exc_info=error,
            )

    def succeeded(self) -> None:
        """The step worked: say so if it had been failing."""
        if self._current is not None:
            self._log.info("%s: working again", self._step)
            self._current = None


_alert_log = logging.getLogger("bot.alerts.jobs")


@dataclass(slots=True)
class AlertProblems:
    """What the alert round's steps have logged as failing, so a lasting problem is said once."""

    inbox: RecurringProblem = field(default_factory=lambda: RecurringProblem(_alert_log, "inbox"))
    scan: RecurringProblem = field(
        default_factory=lambda: RecurringProblem(_alert_log, "alert scan")
    )
