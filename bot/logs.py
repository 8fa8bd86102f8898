"""Logging for the bot process: readable lines, and never the token.

httpx logs every request URL at INFO, and Telegram URLs carry the token, so httpx is kept at
WARNING; and every formatted line, tracebacks included, is passed through a formatter that
masks the token anyway.
"""

from __future__ import annotations

import logging

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "<token>"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks the token wherever it appears (message, arguments, traceback)."""

    def __init__(self, token: str | None, fmt: str = LINE_FORMAT) -> None:
        super().__init__(fmt)
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        return line.replace(self._token, MASK) if self._token else line


def configure_logging(level: str, token: str | None) -> None:
    """Set up the root logger once for the bot process."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(token))
    handler.setLevel(level.upper())  # a library that sets its own logger to DEBUG stays quiet
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
