"""`python -m bot subscriptions …`: list, add and remove chat subscriptions from a shell.

Works on the same SQLite database as the running bot (WAL mode, so both can use it at once);
a subscription added here is picked up by the bot's next alert round.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.alerts.arguments import ALL_TOPICS, parse_subscribe, parse_unsubscribe
from bot.alerts.filters import FilterLimits, FilterTooLong, TooManyFilters, filter_problem
from bot.alerts.model import Delivery, Sensitivity
from bot.alerts.subscriptions import SubscriptionStore
from bot.settings import BotSettings

EPILOG = """examples:
  python -m bot subscriptions list
  python -m bot subscriptions add -1001234567890 Russian attacks on the Baltic states
  python -m bot subscriptions add -1001234567890 all
  python -m bot subscriptions add 4242 --sensitivity strict Estonia
  python -m bot subscriptions remove -1001234567890 2
  python -m bot subscriptions digest -1001234567890 daily

Chat ids: a user's id for a private chat, the negative id of a group or channel (the bot logs
it when someone subscribes there)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot subscriptions",
        description="Manage the topic subscriptions of chats (alerts on new articles).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="chats, their topics and the alert log")
    listing.add_argument("--chat", type=int, help="only this chat")
    add = commands.add_parser("add", help="subscribe a chat to a topic (or to 'all')")
    add.add_argument("chat", type=int)
    add.add_argument("--sensitivity", choices=[s.value for s in Sensitivity], default="normal")
    add.add_argument(
        "topic", nargs="+",
        help="the topic in plain words, or 'all'; +word and -word filters (put -- before the chat id when using -word)",
    )  # fmt: skip
    remove = commands.add_parser("remove", help="unsubscribe by number (as listed) or 'all'")
    remove.add_argument("chat", type=int)
    remove.add_argument("which", help="a number from `list`, or 'all'")
    digest = commands.add_parser("digest", help="daily digest on or off for a chat")
    digest.add_argument("chat", type=int)
    digest.add_argument("mode", choices=["daily", "off"])
    return parser


def run(argv: Sequence[str], settings: BotSettings) -> int:
    args = build_parser().parse_args(list(argv))
    store = SubscriptionStore(settings.database)
    try:
        if args.command == "list":
            print(_listing(store, args.chat))
            return 0
        if args.command == "add":
            return _add(store, settings, args)
        if args.command == "remove":
            return _remove(store, args.chat, args.which)
        mode = Delivery.DAILY if args.mode == "daily" else Delivery.INSTANT
        store.set_delivery(args.chat, mode)
        print(
            f"chat {args.chat}: alerts {'once a day' if mode is Delivery.DAILY else 'as they arrive'}"
        )
        return 0
    finally:
        store.close()


def _listing(store: SubscriptionStore, only: int | None) -> str:
    lines = []
    for chat in store.chats():
        if only is not None and chat.chat_id != only:
            continue
        subscriptions = store.of_chat(chat.chat_id, None)
        state = f"disabled: {chat.disabled_reason}" if chat.disabled_reason else chat.delivery.value
        lines.append(f"chat {chat.chat_id} ({chat.title or 'untitled'}) · {state}")
        numbers: dict[int, int] = {}
        for sub in subscriptions:
            number = numbers[sub.thread_id] = numbers.get(sub.thread_id, 0) + 1
            what = "every new article" if sub.every_article else f"{sub.topic} · {sub.sensitivity}"
            filters = "".join(f" +{w}" for w in sub.required_words) + "".join(
                f" -{w}" for w in sub.excluded_words
            )
            where = f"forum topic {sub.thread_id}: " if sub.thread_id else ""
            lines.append(f"  {where}{number}. {what}{filters} (since {sub.created_at[:19]})")
        if not subscriptions:
            lines.append("  no active subscriptions")
    counts = store.alert_counts()
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none yet"
    lines.append(f"alerts: {summary}")
    return "\n".join(lines)


def _add(store: SubscriptionStore, settings: BotSettings, args: argparse.Namespace) -> int:
    request = parse_subscribe(" ".join([args.sensitivity, *args.topic]), settings.topic_max_chars)
    if request is None or request.channel is not None:
        print("error: give the topic in words (or 'all')", file=sys.stderr)
        return 2
    filters = request.filters
    limits = FilterLimits(settings.max_filters_per_subscription, settings.filter_max_chars)
    problem = filter_problem(filters, limits)
    if isinstance(problem, TooManyFilters):
        why = f"{problem.given} filters; a subscription takes at most {problem.limit}"
        print(f"error: {why}", file=sys.stderr)
        return 2
    if isinstance(problem, FilterTooLong):
        why = f"the filter {problem.word!r} is longer than {problem.limit} characters"
        print(f"error: {why}", file=sys.stderr)
        return 2
    if filters.unusable:
        print(f"error: too common to filter on: {' '.join(filters.unusable)}", file=sys.stderr)
        return 2
    vector = None
    if request.topic is not None:
        from index import NewsIndex  # loads the model only when a topic needs embedding

        vector = NewsIndex(settings).embed_topic(request.topic)
    sub = store.add(
        args.chat, request.topic or ALL_TOPICS, request.sensitivity, vector,
        required_words=filters.required, excluded_words=filters.excluded,
    )  # fmt: skip
    shown = "every new article" if sub.every_article else f"{sub.topic!r} ({sub.sensitivity})"
    print(f"chat {args.chat} subscribed to {shown}")
    return 0


def _remove(store: SubscriptionStore, chat_id: int, which: str) -> int:
    choice = parse_unsubscribe(which)
    if choice is None:
        print("error: give a number from `list`, or 'all'", file=sys.stderr)
        return 2
    if choice == "all":
        print(f"chat {chat_id}: {store.remove_all(chat_id, None)} subscription(s) removed")
        return 0
    removed = store.remove(chat_id, choice)
    if removed is None:
        print(f"error: chat {chat_id} has no subscription number {choice}", file=sys.stderr)
        return 1
    print(f"chat {chat_id}: unsubscribed from {removed.topic!r}")
    return 0
