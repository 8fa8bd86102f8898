"""Reply time of the bot on the Bot API emulator: one user asking in turn, then many users at once.

Measures from the moment an update is queued on the emulator to the moment the bot's answer
has been accepted by it (real HTTP, long polling, the real model, python-telegram-bot's rate
limiter on). By default the index is the seed article and the questions are four about it.
`--distinct` indexes XQuAD's 240 paragraphs (../shared/eval) instead, and every user asks a
different question, so nothing a reply needs was computed for another: then it also checks
that every user got exactly one answer and compares the time to drain the burst with what
Telegram's ~30 messages a second allow (users / 30 s). It also prints the process' resident
memory before and under the burst, and the index's bytes per passage on disk.

    .venv/bin/python -m benchmarks.bot_latency [--rounds 30] [--users 50]
    .venv/bin/python -m benchmarks.bot_latency --distinct --users 200 --rounds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.application import build_application
from bot.settings import BotSettings
from index import IndexWriter, NewsIndex, load_embedder
from tests.emulator import BotApiEmulator

QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "What did Macron say about sending troops?",
    "Which countries are possible targets of Russian expansionism?",
    "Who attended the meeting in Paris?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def describe(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name:<28} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   "
        f"p95 {percentile(ms, 0.95):7.1f} ms   min {min(ms):7.1f}   max {max(ms):7.1f}"
    )


def rss_mib() -> float:
    """This process' resident memory now (the bot, its index and the emulator's thread)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def peak_rss(stop: asyncio.Event, interval: float = 0.05) -> float:
    """The highest resident memory seen until `stop` is set."""
    peak = rss_mib()
    while not stop.is_set():
        peak = max(peak, rss_mib())
        await asyncio.sleep(interval)
    return max(peak, rss_mib())


async def timed_question(emu: BotApiEmulator, user: int, text: str, already: int) -> float:
    started = time.perf_counter()
    emu.send_message(user, user, text)
    await emu.wait_for_messages(user, already + 1, timeout=300)
    return time.perf_counter() - started


XQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "xquad-en"
TELEGRAM_MESSAGES_PER_SECOND = 30


def distinct_questions(count: int) -> list[str]:
    found: dict[str, None] = {}
    for line in (XQUAD / "questions.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            found.setdefault(json.loads(line)["question"].strip(), None)
    return list(found)[:count]


async def main(rounds: int, users: int, distinct: bool) -> None:
    root = Path(tempfile.mkdtemp(prefix="bot-latency-"))
    seeds = (
        XQUAD / "passages.jsonl" if distinct else Path(__file__).resolve().parent.parent / "seeds"
    )
    questions = distinct_questions(users + rounds + 1) if distinct else QUESTIONS
    if len(questions) < (users + rounds + 1 if distinct else 1):
        raise SystemExit(f"{XQUAD} holds too few questions for {users} users")
    with BotApiEmulator() as emu:
        settings = BotSettings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=root,
            telegram_bot_token=emu.token,
            telegram_api_base_url=emu.base_url,
            user_questions_per_minute=10_000,
        )
        IndexWriter(settings, load_embedder(settings)).rebuild([seeds])
        index = NewsIndex(settings)  # questions on QUESTION_BACKEND, as the bot's own index
        stats = index.stats()
        app = build_application(settings, index)
        async with app:
            assert app.post_init is not None and app.updater is not None
            await app.post_init(app)
            await app.updater.start_polling(poll_interval=0, timeout=10)
            await app.start()
            try:
                emu.user(1, "Solo")
                emu.private_chat(1)
                await timed_question(emu, 1, questions[-1], 0)  # warm-up
                single = [
                    await timed_question(emu, 1, questions[i % len(questions)], i + 1)
                    for i in range(rounds)
                ]
                crowd_ids = list(range(1000, 1000 + users))
                for user in crowd_ids:
                    emu.user(user, f"User {user}")
                    emu.private_chat(user)
                asked = [questions[(rounds + n) % len(questions)] for n in range(users)]
                idle_rss = rss_mib()
                stop_sampling = asyncio.Event()
                sampling = asyncio.create_task(peak_rss(stop_sampling))
                started = time.perf_counter()
                crowd = await asyncio.gather(
                    *(timed_question(emu, u, q, 0) for u, q in zip(crowd_ids, asked, strict=True))
                )
                drained = time.perf_counter() - started
                stop_sampling.set()
                burst_rss = await sampling
                await asyncio.sleep(2)  # room for a duplicate to arrive
                answers = [len(emu.sent_messages(u)) for u in crowd_ids]
            finally:
                await app.updater.stop()
                await app.stop()
    print(
        f"EMBEDDING_BACKEND={settings.embedding_backend}; index: {stats.passages:,} passages, "
        f"{stats.size_bytes / max(1, stats.passages):,.0f} bytes per passage on disk"
    )
    print(describe("1 user, one at a time", single))
    print(describe(f"{users} users at once", list(crowd)))
    floor = users / TELEGRAM_MESSAGES_PER_SECOND
    print(
        f"burst drained in {drained:.1f} s; Telegram's floor {floor:.1f} s "
        f"({drained / floor:.2f}x); users answered exactly once: "
        f"{sum(a == 1 for a in answers)}/{users} (more than once: {sum(a > 1 for a in answers)})"
    )
    print(
        f"resident memory (bot, index and emulator in this process): idle {idle_rss:.0f} MiB, "
        f"peak under the burst {burst_rss:.0f} MiB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--distinct", action="store_true", help="XQuAD paragraphs, one question per user"
    )
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.users, args.distinct))
