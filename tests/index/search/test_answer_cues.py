"""The cues that tell the sentence giving the answer from one restating the question."""

from __future__ import annotations

import pytest

from index.search.answer_cues import (
    NUMBER,
    OTHER,
    PERSON,
    PLACE,
    REASON,
    TIME,
    question_kind,
    sentence_cues,
    without_dateline,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [("Who won the election in Texas?", PERSON), ("How many people died in the floods?", NUMBER),
     ("When did the strike end?", TIME), ("In what year was the bridge built?", TIME),
     ("Why did the dock workers walk out?", REASON), ("What caused the blackout?", REASON),
     ("Where did the summit take place?", PLACE), ("Which country hosted the talks?", PLACE),
     ("What did the court decide?", OTHER), ("Which team won the Stanley Cup?", PERSON),
     ("Which year did the war end?", TIME)],
)  # fmt: skip
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_the_first_wh_word_decides() -> None:
    assert question_kind("Who said why the talks failed?") == PERSON


def test_a_dateline_is_not_what_happened() -> None:
    assert without_dateline("WASHINGTON (AP) — The Senate voted.") == "The Senate voted."
    assert without_dateline("(CNN) — Floods hit the town.") == "Floods hit the town."
    assert without_dateline("The Senate voted on Monday.") == "The Senate voted on Monday."


def test_the_answer_of_the_kind_asked_for_is_seen_and_the_question_s_own_is_not() -> None:
    question = "Who won the election in Texas last week?"
    first, answer = sentence_cues(
        question,
        "Texas election results",
        ["AUSTIN (AP) — The Texas election was held last week.",
         "Greg Abbott won with 55 percent of the vote, officials said."],
    )  # fmt: skip
    assert first.person == 0.0, "Texas is named by the question"
    assert answer.person == 1.0 and answer.number == 0.0
    assert answer.new_words > first.new_words
    assert first.title_echo > answer.title_echo


def test_numbers_count_only_for_number_questions_and_only_when_new() -> None:
    question = "How many homes did the 2021 floods destroy?"
    old, new = sentence_cues(
        question, "", ["The 2021 floods were the worst.", "They destroyed 300 homes."]
    )
    assert (old.number, new.number) == (0.0, 1.0)
    (other,) = sentence_cues("Who led the rescue?", "", ["They destroyed 300 homes."])
    assert other.number == 0.0


def test_bylines_and_closing_attributions_are_seen() -> None:
    byline, attributed, plain = sentence_cues(
        "Why did the talks fail?",
        "",
        ["By Jane Doe, CNN", '"We are disappointed," said Ian Smith, the union\'s spokesman.',
         "The talks failed because the port refused a raise."],
    )  # fmt: skip
    assert byline.boilerplate == 1.0 and plain.boilerplate == 0.0
    assert attributed.attribution > 0.5 and plain.attribution == 0.0
    assert plain.reason == 1.0


def test_cues_are_shares_and_positions_run_from_first_to_last() -> None:
    cues = sentence_cues("What happened?", "Title", ["One thing.", "Another thing.", "A third."])
    assert [c.position for c in cues] == [0.0, 0.5, 1.0]
    for cue in cues:
        assert all(0.0 <= value <= 1.0 for value in cue.as_list())


def test_a_sentence_that_is_a_question_is_seen() -> None:
    asked, told = sentence_cues(
        "What did the images show?", "", ["What do the images show?", "They show galaxies."]
    )
    assert (asked.interrogative, told.interrogative) == (1.0, 0.0)
    (quoted,) = sentence_cues("q", "", ['He asked: "Is it over?"'])
    assert quoted.interrogative == 1.0
