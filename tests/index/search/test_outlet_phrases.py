"""Outlets named in questions (`index.search.outlet_phrases`): only outlets the index holds
filter; explicit phrases name the ones it lacks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.search.outlet_phrases import match_outlet, outlet_key, read_outlets

OUTLETS = ["BBC News", "Reuters", "The Guardian", "Associated Press", "CNN"]


@pytest.mark.parametrize(
    ("question", "text", "outlets", "unknown"),
    [
        ("What does the BBC say about the strike?", "the strike?", ("BBC News",), ()),
        ("what did Reuters report on the election", "the election", ("Reuters",), ()),
        ("according to reuters, who won the election?", "who won the election?", ("Reuters",), ()),
        ("news from the Guardian on the budget", "news on the budget", ("The Guardian",), ()),
        ("floods in the guardian", "floods", ("The Guardian",), ()),
        ("latest from AP", "latest", ("Associated Press",), ()),
        ("strike in Guardain", "strike", ("The Guardian",), ()),
        ("What did Fox News report about the storm?", "the storm?", (), ("Fox News",)),
        (
            "according to the New York Times, who resigned?",
            "who resigned?",
            (),
            ("New York Times",),
        ),
        (
            "who resigned as reported by the Associated press",
            "who resigned",
            ("Associated Press",),
            (),
        ),
    ],
)
def test_outlets_are_read_and_leave_the_question(
    question: str, text: str, outlets: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    reading = read_outlets(question, OUTLETS)
    assert (reading.text, reading.outlets, reading.unknown) == (text, outlets, unknown)


@pytest.mark.parametrize(
    "question",
    [
        "floods in Spain",
        "what did the court decide according to Biden?",
        "What do people say about taxes?",
        "according to the police, how many died?",
        "who won in Portugal on Sunday",
        "what does the report say about emissions",
        "According to the AAA, what share of stations ran dry?",
        "what did the court decide according to NATO?",
    ],
)
def test_words_that_name_no_outlet_are_left_alone(question: str) -> None:
    reading = read_outlets(question, OUTLETS)
    assert (reading.text, reading.outlets, reading.unknown) == (question, (), ())


def test_a_question_that_is_only_an_outlet_keeps_its_words() -> None:
    assert read_outlets("what does CNN say", OUTLETS).text == "what does CNN say"
    assert read_outlets("what does CNN say", OUTLETS).outlets == ("CNN",)


def test_names_match_without_case_article_or_punctuation_and_short_forms_only_when_alone() -> None:
    assert match_outlet("the guardian", OUTLETS) == "The Guardian"
    assert match_outlet("BBC", OUTLETS) == "BBC News"
    assert match_outlet("Reuter", OUTLETS) == "Reuters"
    assert match_outlet("BBC", [*OUTLETS, "BBC Sport"]) is None, "two outlets start with BBC"
    assert match_outlet("CNB", OUTLETS) is None, "too short to guess a typo"
    assert outlet_key("The  Guardian!") == outlet_key("guardian")


@given(
    st.lists(
        st.sampled_from(["floods", "in", "Spain", "the", "vote", "from", "court", "on"]), max_size=8
    )
)
def test_a_question_without_outlets_comes_back_unchanged(words: list[str]) -> None:
    question = " ".join(words)
    assert read_outlets(question, OUTLETS).text == question
