"""`python -m bot`: the Telegram bot when a token is configured, else a chat in the terminal.

`python -m bot subscriptions …` manages chat subscriptions instead (see `bot.cli`).
"""

from __future__ import annotations

import sys

from bot.logs import configure_logging
from bot.settings import BotSettings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = BotSettings()
    if argv and argv[0] == "subscriptions":
        from bot.cli import run as run_cli

        configure_logging("WARNING", settings.token)
        return run_cli(argv[1:], settings)
    if argv:
        print(
            "usage: python -m bot [subscriptions {list,add,remove,digest} …]\n"
            "  without arguments: run the bot (or a chat in the terminal without a token)",
            file=sys.stderr,
        )
        return 0 if argv[0] in ("-h", "--help") else 2
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
