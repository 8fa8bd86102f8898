"""+word / -word filters: parsing off the topic, and matching as the word index stems words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.alerts.arguments import parse_subscribe
from bot.alerts.filters import (
    FilterLimits,
    FilterTooLong,
    TooManyFilters,
    WordFilters,
    filter_problem,
    passes,
    split_filters,
)
from bot.alerts.model import Sensitivity
from index import words_of_text

ARTICLE = words_of_text(
    "Estonia reports Russian drones. The border guard said drones attacked Narva twice; "
    "New-York based analysts agree."
)


def test_filters_come_off_the_topic_anywhere_in_it() -> None:
    request = parse_subscribe("strict Russian attacks +Estonia on the Baltic -football", 200)
    assert request is not None
    assert (request.topic, request.sensitivity) == (
        "Russian attacks on the Baltic",
        Sensitivity.STRICT,
    )
    assert request.filters == WordFilters(("Estonia",), ("football",))
    every = parse_subscribe("all +Narva", 200)
    assert every is not None and every.topic is None and every.filters.required == ("Narva",)
    assert parse_subscribe("+Estonia -football", 200) is None, "filters alone are no topic"


def test_what_is_not_a_filter_stays_in_the_topic() -> None:
    topic, filters = split_filters(["COVID-19", "+", "-", "++x", "a+b", "Baltic"])
    assert topic == ["COVID-19", "+", "-", "++x", "a+b", "Baltic"] and not filters


def test_a_filter_without_a_searchable_word_is_named_and_repeats_fold() -> None:
    _, filters = split_filters(["+the", "-and", "+Estonia", "+estonia", "-football"])
    assert filters.unusable == ("+the", "-and")
    assert filters.required == ("Estonia",) and filters.excluded == ("football",)


def test_filters_match_words_in_any_form_and_whole_words_only() -> None:
    assert passes(["Estonia", "attack"], [], ARTICLE), "attacked is a form of attack"
    assert passes(["drone"], ["football"], ARTICLE)
    assert not passes(["Latvia"], [], ARTICLE)
    assert not passes([], ["drones"], ARTICLE)
    assert not passes(["Eston"], [], ARTICLE), "a word, not a prefix"
    assert passes(["New-York"], [], ARTICLE) and not passes(["New-Jersey"], [], ARTICLE)


@given(st.lists(st.from_regex(r"[A-Za-z]{3,12}", fullmatch=True), min_size=1, max_size=6))
def test_an_article_always_has_its_own_words_and_never_lacks_them(words: list[str]) -> None:
    text = words_of_text(" ".join(words))
    usable = [w for w in words if words_of_text(w)]
    assert passes(usable, [], text)
    assert not usable or not passes([], usable[:1], text)


def test_filters_beyond_the_limits_are_named() -> None:
    limits = FilterLimits(count=3, chars=8)
    _, three = split_filters(["+Estonia", "-football", "+the"])
    assert filter_problem(three, limits) is None
    _, four = split_filters(["+Estonia", "-football", "+the", "+Latvia"])
    assert filter_problem(four, limits) == TooManyFilters(given=4, limit=3)
    _, repeated = split_filters(["+Estonia"] * 10)
    assert filter_problem(repeated, limits) is None, "a repeated filter counts once"
    _, long = split_filters(["+Estonia", "-Estonians", "+x"])
    assert filter_problem(long, limits) == FilterTooLong(word="Estonians", limit=8)
    _, odd = split_filters(["+" + "!" * 9])  # no word in it, and too long to quote whole
    assert filter_problem(odd, limits) == FilterTooLong(word="!" * 9, limit=8)


@given(
    st.lists(st.from_regex(r"[+-][A-Za-z]{1,15}", fullmatch=True), max_size=30),
    st.integers(1, 20),
    st.integers(1, 15),
)
def test_filters_within_the_limits_pass(words: list[str], count: int, chars: int) -> None:
    _, filters = split_filters(words)
    problem = filter_problem(filters, FilterLimits(count, chars))
    given = len(filters.required) + len(filters.excluded) + len(filters.unusable)
    longest = max((len(w.lstrip("+-")) for w in words), default=0)
    assert (problem is None) == (given <= count and longest <= chars)
