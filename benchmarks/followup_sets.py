"""CoQA's CNN conversations as the follow-up set `benchmarks.followups` reads.

A follow-up ("and what did the mayor say?") is a question that only makes sense after the ones
before it. CoQA (Reddy, Chen and Manning, TACL 2019) asked crowd workers to hold such
conversations about a passage, and its news passages are CNN stories; CoQAR (Brabant, Lecorve
and Rojas-Barahona, LREC 2022) adds human rewrites of each question that stand on their own. So
each CNN story of CoQA's dev set becomes one conversation: its questions in order, the answer,
the rationale CoQA's annotators highlighted in the story (the evidence a citation must hold),
and CoQAR's first rewrite of the question when there is one.

Sources (not part of the project, and not bundled here):

- CoQA: `coqa-dev-v1.0.json`, published by the CoQA authors (stanfordnlp.github.io/coqa);
  500 stories, 7,983 questions, 100 of them CNN stories. The news passages come from the
  DeepMind CNN data set, Apache 2.0 (CoQA's licence note).
- CoQAR: `Orange-OpenSource/COQAR` @ 1f21713f6d3152232bb1921a3767d2b7fa7255b4,
  `data/CoQAR/dev/coqar-dev-v1.0.json`, git blob af754428284900f9ec844d096d9d144fdfeefe32
  (`git hash-object FILE` checks a copy): the CoQA dev stories with a `paraphrase` list per
  question; annotations CC BY-SA 4.0, code Apache 2.0.

    python -m benchmarks.followup_sets --coqa coqa-dev-v1.0.json \
        --coqar coqar-dev-v1.0.json --output ../followup-data

writes `conversations.jsonl` (one CNN story a line: id, title, text, source, turns of
question, answer, rewrite and span_text), `README.md` (sources, counts) and `SHA256SUMS`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CNN = "cnn"
TITLE_CHARS = 100
_DATELINE = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:--|—|-)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def story_title(story: str) -> str:
    """A title for a story that has none: its first line when that reads as a headline (short,
    the story goes on, no dateline, no closing full stop), else its first sentence without the
    "(CNN) --" dateline, cut at a word near `TITLE_CHARS`."""
    lines = [line.strip() for line in story.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    first = _DATELINE.sub("", lines[0], count=1)
    headline = first == lines[0] and not lines[0].endswith((".", "!", "?", '"'))
    if len(lines) > 1 and headline and len(lines[0]) <= TITLE_CHARS:
        return lines[0]
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(sentence) <= TITLE_CHARS:
        return sentence
    cut = sentence[:TITLE_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


def rewrites_by_turn(coqar: Mapping[str, Any] | None) -> dict[tuple[str, int], str]:
    """CoQAR's first non-empty rewrite of each question, by (story id, turn id)."""
    if coqar is None:
        return {}
    found: dict[tuple[str, int], str] = {}
    for story in coqar.get("data", []):
        for question in story.get("questions", []):
            rewrites = [p.strip() for p in question.get("paraphrase") or [] if p and p.strip()]
            if rewrites:
                found[(story["id"], int(question["turn_id"]))] = rewrites[0]
    return found


def conversation(story: Mapping[str, Any], rewrites: Mapping[tuple[str, int], str]) -> dict:
    """One CoQA story as a conversation record. A turn whose answer has no span in the story
    (CoQA marks "unknown" with span_start -1) keeps `span_text` None."""
    answers = {int(a["turn_id"]): a for a in story["answers"]}
    turns = []
    for question in sorted(story["questions"], key=lambda q: int(q["turn_id"])):
        turn = int(question["turn_id"])
        answer = answers.get(turn, {})
        has_span = int(answer.get("span_start", -1)) >= 0 and bool(answer.get("span_text"))
        turns.append(
            {
                "question": question["input_text"],
                "answer": answer.get("input_text", ""),
                "rewrite": rewrites.get((story["id"], turn)),
                "span_text": answer["span_text"].strip() if has_span else None,
            }
        )
    return {
        "id": story["id"],
        "title": story_title(story["story"]),
        "text": story["story"],
        "source": "CNN",
        "turns": turns,
    }


def cnn_conversations(
    coqa: Mapping[str, Any], coqar: Mapping[str, Any] | None = None
) -> list[dict]:
    """Every CNN story of a CoQA file as a conversation, in file order."""
    rewrites = rewrites_by_turn(coqar)
    return [conversation(s, rewrites) for s in coqa["data"] if s.get("source") == CNN]


