"""Answers per second with 1 and with 3 bot replicas behind one webhook URL, in one run.

Each replica is `python -m bot` in webhook mode (a process of its own, the real model, the
state in PostgreSQL: "More ▸" keys and each user's question budget in the database, as
deployed). The Bot API emulator posts every update to a round-robin balancer
(`tests/balancer.py`), which spreads them over the replicas. A throwaway PostgreSQL 15 cluster
(`tests/postgres.py`) holds one fresh database per configuration; the index is one shared folder
(XQuAD's 240 paragraphs, 320 passages, so no answer is about the same passage twice in a row;
`--corpus seeds` for the sample article).

For each configuration a burst of distinct questions, one per user, is queued at once, and the
time until every user has exactly one answer gives answers per second. The rows run with
python-telegram-bot's rate limiter off (`TELEGRAM_RATE_LIMIT=false`: what the replicas
themselves can do), then on (each replica counts its own messages against Telegram's ~30 a
second, so N replicas together may send N times that: Telegram then answers 429 and the limiter
waits it out). On a 2-core machine three replicas share two cores with the emulator and the
balancer: the ratio says what that gives, not what three machines would.

    .venv/bin/python -m benchmarks.replicas [--questions 300] [--repeat 2] [--output benchmarks/results/replicas.md]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.provenance import commit
from tests.balancer import RoundRobinBalancer
from tests.emulator import BotApiEmulator
from tests.postgres import PostgresCluster

ROOT = Path(__file__).resolve().parent.parent

XQUAD = ROOT.parent / "shared" / "eval" / "xquad-en"
SEED_QUESTIONS = [
    "Which countries signed long-term security agreements with Ukraine?",
    "What did Macron say about sending troops?",
    "Which countries are possible targets of Russian expansionism?",
    "Who attended the meeting in Paris?",
]
HOOK_PATH = "/telegram-hook"
SECRET = "replicas-benchmark"
START_TIMEOUT = 300
CONFIGURATIONS = [(1, False), (3, False), (1, True), (3, True)]
"""(replicas, rate limiter on)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def questions(corpus: str, count: int) -> list[str]:
    if corpus == "seeds":
        return [SEED_QUESTIONS[n % len(SEED_QUESTIONS)] for n in range(count)]
    found: dict[str, None] = {}
    for line in (XQUAD / "questions.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            found.setdefault(json.loads(line)["question"].strip(), None)
    if len(found) < count:
        raise SystemExit(f"{XQUAD} holds {len(found)} distinct questions, fewer than {count}")
    return list(found)[:count]


def build_index(corpus: str, index_dir: Path, env: dict[str, str]) -> None:
    source = ROOT / "seeds" if corpus == "seeds" else XQUAD / "passages.jsonl"
    subprocess.run(
        [sys.executable, "-m", "index", "-q", "rebuild", str(source), "--index-dir", str(index_dir)],
        check=True, env=env, cwd=ROOT,
    )  # fmt: skip


def ready(port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


async def ask(emu: BotApiEmulator, user: int, text: str) -> float:
    started = time.perf_counter()
    emu.send_message(user, user, text)
    await emu.wait_for_messages(user, 1, timeout=600)
    return time.perf_counter() - started


async def measure(
    emu: BotApiEmulator,
    cluster: PostgresCluster,
    base_env: dict[str, str],
    replicas: int,
    rate_limit: bool,
    asked: list[str],
    warm_up: list[str],
    first_user: int,
) -> dict[str, object]:
    ports = [free_port() for _ in range(replicas)]
    with (
        cluster.database() as database_url,
        RoundRobinBalancer([f"http://127.0.0.1:{p}" for p in ports]) as balancer,
    ):
        env = {
            **base_env,
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "WEBHOOK_URL": balancer.url(HOOK_PATH),
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_SECRET_TOKEN": SECRET,
            "DATABASE_URL": database_url,
            "TELEGRAM_RATE_LIMIT": str(rate_limit).lower(),
            "USER_QUESTIONS_PER_MINUTE": "10000",
            "LOG_LEVEL": "WARNING",
        }
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "bot"], env={**env, "WEBHOOK_PORT": str(port)}, cwd=ROOT
            )
            for port in ports
        ]
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not all(ready(port) for port in ports):
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    raise SystemExit("a replica did not become ready")
                await asyncio.sleep(0.2)
            users = list(range(first_user, first_user + len(warm_up) + len(asked)))
            for user in users:
                emu.user(user, f"User {user}")
                emu.private_chat(user)
            # One question per replica in turn warms each (model, index pages, connections).
            for user, text in zip(users, warm_up, strict=False):
                await ask(emu, user, text)
            crowd = users[len(warm_up) :]
            before = len(balancer.forwards())
            started = time.perf_counter()
            latencies = await asyncio.gather(
                *(ask(emu, u, q) for u, q in zip(crowd, asked, strict=True))
            )
            drained = time.perf_counter() - started
            await asyncio.sleep(1)  # room for a duplicate to arrive
            once = sum(len(emu.sent_messages(u)) == 1 for u in crowd)
            shares = Counter(f.replica for f in balancer.forwards()[before:])
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
    return {
        "replicas": replicas,
        "rate_limit": rate_limit,
        "answers_per_second": len(asked) / drained,
        "drained": drained,
        "median_ms": statistics.median(latencies) * 1000,
        "once": once,
        "asked": len(asked),
        "shares": [shares.get(n, 0) for n in range(replicas)],
    }


