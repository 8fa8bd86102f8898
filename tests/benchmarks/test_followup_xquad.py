"""The XQuAD follow-up set: questions made follow-ups by a pronoun for what is established."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.followup_xquad import (
    PRONOUNS,
    article_conversations,
    as_asked,
    conversations,
    gendered_pronoun,
    title_phrase,
)

TESLA_TEXT = "Tesla was born in 1856. He moved to Paris, where his work began. " * 3


def test_titles_read_as_words_without_their_bracketed_part() -> None:
    assert title_phrase("Victoria_(Australia)") == "Victoria"
    assert title_phrase("Super_Bowl_50") == "Super Bowl 50"


def test_the_article_title_becomes_it() -> None:
    assert as_asked("Who won Super Bowl 50?", [], "Super_Bowl_50") == "Who won it?"
    assert (
        as_asked("What is the Dutch word for the Amazon rainforest?", [], "Amazon_rainforest")
        == "What is the Dutch word for it?"
    )


def test_a_plural_name_from_an_earlier_question_becomes_they_or_them() -> None:
    previous = ["Who did the Broncos beat in the divisional round?"]
    assert as_asked("Who were the Broncos?", previous, "X") == "Who were they?"
    assert (
        as_asked("Who was the winner between the Broncos and Steelers?", previous, "X")
        == "Who was the winner between them and Steelers?"
    )
    assert as_asked("Who beat the Broncos?", previous, "X") == "Who beat them?"


def test_a_person_the_article_is_about_is_he_him_or_his() -> None:
    assert gendered_pronoun("Nikola_Tesla", TESLA_TEXT) == "he"
    assert gendered_pronoun("Super_Bowl_50", TESLA_TEXT) == ""
    assert as_asked("When was Tesla born?", [], "Nikola_Tesla", "he") == "When was he born?"
    assert as_asked("Who hired Tesla?", [], "Nikola_Tesla", "he") == "Who hired him?"
    assert as_asked("What was Tesla's first job?", [], "Nikola_Tesla", "he") == (
        "What was his first job?"
    )
    assert as_asked("Tesla was born where?", [], "Nikola_Tesla", "he") == "He was born where?"


def test_a_name_used_as_a_modifier_or_not_established_is_left_alone() -> None:
    previous = ["How many points did the Panthers score?"]
    question = "How many sacks did the Panthers defense make?"
    assert as_asked(question, previous, "Super_Bowl_50") == question
    assert as_asked("Where is Bonn?", previous, "Rhine") == "Where is Bonn?"
    assert as_asked("What must a public school teacher have?", [], "Teacher") == (
        "What must a public school teacher have?"
    )


def test_a_question_that_names_nothing_established_starts_a_new_conversation() -> None:
    questions = [
        {"question": q, "answers": [a], "passage_id": "p0", "article_id": "a"}
        for q, a in [
            ("When was Tesla born?", "1856"),
            ("Where did Tesla move?", "Paris"),
            ("What is alternating current?", "a current"),
            ("Who used alternating current?", "Tesla"),
        ]
    ]
    made, tried = article_conversations("Nikola_Tesla", TESLA_TEXT, questions)
    assert tried == 3
    assert [[t["question"] for t in turns] for turns in made] == [
        ["When was Tesla born?", "Where did he move?"]
    ]
    assert made[0][1]["rewrite"] == "Where did Tesla move?" and made[0][1]["span_text"] == "Paris"
    records, figures = conversations(
        questions, [{"id": "p0", "article_id": "a", "title": "Nikola_Tesla", "text": TESLA_TEXT}]
    )
    assert records[0]["id"] == "a-c00" and records[0]["index"] == "xquad"
    assert figures["kept"] == 1 and figures["conversations"] == 1


WORDS = st.sampled_from(
    ["What", "did", "the", "Broncos", "Tesla", "Super", "Bowl", "50", "win", "in", "'s",
     "Paris", "defense", "of", "and", "a", "Who", "was", "born", ",", "this"]
)  # fmt: skip


@given(
    st.lists(st.lists(WORDS, min_size=1, max_size=9), min_size=1, max_size=6),
    st.sampled_from(["Super_Bowl_50", "Nikola_Tesla", "Paris"]),
)
def test_a_kept_follow_up_differs_from_its_rewrite_and_is_at_most_a_pronoun_longer(
    sentences: list[list[str]], title: str
) -> None:
    questions = [
        {"question": " ".join(words) + "?", "answers": ["x"], "passage_id": "p", "article_id": "a"}
        for words in sentences
    ]
    longest = max(len(p) for p in PRONOUNS) + 1
    made, _ = article_conversations(title, TESLA_TEXT, questions)
    for turns in made:
        assert turns[0]["rewrite"] is None
        for turn in turns[1:]:
            assert turn["question"] != turn["rewrite"]
            assert len(turn["question"]) <= len(turn["rewrite"]) + longest
