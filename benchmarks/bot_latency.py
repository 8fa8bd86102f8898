"""Reply time of the bot on the Bot API emulator: one user asking in turn, then 50 users at once.

Measures from the moment an update is queued on the emulator to the moment the bot's answer
has been accepted by it (real HTTP, long polling, the real model and a seed index). The four
questions cite the same seed passages, so after the first round their sentences come from the
bot's memory (HIGHLIGHT_MEMO_SIZE); set it to 0 to embed them for every reply.

    .venv/bin/python benchmarks/bot_latency.py [--rounds 30] [--users 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


async def timed_question(emu: BotApiEmulator, user: int, text: str, already: int) -> float:
    started = time.perf_counter()
    emu.send_message(user, user, text)
    await emu.wait_for_messages(user, already + 1, timeout=300)
    return time.perf_counter() - started


async def main(rounds: int, users: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bot-latency-"))
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    with BotApiEmulator() as emu:
        settings = BotSettings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=root,
            telegram_bot_token=emu.token,
            telegram_api_base_url=emu.base_url,
            user_questions_per_minute=10_000,
        )
        embedder = load_embedder(settings)
        IndexWriter(settings, embedder).rebuild([seeds])
        app = build_application(settings, NewsIndex(settings, embedder))
        async with app:
            assert app.post_init is not None and app.updater is not None
            await app.post_init(app)
            await app.updater.start_polling(poll_interval=0, timeout=10)
            await app.start()
            try:
                emu.user(1, "Solo")
                emu.private_chat(1)
                await timed_question(emu, 1, QUESTIONS[0], 0)  # warm-up
                single = [
                    await timed_question(emu, 1, QUESTIONS[i % len(QUESTIONS)], i + 1)
                    for i in range(rounds)
                ]
                crowd_ids = list(range(1000, 1000 + users))
                for user in crowd_ids:
                    emu.user(user, f"User {user}")
                    emu.private_chat(user)
                crowd = await asyncio.gather(
                    *(timed_question(emu, u, QUESTIONS[u % len(QUESTIONS)], 0) for u in crowd_ids)
                )
            finally:
                await app.updater.stop()
                await app.stop()
    print(describe("1 user, one at a time", single))
    print(describe(f"{users} users at once", list(crowd)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.users))
