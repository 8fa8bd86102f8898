"""CoQA's CNN stories become conversations: turns in order, spans kept, CoQAR rewrites matched."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.followup_sets import TITLE_CHARS, cnn_conversations, counts, story_title, write_set

STORY = "(CNN) -- The mayor of Springfield resigned on Monday. He cited health reasons.\n\nMore."


def coqa_story(story_id: str, source: str, story: str = STORY) -> dict:
    return {
        "source": source,
        "id": story_id,
        "filename": f"{source}_{story_id}.story",
        "story": story,
        "questions": [  # out of order on purpose
            {"input_text": "why?", "turn_id": 2},
            {"input_text": "Who resigned?", "turn_id": 1},
            {"input_text": "was he young?", "turn_id": 3},
        ],
        "answers": [
            {"input_text": "the mayor", "span_start": 7, "span_end": 40,
             "span_text": " The mayor of Springfield resigned", "turn_id": 1},
            {"input_text": "health", "span_start": 57, "span_end": 80,
             "span_text": "He cited health reasons", "turn_id": 2},
            {"input_text": "unknown", "span_start": -1, "span_end": -1,
             "span_text": "unknown", "turn_id": 3},
        ],
    }  # fmt: skip


COQA = {"version": "1.0", "data": [coqa_story("a1", "cnn"), coqa_story("b2", "wikipedia")]}
COQAR = {
    "data": [
        {
            "id": "a1",
            "questions": [
                {"input_text": "why?", "turn_id": 2,
                 "paraphrase": ["", "Why did the mayor of Springfield resign?", "Why?"]},
                {"input_text": "Who resigned?", "turn_id": 1, "paraphrase": []},
            ],
        }
    ]
}  # fmt: skip


def test_only_cnn_stories_become_conversations_with_their_turns_in_order() -> None:
    [conversation] = cnn_conversations(COQA, COQAR)
    assert conversation["id"] == "a1" and conversation["source"] == "CNN"
    assert conversation["text"] == STORY
    assert [t["question"] for t in conversation["turns"]] == [
        "Who resigned?",
        "why?",
        "was he young?",
    ]
    assert [t["answer"] for t in conversation["turns"]] == ["the mayor", "health", "unknown"]


def test_the_span_is_the_evidence_and_an_unknown_answer_has_none() -> None:
    spans = [t["span_text"] for t in cnn_conversations(COQA)[0]["turns"]]
    assert spans == ["The mayor of Springfield resigned", "He cited health reasons", None]


def test_the_first_non_empty_coqar_rewrite_is_kept_and_missing_ones_are_null() -> None:
    rewrites = [t["rewrite"] for t in cnn_conversations(COQA, COQAR)[0]["turns"]]
    assert rewrites == [None, "Why did the mayor of Springfield resign?", None]
    assert all(t["rewrite"] is None for t in cnn_conversations(COQA)[0]["turns"])


def test_counts_compare_the_whole_file_with_the_cnn_part() -> None:
    figures = counts(COQA, cnn_conversations(COQA, COQAR))
    assert figures == {
        "stories": 2, "questions": 6, "cnn_stories": 1, "cnn_questions": 3, "follow_ups": 2,
        "with_span": 2, "with_rewrite": 1,
    }  # fmt: skip


def test_a_title_is_the_short_first_line_else_the_first_sentence_without_dateline() -> None:
    assert story_title("Mayor quits\nThe mayor quit.") == "Mayor quits"
    assert story_title(STORY) == "The mayor of Springfield resigned on Monday."
    assert story_title("") == ""


@given(st.text(max_size=400))
def test_a_title_is_never_longer_than_the_limit_and_one_line(story: str) -> None:
    title = story_title(story)
    assert len(title) <= TITLE_CHARS + 1 and "\n" not in title


def test_the_set_is_written_with_readme_and_checksums(tmp_path: Path) -> None:
    coqa, coqar = tmp_path / "coqa.json", tmp_path / "coqar.json"
    coqa.write_text(json.dumps(COQA)), coqar.write_text(json.dumps(COQAR))
    write_set(coqa, coqar, tmp_path / "out")
    lines = (tmp_path / "out" / "conversations.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a1"]
    assert "| CNN conversations | 1 |" in (tmp_path / "out" / "README.md").read_text()
    sums = (tmp_path / "out" / "SHA256SUMS").read_text().split()
    assert sums[1::2] == ["conversations.jsonl", "README.md"]
