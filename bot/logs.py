"""Logging for the bot process: readable lines, and never the token or the webhook secret.

httpx logs every request URL at INFO, and Telegram URLs carry the token, so httpx is kept at
WARNING; and every formatted line, tracebacks included, is passed through a formatter that
masks the token anyway. At DEBUG python-telegram-bot logs the parameters of every call, the
`secret_token` of `setWebhook` among them, so the webhook secret is masked the same way, and so
is the password of DATABASE_URL (our own messages name the database without it; a driver's
might not).
"""

from __future__ import annotations

import logging

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "<token>"
SECRET_MASK = "<webhook secret>"
DATABASE_PASSWORD_MASK = "<database password>"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks the token and the webhook secret wherever they appear
    (message, arguments, traceback)."""

    def __init__(
        self,
        token: str | None,
        fmt: str = LINE_FORMAT,
        *,
        webhook_secret: str | None = None,
        database_password: str | None = None,
    ) -> None:
        super().__init__(fmt)
        masks = (
            (token, MASK),
            (webhook_secret, SECRET_MASK),
            (database_password, DATABASE_PASSWORD_MASK),
        )
        self._masks = [(s, mask) for s, mask in masks if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret, mask in self._masks:
            line = line.replace(secret, mask)
        return line


def configure_logging(
    level: str,
    token: str | None,
    webhook_secret: str | None = None,
    database_password: str | None = None,
) -> None:
    """Set up the root logger once for the bot process."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(
            token, webhook_secret=webhook_secret, database_password=database_password
        )
    )
    handler.setLevel(level.upper())  # a library that sets its own logger to DEBUG stays quiet
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # alembic says which migration context it uses at every start; the store logs an upgrade.
    # FAISS says which CPU build (AVX512, AVX2, generic) it tried, at its first import.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "faiss.loader"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
