"""`python -m bot`: the Telegram bot when a token is configured, else a chat in the terminal.

`python -m bot subscriptions …` manages chat subscriptions instead (see `bot.cli`),
`python -m bot db upgrade|current|copy` the bot's database (its schema, and a move from SQLite
to PostgreSQL: see `bot.db_cli`), and `python -m bot feedback export` writes the readers' votes
as evaluation questions (see `bot.feedback_cli`).
A setting Telegram would refuse, a named `BotError` (e.g. a damaged subscriptions database) and
a named index error (a damaged or mismatched index version) end the process with one `error:`
line and exit code 1, not a traceback.
"""

from __future__ import annotations

import sys

from pydantic import ValidationError

from bot.database import database_url
from bot.errors import BotError
from bot.logs import configure_logging
from bot.settings import BotSettings
from bot.webhook import webhook_secret
from index import NewsIndexError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        settings = BotSettings()
    except ValidationError as exc:
        for error in exc.errors(include_input=False):
            where = ".".join(str(part) for part in error["loc"]).upper()
            print(f"error: {where}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 1
    try:
        return _run(argv, settings)
    except (BotError, NewsIndexError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def database_password(settings: BotSettings) -> str | None:
    """DATABASE_URL's password, for the logs to mask."""
    if settings.database_url is None:
        return None
    return database_url(settings.database_url.get_secret_value()).password


def _run(argv: list[str], settings: BotSettings) -> int:
    password = database_password(settings)
    if argv and argv[0] in ("subscriptions", "db", "feedback"):
        configure_logging("WARNING", settings.token, database_password=password)
        # each command imports only its own module
        if argv[0] == "subscriptions":
            from bot.cli import run as run_command
        elif argv[0] == "db":
            from bot.db_cli import run as run_command
        else:
            from bot.feedback_cli import run as run_command
        return run_command(argv[1:], settings)
    if argv:
        print(
            "usage: python -m bot [subscriptions {list,add,remove,digest} …] "
            "[db {upgrade,current,copy}] [feedback export]\n"
            "  without arguments: run the bot (or a chat in the terminal without a token)",
            file=sys.stderr,
        )
        return 0 if argv[0] in ("-h", "--help") else 2
    quiet_terminal = not settings.token and settings.log_level.upper() != "DEBUG"
    secret = webhook_secret(settings) if settings.token else None
    configure_logging(
        "WARNING" if quiet_terminal else settings.log_level,
        settings.token,
        secret.value if secret else None,
        password,
    )
    if not settings.token:
        from bot.answers.local_chat import run_local_chat

        return run_local_chat(settings, sys.stdin, sys.stdout)
    from bot.application import run

    run(settings, secret)
    return 0


if __name__ == "__main__":
    sys.exit(main())
