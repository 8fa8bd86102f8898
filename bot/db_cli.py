"""`python -m bot db upgrade|current|copy`: the bot's database, from a shell.

The bot upgrades the schema itself at start; `upgrade` does it ahead of a deploy (say, once
before starting new replicas), `current` says where a database stands without changing it, and
`copy` moves a SQLite file's chats, subscriptions and alert log into the configured database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot import migrate
from bot.alerts.subscriptions import SubscriptionStore
from bot.database import database_url, open_engine, shown, sqlite_path, unreachable
from bot.db_copy import TargetNotEmptyError, copy_state, has_feeds
from bot.errors import SubscriptionsDatabaseError
from bot.settings import BotSettings
from index.database.file_check import check_file
from index.feeds.registry import FeedStore

EPILOG = """examples:
  python -m bot db upgrade     # create the database, or bring its schema up to date
  python -m bot db current     # its schema revision and the newest this program knows
  DATABASE_URL=postgresql://bot@db/newsbot python -m bot db copy data/subscriptions.sqlite
                               # one bot's SQLite state into an empty PostgreSQL database

The database is DATABASE_URL (postgresql://…), else the SQLite file SUBSCRIPTIONS_DB
($DATA_DIR/subscriptions.sqlite); a SQLite file is copied beside itself before an upgrade."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot db",
        description="Schema migrations of the bot's database (SQLite or PostgreSQL).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="create the database or upgrade its schema to the newest")
    commands.add_parser("current", help="the database's schema revision; changes nothing")
    copy = commands.add_parser(
        "copy",
        help="copy a SQLite file's chats, subscriptions, alert log and votes into DATABASE_URL",
    )
    copy.add_argument("source", type=Path, help="the SQLite file (upgraded first, with a backup)")
    return parser


def run(argv: Sequence[str], settings: BotSettings) -> int:
    args = build_parser().parse_args(list(argv))
    if args.command == "upgrade":
        path = sqlite_path(database_url(settings.database))
        created = path is not None and not path.exists()
        store = SubscriptionStore(settings.database)
        try:
            before = store.schema
            if created:
                print(f"{store.name}: created, schema {before.head}")
            elif before.up_to_date:
                print(f"{store.name}: schema {before.head}, up to date")
            else:
                print(
                    f"{store.name}: schema upgraded from {before.current or 'empty'} to {before.head}"
                )
        finally:
            store.close()
        return 0
    if args.command == "copy":
        return _copy(args.source, settings)
    return _current(settings)


def _copy(source_path: Path, settings: BotSettings) -> int:
    if not source_path.is_file():
        print(f"error: {source_path} is not a file", file=sys.stderr)
        return 1
    if sqlite_path(database_url(source_path)) == sqlite_path(database_url(settings.database)):
        print(f"error: {source_path} is the configured database itself", file=sys.stderr)
        return 1
    source = SubscriptionStore(source_path)
    try:
        target = SubscriptionStore(settings.database)
        with source.engine.connect() as reading:
            if has_feeds(reading):
                FeedStore(settings.database).close()  # the target's feed tables, migrated
        try:
            copied = copy_state(source, target)
        except TargetNotEmptyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            target.close()
    finally:
        source.close()
    counts = ", ".join(f"{count} {table}" for table, count in copied.items())
    print(f"{source.name} -> {target.name}: copied {counts}")
    return 0


def _current(settings: BotSettings) -> int:
    url = database_url(settings.database)
    path = sqlite_path(url)
    name = str(path) if path is not None else shown(url)
    if path is not None:
        if not path.exists():
            print(f"{name}: no database yet (made at the first start, or by `db upgrade`)")
            return 0
        check_file(path, lambda _new: None, SubscriptionsDatabaseError)
    engine = open_engine(url)
    try:
        state = migrate.state(engine, name)
    except DBAPIError as exc:
        raise unreachable(name, exc) from exc
    finally:
        engine.dispose()
    if state.up_to_date:
        print(f"{name}: schema {state.current}, up to date")
    else:
        print(
            f"{name}: schema {state.current or 'empty'}, this program's is {state.head}: "
            "`python -m bot db upgrade` (or starting the bot) upgrades it"
        )
    return 0