def row(result: dict[str, object]) -> str:
    shares = "/".join(str(s) for s in result["shares"])  # type: ignore[attr-defined]
    return (
        f"| {result['replicas']} | {'on' if result['rate_limit'] else 'off'} | "
        f"{result['answers_per_second']:.1f} | {result['drained']:.1f} | "
        f"{result['median_ms']:.0f} | {result['once']}/{result['asked']} | {shares} |"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300, help="questions in each burst")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of every configuration, interleaved"
    )
    parser.add_argument("--corpus", choices=["xquad", "seeds"], default="xquad")
    parser.add_argument("--output", type=Path, help="write the results as Markdown here")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="replicas-bench-"))
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "INDEX_DIR")
    }
    base_env.update(
        PYTHONPATH=str(ROOT), DATA_DIR=str(root / "data"), INDEX_DIR=str(root / "index"),
        HF_HUB_OFFLINE="1",
    )  # fmt: skip
    build_index(args.corpus, root / "index", base_env)
    runs = CONFIGURATIONS * args.repeat
    pool = questions(args.corpus, args.questions + 3 * len(runs))
    asked = pool[: args.questions]  # the same burst for every configuration
    warm = pool[args.questions :]
    results = []
    cluster = PostgresCluster()
    try:
        with BotApiEmulator(bot_username="newsbot_bench") as emu:
            for number, (replicas, rate_limit) in enumerate(runs):
                result = await measure(
                    emu, cluster, base_env, replicas, rate_limit, asked,
                    warm[3 * number : 3 * number + replicas], 10_000 * (number + 1),
                )  # fmt: skip
                print(row(result), flush=True)
                results.append(result)
    finally:
        cluster.stop()

    def rate(replicas: int, limited: bool) -> float:
        """The median answers/s of a configuration's runs."""
        return statistics.median(
            float(r["answers_per_second"])  # type: ignore[arg-type]
            for r in results
            if r["replicas"] == replicas and r["rate_limit"] == limited
        )

    lines = [
        f"{args.questions} distinct questions at once ({args.corpus}), one per user; "
        f"{os.cpu_count()} cores; webhook mode behind the round-robin balancer, PostgreSQL",
        "",
        "| replicas | rate limiter | answers/s | burst drained, s | median reply, ms | "
        "answered once | updates per replica |",
        "|---|---|---|---|---|---|---|",
        *(row(r) for r in results),
        "",
        f"3 replicas / 1 replica (medians of {args.repeat} run(s) each), rate limiter off: "
        f"{rate(3, False) / rate(1, False):.2f}x; on: {rate(3, True) / rate(1, True):.2f}x",
    ]
    report = "\n".join(lines)
    print(report)
    if args.output:
        command = " ".join(["python", "benchmarks/replicas.py", *sys.argv[1:]])
        args.output.write_text(
            f"# Bot replicas behind one webhook\n\n"
            f"`{command}`, {dt.date.today()}, commit {commit()}.\n\n{report}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
