"""Search operators (`index.search.search_operators`)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from index.search.search_operators import read_operators


def test_operators_are_read_and_removed() -> None:
    read = read_operators('strike source:bbc -source:"Fox News" after:2024-03-01 before:2024/3/10')
    assert read.text == "strike"
    assert read.sources == ("bbc",) and read.excluded_sources == ("Fox News",)
    assert (read.after, read.before) == (date(2024, 3, 1), date(2024, 3, 10))
    assert read.problems == ()


def test_unreadable_values_are_reported_not_guessed() -> None:
    read = read_operators("floods after:yesterday before:2024-02-30 -after:2024-01-01")
    assert read.text == "floods" and read.after is None and read.before is None
    assert read.problems == ("after:yesterday", "before:2024-02-30", "-after:2024-01-01")


def test_words_with_colons_are_not_operators() -> None:
    for question in ("email: a@b.c", "the source: a leak", "time 10:30 news", "xsource:bbc"):
        assert read_operators(question).text == question


@given(st.text(alphabet="abc :-\"'", max_size=30))
def test_text_without_operator_names_is_untouched(question: str) -> None:
    assert read_operators(question).text == question
