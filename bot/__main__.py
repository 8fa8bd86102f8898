"""`python -m bot`: the Telegram bot when a token is configured, else a chat in the terminal."""

from __future__ import annotations

import sys

from bot.logs import configure_logging
from bot.settings import BotSettings


def main() -> int:
    settings = BotSettings()
    quiet_terminal = not settings.token and settings.log_level.upper() != "DEBUG"
    configure_logging("WARNING" if quiet_terminal else settings.log_level, settings.token)
    if not settings.token:
        from bot.local_chat import run_local_chat

        return run_local_chat(settings, sys.stdin, sys.stdout)
    from bot.application import run

    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