def counts(coqa: Mapping[str, Any], conversations: Sequence[dict]) -> dict[str, int]:
    """What the README reports, to compare with the paper's figures."""
    turns = [t for c in conversations for t in c["turns"]]
    return {
        "stories": len(coqa["data"]),
        "questions": sum(len(s["questions"]) for s in coqa["data"]),
        "cnn_stories": len(conversations),
        "cnn_questions": len(turns),
        "follow_ups": sum(max(0, len(c["turns"]) - 1) for c in conversations),
        "with_span": sum(t["span_text"] is not None for t in turns),
        "with_rewrite": sum(t["rewrite"] is not None for t in turns),
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def readme(coqa_path: Path, coqar_path: Path | None, figures: Mapping[str, int]) -> str:
    coqar_line = (
        f"- CoQAR: `{coqar_path.name}` (sha256 `{sha256(coqar_path)}`), from "
        "`Orange-OpenSource/COQAR`; annotations CC BY-SA 4.0."
        if coqar_path
        else "- CoQAR: not given, so every `rewrite` is null."
    )
    return f"""# Follow-up questions over CNN stories (CoQA dev)

For `python -m benchmarks.followups`. Local evaluation only: the stories are CNN's.

- CoQA: `{coqa_path.name}` (sha256 `{sha256(coqa_path)}`), CoQA v1.0 dev set (Reddy et al.,
  TACL 2019); news passages from the DeepMind CNN data set, Apache 2.0 per CoQA's licence note.
{coqar_line}
- Made by `python -m benchmarks.followup_sets` (its docstring gives the sources and command).

| | count |
|---|---:|
| CoQA stories / questions | {figures["stories"]:,} / {figures["questions"]:,} |
| CNN conversations | {figures["cnn_stories"]:,} |
| CNN questions (turns) | {figures["cnn_questions"]:,} |
| follow-ups (turn 2 on) | {figures["follow_ups"]:,} |
| turns with an evidence span | {figures["with_span"]:,} |
| turns with a CoQAR rewrite | {figures["with_rewrite"]:,} |

`conversations.jsonl`: one CNN story a line, `{{id, title, text, source, turns}}`; each turn
`{{question, answer, rewrite, span_text}}`. `title` is derived (CoQA stories have none);
`span_text` is CoQA's rationale (null for "unknown" answers); `rewrite` is CoQAR's first
self-contained rewrite of the question, or null.
"""


def write_set(coqa_path: Path, coqar_path: Path | None, output: Path) -> dict[str, int]:
    coqa = json.loads(coqa_path.read_text("utf-8"))
    coqar = json.loads(coqar_path.read_text("utf-8")) if coqar_path else None
    conversations = cnn_conversations(coqa, coqar)
    output.mkdir(parents=True, exist_ok=True)
    data = output / "conversations.jsonl"
    with data.open("w", encoding="utf-8") as out:
        for record in conversations:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    figures = counts(coqa, conversations)
    (output / "README.md").write_text(readme(coqa_path, coqar_path, figures), "utf-8")
    sums = [f"{sha256(output / name)}  {name}" for name in ("conversations.jsonl", "README.md")]
    (output / "SHA256SUMS").write_text("\n".join(sums) + "\n", "utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.followup_sets",
        description="Write CoQA's CNN conversations (with CoQAR rewrites) as a follow-up set.",
        epilog="Example: python -m benchmarks.followup_sets --coqa coqa-dev-v1.0.json "
        "--coqar coqar-dev-v1.0.json --output ../followup-data",
    )
    parser.add_argument("--coqa", type=Path, required=True, help="coqa-dev-v1.0.json")
    parser.add_argument("--coqar", type=Path, help="coqar-dev-v1.0.json (rewrites; optional)")
    parser.add_argument("--output", type=Path, required=True, help="folder to write the set to")
    args = parser.parse_args(argv)
    missing = [p for p in (args.coqa, args.coqar) if p is not None and not p.is_file()]
    if missing:
        print(f"{missing[0]} is not there: see this module's docstring for the sources.",
              file=sys.stderr)  # fmt: skip
        return 1
    figures = write_set(args.coqa, args.coqar, args.output)
    print(", ".join(f"{name} {value:,}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
