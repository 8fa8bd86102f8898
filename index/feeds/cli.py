"""The `feeds` commands of `python -m index`: their parser only. The handlers, and the feed
machinery they need (SQLAlchemy, alembic, the fetcher, the writer), are imported from
`index.feeds.commands` when a feed command runs, not by every command that builds the parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Command = Callable[[argparse.Namespace], int]
FEED_EXAMPLE = "https://feeds.bbci.co.uk/news/world/rss.xml"


def _handler(name: str) -> Command:
    """The function `name` of `index.feeds.commands`, imported when it is called."""

    def run(args: argparse.Namespace) -> int:
        from index.feeds import commands

        handler: Command = getattr(commands, name)
        return handler(args)

    return run


def add_feed_commands(feeds: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """`feeds add|list|remove|fetch|watch` under the `feeds` command of `index.cli`."""
    commands = feeds.add_subparsers(dest="feeds_command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, parents=[common], help=summary, description=summary,
            epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        sub.set_defaults(func=_handler(f"cmd_feeds_{name}"))
        return sub

    add = command("add", "Follow a feed (RSS 2.0, Atom or RDF); it is due at once.",
                  f"python -m index feeds add {FEED_EXAMPLE} --interval 30m --source BBC")  # fmt: skip
    add.add_argument("url", help="the feed's http(s) URL")
    add.add_argument(
        "--interval", help="how often: 90s, 15m, 2h, 1d (default: FEEDS_DEFAULT_INTERVAL)"
    )
    add.add_argument("--source", help="the source named in citations (default: the page's site)")
    command("list", "List the feeds followed, when each is fetched next, and how it went.",
            "python -m index feeds list")  # fmt: skip
    remove = command("remove", "Stop following a feed (its articles stay indexed).",
                     "python -m index feeds remove 3")  # fmt: skip
    remove.add_argument("id", type=int, help="the feed's id (see `feeds list`)")
    fetch = command("fetch", "Fetch one feed or all of them now, once, and index what is new.",
                    "python -m index feeds fetch 3")  # fmt: skip
    fetch.add_argument("id", type=int, nargs="?", help="the feed's id (default: every feed)")
    command("watch", "Fetch feeds as they fall due, until stopped (no bot needed).",
            "python -m index feeds watch")  # fmt: skip
