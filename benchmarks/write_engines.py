"""What a write from a fresh process costs on torch against onnxruntime fp32 (ONNX_WRITE_LIMIT).

`python -m index add` of 1, 10, 100 and 300 real RealTimeQA articles (JSON Lines from
../shared/eval, not in the embedding cache, so every passage is embedded) to a copy of the sample
index, in a new process each time, as a cron job or an operator runs it: wall seconds from the
process's start to its exit, and the passages it embedded. ONNX_WRITE_LIMIT=0 is torch (import,
model load, encoding); a limit above the write's passages is onnxruntime fp32 (the same vectors).
The median of `--runs`, both engines in the same run; where torch catches up is what
ONNX_WRITE_LIMIT's default is chosen from.

    .venv/bin/python -m benchmarks.write_engines
    .venv/bin/python -m benchmarks.write_engines --articles 1,10 --runs 1   # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.provenance import commit

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "eval" / "realtimeqa-news" / "articles.jsonl"
ENGINES = {"torch": "0", "onnx fp32": "1000000000"}
"""ONNX_WRITE_LIMIT of each engine."""


def _environment(data_dir: Path, limit: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(data_dir),
        "MODELS_DIR": str(data_dir.parent / "models"),
        "ONNX_WRITE_LIMIT": limit,
        "HF_HUB_OFFLINE": "1",
    }


def _cli(data_dir: Path, limit: str, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "index", *args],
        capture_output=True, text=True, env=_environment(data_dir, limit), check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"python -m index {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return seconds, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="1,10,100,300", help="articles per write")
    parser.add_argument("--runs", type=int, default=3, help="writes per engine and size")
    parser.add_argument("--output", type=Path, help="also append the result to this file")
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"skipped: no {CORPUS}")
        return 0
    counts = [int(c) for c in args.articles.split(",") if c]
    records = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines()[: max(counts)]]
    lines = [
        f"## Write engines, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}",
        "",
        f"`{' '.join(['python -m benchmarks.write_engines', *sys.argv[1:]])}`; "
        f"{os.cpu_count()} cores; median of {args.runs} fresh processes each",
        "",
        "| articles | passages embedded | torch s | onnx fp32 s | torch / onnx |",
        "|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="write-engines-") as scratch:
        base = Path(scratch) / "base"
        _cli(base, "0", "rebuild", str(ROOT / "seeds"), "-q")  # also exports the fp32 model
        for count in counts:
            batch = Path(scratch) / f"articles-{count}.jsonl"
            batch.write_text("".join(json.dumps(r) + "\n" for r in records[:count]), "utf-8")
            seconds: dict[str, list[float]] = {name: [] for name in ENGINES}
            embedded = 0
            for _ in range(args.runs):
                for name, limit in ENGINES.items():
                    data_dir = Path(scratch) / "run"
                    shutil.rmtree(data_dir, ignore_errors=True)
                    shutil.copytree(base, data_dir, symlinks=True)
                    took, report = _cli(data_dir, limit, "add", str(batch), "-q")
                    seconds[name].append(took)
                    found = re.search(r"(\d[\d,]*) passages embedded", report)
                    embedded = int(found.group(1).replace(",", "")) if found else embedded
            torch_s, onnx_s = (statistics.median(seconds[name]) for name in ENGINES)
            lines.append(
                f"| {count} | {embedded:,} | {torch_s:.1f} | {onnx_s:.1f} | {torch_s / onnx_s:.2f}× |"
            )
            print(lines[-1], flush=True)
    text = "\n".join([*lines, ""])
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
