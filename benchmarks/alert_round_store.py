"""The cost of PostgreSQL against SQLite for the bot's alert round: 1,000 chats x 5 subscriptions.

One index, one set of new articles, the same 5,000 subscriptions in every store: a SQLite file
(the default) and a database on a throwaway PostgreSQL 15 cluster (started as in the tests, on
127.0.0.1). For each store it times, with the bot's own classes:

- subscribing: 5,000 `/subscribe`s as the handler stores them (one transaction each);
- the scan: `AlertScanner.scan`, matching the new articles against every subscription, citing
  each match and logging it as pending (index work included: it is the same for both stores);
- the delivery: `AlertSender.deliver` with a real `telegram.Bot` over HTTP to the Bot API
  emulator (its rate limiter off, so the store's part is not hidden behind Telegram's pace);
- an idle round: scan and delivery again with nothing new, which a bot does every
  ALERT_INTERVAL_SECONDS;

and, within those, the time spent in the store's own calls, so the database's share shows.
Stores are filled before the new articles are indexed (an alert is for articles newer than
its subscription), `--repeat` stores of each kind.

    .venv/bin/python -m benchmarks.alert_round_store
    .venv/bin/python -m benchmarks.alert_round_store --repeat 3 --output benchmarks/results/alert_round_store.md

Needs ../shared/eval (RealTimeQA: articles and quiz questions, the questions as topics) and the
PostgreSQL 15 server binaries (`apt-get install postgresql`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Bot

from benchmarks.corpora import (
    REALTIMEQA_ARTICLES,
    realtimeqa_questions,
    realtimeqa_subset,
    write_jsonl,
)
from benchmarks.provenance import commit
from bot.alerts.delivery import AlertSender
from bot.alerts.model import Delivery, Sensitivity
from bot.alerts.scan import AlertScanner
from bot.alerts.subscriptions import SubscriptionStore
from bot.application import short_topics, thresholds
from bot.settings import BotSettings
from index import IndexWriter, NewsIndex, load_embedder
from tests.emulator import BotApiEmulator
from tests.postgres import PostgresCluster

ROOT = Path(__file__).resolve().parent.parent

CHATS = 1_000
PER_CHAT = 5
TOPICS = 60
ARCHIVE_ARTICLES = 150
NEW_ARTICLES = 12
STORE_CALLS = ("active", "scanned_until", "alerted", "record_matches", "pending", "mark")


@dataclass
class Timings:
    """One store's round, in seconds; `in_store` sums the store's own calls per stage."""

    kind: str
    subscribe: float = 0.0
    scan: float = 0.0
    deliver: float = 0.0
    idle: float = 0.0
    alerts: int = 0
    messages: int = 0
    in_store: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def timed_store(store: SubscriptionStore, timings: Timings, stage: Callable[[], str]) -> None:
    """Count the seconds spent in the store's own calls, per stage of the round."""
    for name in STORE_CALLS:
        method = getattr(store, name)

        @functools.wraps(method)
        def wrapper(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                timings.in_store[stage()] += time.perf_counter() - started

        setattr(store, name, wrapper)


def topics(count: int) -> list[str]:
    """RealTimeQA's quiz questions as topics, in file order (news of the same weeks as the
    articles, so some match and most do not)."""
    found: dict[str, None] = {}
    for question in realtimeqa_questions():
        found.setdefault(question["question"].strip(), None)
    return list(found)[:count]


def subscribe_all(store: SubscriptionStore, vectors: dict[str, Any], names: list[str]) -> float:
    sensitivities = list(Sensitivity)
    started = time.perf_counter()
    for chat in range(CHATS):
        for n in range(PER_CHAT):
            topic = names[(chat * PER_CHAT + n) % len(names)]
            store.add(
                10_000 + chat, topic, sensitivities[(chat + n) % len(sensitivities)],
                vectors[topic], chat_title=None,
            )  # fmt: skip
    return time.perf_counter() - started


async def round_of(
    store: SubscriptionStore, index: NewsIndex, settings: BotSettings, bot: Bot, timings: Timings
) -> None:
    stage = "scan"
    timed_store(store, timings, lambda: stage)
    # RealTimeQA's articles are years old: no age limit, so every one of them is matched.
    scanner = AlertScanner(
        index, store, thresholds(settings), dt.timedelta.max, short_topics(settings)
    )
    sender = AlertSender(store, digest_after=settings.alert_digest_after)
    started = time.perf_counter()
    timings.alerts = await asyncio.to_thread(scanner.scan)
    timings.scan = time.perf_counter() - started
    stage = "deliver"
    started = time.perf_counter()
    timings.messages = await sender.deliver(bot, Delivery.INSTANT)
    timings.deliver = time.perf_counter() - started
    stage = "idle"
    started = time.perf_counter()
    again = await asyncio.to_thread(scanner.scan)
    resent = await sender.deliver(bot, Delivery.INSTANT)
    timings.idle = time.perf_counter() - started
    if again or resent:
        raise SystemExit(f"{timings.kind}: an idle round found {again} alert(s), sent {resent}")


def fill_stores(
    stack: contextlib.ExitStack,
    cluster: PostgresCluster,
    root: Path,
    repeat: int,
    vectors: dict[str, Any],
    names: list[str],
) -> list[tuple[SubscriptionStore, Timings]]:
    """`repeat` stores of each kind, each holding the same 5,000 subscriptions."""
    stores: list[tuple[SubscriptionStore, Timings]] = []
    for n in range(repeat):
        for kind in ("sqlite", "postgresql"):
            if kind == "sqlite":
                store = SubscriptionStore(root / f"subscriptions-{n}.sqlite")
            else:
                store = SubscriptionStore(stack.enter_context(cluster.database()))
            stack.callback(store.close)
            timings = Timings(kind)
            timings.subscribe = subscribe_all(store, vectors, names)
            print(f"{kind}: 5,000 subscriptions in {timings.subscribe:.1f} s", flush=True)
            stores.append((store, timings))
    return stores


def median_of(rows: list[Timings], pick: Callable[[Timings], float]) -> float:
    return statistics.median(pick(row) for row in rows)


def report(results: dict[str, list[Timings]], passages: int) -> str:
    sqlite, postgres = results["sqlite"], results["postgresql"]
    stages: list[tuple[str, Callable[[Timings], float]]] = [
        ("subscribe 5,000 (one transaction each)", lambda t: t.subscribe),
        ("scan: match, cite, log pending", lambda t: t.scan),
        ("  of which in the store", lambda t: t.in_store["scan"]),
        ("deliver over HTTP to the emulator", lambda t: t.deliver),
        ("  of which in the store", lambda t: t.in_store["deliver"]),
        ("idle round (nothing new)", lambda t: t.idle),
        ("  of which in the store", lambda t: t.in_store["idle"]),
        ("round = scan + deliver", lambda t: t.scan + t.deliver),
    ]
    lines = [
        f"{CHATS:,} chats x {PER_CHAT} subscriptions ({TOPICS} distinct topics, the three "
        f"sensitivities in turn), {NEW_ARTICLES} new articles on an index of {passages:,} "
        f"passages; {sqlite[0].alerts:,} alerts logged, {sqlite[0].messages:,} messages sent "
        f"per store; median of {len(sqlite)} store(s) of each kind.",
        "",
        "| stage | SQLite | PostgreSQL | PostgreSQL / SQLite |",
        "|---|---|---|---|",
    ]
    for name, pick in stages:
        a, b = median_of(sqlite, pick), median_of(postgres, pick)
        ratio = f"{b / a:.2f}x" if a > 0 else "n/a"
        lines.append(f"| {name} | {a * 1000:,.0f} ms | {b * 1000:,.0f} ms | {ratio} |")
    return "\n".join(lines)


async def main(repeat: int, output: Path | None) -> None:
    if not REALTIMEQA_ARTICLES.is_file():
        raise SystemExit(f"{REALTIMEQA_ARTICLES} is missing: this benchmark needs ../shared/eval")
    with tempfile.TemporaryDirectory(prefix="alert-round-") as folder:
        await measure(Path(folder), repeat, output)


async def measure(root: Path, repeat: int, output: Path | None) -> None:
    articles = realtimeqa_subset(ARCHIVE_ARTICLES + NEW_ARTICLES)
    archive = write_jsonl(articles[NEW_ARTICLES:], root / "archive.jsonl")
    new = write_jsonl(articles[:NEW_ARTICLES], root / "new.jsonl")
    cluster = PostgresCluster(durable=True)
    try:
        with BotApiEmulator() as emu:
            settings = BotSettings(
                _env_file=None,  # type: ignore[call-arg]
                data_dir=root / "data",
                telegram_bot_token=emu.token,
                telegram_api_base_url=emu.base_url,
            )
            embedder = load_embedder(settings)
            writer = IndexWriter(settings, embedder)
            writer.rebuild([archive])
            index = NewsIndex(settings, embedder)
            names = topics(TOPICS)
            vectors = {name: index.embed_topic(name) for name in names}
            for chat in range(CHATS):
                emu.user(10_000 + chat, f"Reader {chat}")
                emu.private_chat(10_000 + chat)
            results: dict[str, list[Timings]] = {"sqlite": [], "postgresql": []}
            with contextlib.ExitStack() as stack:
                stores = fill_stores(stack, cluster, root, repeat, vectors, names)
                report_write = writer.add([new])
                print(f"indexed {len(report_write.added)} new articles", flush=True)
                async with Bot(emu.token, base_url=emu.base_url) as bot:
                    for store, timings in stores:
                        await round_of(store, index, settings, bot, timings)
                        results[timings.kind].append(timings)
                        print(
                            f"{timings.kind}: scan {timings.scan:.2f} s, deliver "
                            f"{timings.deliver:.2f} s, idle {timings.idle:.3f} s, "
                            f"{timings.alerts} alerts, {timings.messages} messages",
                            flush=True,
                        )
            passages = index.stats().passages
    finally:
        cluster.stop()
    counts = {(t.alerts, t.messages) for rows in results.values() for t in rows}
    if len(counts) != 1:
        raise SystemExit(f"the stores disagree on what to send: {counts}")
    table = report(results, passages)
    print()
    print(table)
    if output is not None:
        output.write_text(
            f"# Alert round: SQLite and PostgreSQL\n\n"
            f"`.venv/bin/python -m benchmarks.alert_round_store --repeat {repeat}` at commit "
            f"{commit()}, {dt.date.today().isoformat()}, 2 cores, PostgreSQL 15 on 127.0.0.1 "
            f"(fsync and synchronous commit on, as in production).\n\n{table}\n",
            encoding="utf-8",
        )
        print(f"\nwritten to {output}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="stores of each kind (median)")
    parser.add_argument("--output", type=Path, help="write the results as markdown here")
    options = parser.parse_args()
    asyncio.run(main(options.repeat, options.output))
