"""The token never reaches a log line, not even through a traceback."""

from __future__ import annotations

import logging
import sys

from bot.logs import MASK, SECRET_MASK, RedactingFormatter

TOKEN = "123456:SECRET-token_value"


def record(message: str, *args: object, with_traceback: bool = False) -> logging.LogRecord:
    exc_info = None
    if with_traceback:
        try:
            raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getUpdates failed")
        except ConnectionError:
            exc_info = sys.exc_info()
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, args, exc_info)


def test_the_token_is_masked_in_messages_arguments_and_tracebacks() -> None:
    formatter = RedactingFormatter(TOKEN)
    lines = [
        formatter.format(
            record(f'HTTP Request: POST https://api.telegram.org/bot{TOKEN}/getMe "200 OK"')
        ),
        formatter.format(record("url %s", f"https://api.telegram.org/bot{TOKEN}/sendMessage")),
        formatter.format(record("polling failed", with_traceback=True)),
    ]
    for line in lines:
        assert TOKEN not in line and MASK in line
    assert "Traceback" in lines[2] and "ConnectionError" in lines[2]


def test_without_a_token_lines_are_unchanged() -> None:
    line = RedactingFormatter(None).format(record("nothing secret here"))
    assert line.endswith("httpx: nothing secret here")


def test_the_webhook_secret_is_masked_too() -> None:
    secret = "Webhook_secret-42"
    formatter = RedactingFormatter(TOKEN, webhook_secret=secret)
    line = formatter.format(
        record(
            "Calling Bot API endpoint `setWebhook` with parameters `%s`", {"secret_token": secret}
        )
    )
    assert secret not in line and SECRET_MASK in line
