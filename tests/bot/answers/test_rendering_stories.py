"""The story list of `/sources stories` (`format_stories`): each story's first article linked,
when it ran, its outlets each linked to their article; escaped, and within Telegram's limit."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import texts
from bot.answers.rendering import format_stories
from index.stories.model import Story, StoryMember
from tests.bot.rendering_helpers import SCRIPT, dates, entity_texts, tricky_text, urls, visible
from tests.emulator import parse_html, utf16_len

SHREWSBURY = Story(
    "s-severn",
    (
        StoryMember("bbc", "River Severn bursts its banks in Shrewsbury", "https://bbc.example/1",
                    "BBC", "2026-12-01T08:00:00+00:00"),
        StoryMember("reuters", "Floods hit Shrewsbury as Severn overflows",
                    "https://reuters.example/2", "Reuters", "2026-12-01T14:00:00+00:00"),
        StoryMember("bbc-2", "Shrewsbury counts the cost", "https://bbc.example/3", "BBC",
                    "2026-12-03T09:00:00+00:00"),
    ),
    "2026-12-01T08:00:00+00:00",
    "2026-12-03T09:00:00+00:00",
)  # fmt: skip
VALENCIA = Story(
    "s-valencia",
    (StoryMember("ap", "Floods in Valencia kill three", "https://ap.example/4", "AP",
                 "2026-12-04T10:00:00+00:00"),),
    "2026-12-04T10:00:00+00:00",
    "2026-12-04T10:00:00+00:00",
)  # fmt: skip


def links(html_text: str) -> list[tuple[str, str]]:
    """(text, url) of each link, in order."""
    _, entities = parse_html(html_text)
    texts_shown = entity_texts(html_text, "text_link")
    urls_shown = [e["url"] for e in entities if e["type"] == "text_link"]
    return list(zip(texts_shown, urls_shown, strict=True))


def test_each_story_links_its_first_article_and_each_outlet_once() -> None:
    out = format_stories([VALENCIA, SHREWSBURY], page=0, pages=1, total=2, several=1)
    assert visible(out) == (
        "📰 2 stories, 1 reported by several outlets, newest first\n\n"
        "1. Floods in Valencia kill three — 4 Dec 2026\n"
        "   AP\n\n"
        "2. River Severn bursts its banks in Shrewsbury — 1–3 Dec 2026\n"
        "   BBC, Reuters"
    )
    assert links(out) == [
        ("Floods in Valencia kill three", "https://ap.example/4"),
        ("AP", "https://ap.example/4"),
        ("River Severn bursts its banks in Shrewsbury", "https://bbc.example/1"),
        ("BBC", "https://bbc.example/1"),
        ("Reuters", "https://reuters.example/2"),
    ], "each outlet links its first article of the story"


def test_numbers_continue_across_pages_and_the_last_page_ends_at_the_total() -> None:
    second = visible(format_stories([VALENCIA] * 10, page=1, pages=3, total=23))
    assert "23 stories, newest first · page 2 of 3" in second
    assert "\n\n11. Floods" in second and "\n\n20. Floods" in second
    last = visible(format_stories([VALENCIA, SHREWSBURY], page=2, pages=3, total=22))
    assert "\n\n21. Floods" in last and "\n\n22. River" in last


def test_an_empty_index_and_a_story_without_outlets() -> None:
    assert format_stories([], page=0, pages=1, total=0) == texts.STORIES_EMPTY
    untold = Story("s", (StoryMember("a", "", None, None, None),), None, None)
    assert visible(format_stories([untold], page=0, pages=1, total=1)) == (
        f"📰 1 story, newest first\n\n1. {texts.UNTITLED}"
    )


def test_markup_is_shown_not_obeyed_and_only_web_links_are_links() -> None:
    hostile = Story(
        "s",
        (StoryMember("a", SCRIPT, "javascript:alert(1)", "<b>Wire</b> & Co", "2026-12-01"),
         StoryMember("b", "x", 'https://e.example/?a=1&b="2"', SCRIPT, "2026-12-02")),
        "2026-12-01", "2026-12-02",
    )  # fmt: skip
    out = format_stories([hostile], page=0, pages=1, total=1)
    assert "<script>" not in out and "<b>Wire" not in out
    assert f"1. {SCRIPT} — 1–2 Dec 2026\n   <b>Wire</b> & Co, {SCRIPT}" in visible(out)
    assert links(out) == [(SCRIPT, 'https://e.example/?a=1&b="2"')]


def test_ten_stories_of_many_outlets_and_long_titles_fit_whole() -> None:
    crowded = Story(
        "s",
        tuple(
            StoryMember(f"a{i}", "Long title " * 40, f"https://e.example/{i}", f"Outlet {i} " * 10,
                        "2026-12-01")
            for i in range(30)
        ),
        "2025-12-31T23:00:00+00:00", "2026-01-02T01:00:00+00:00",
    )  # fmt: skip
    out = format_stories([crowded] * 10, page=0, pages=1, total=10, several=10)
    plain = visible(out)
    assert utf16_len(plain) <= 4096 and not plain.endswith("…"), "cut, not dropped"
    assert "\n\n10. Long title" in plain and "31 Dec 2025 – 2 Jan 2026" in plain
    named_more = [int(n) for n in re.findall(r" and (\d+) more\n", plain + "\n")]
    assert len(named_more) == 10 and all(24 <= n <= 28 for n in named_more)


# Made once, not on every draw of a member (hypothesis works a new strategy's properties out).
_member_titles = st.one_of(tricky_text, tricky_text.map(lambda s: s * 60))
_member_sources = st.one_of(st.none(), tricky_text)


@st.composite
def stories(draw: st.DrawFn) -> Story:
    members = tuple(
        StoryMember(f"a{i}", draw(_member_titles), draw(urls), draw(_member_sources), draw(dates))
        for i in range(draw(st.integers(1, 12)))
    )
    return Story("s", members, draw(dates), draw(dates))


@settings(max_examples=100, deadline=None)
@given(listed=st.lists(stories(), min_size=1, max_size=10), page=st.integers(0, 3))
def test_any_page_is_valid_html_within_the_limit(listed: list[Story], page: int) -> None:
    out = format_stories(listed, page=page, pages=4, total=40, several=3)
    plain, _ = parse_html(out)  # raises on invalid HTML
    assert utf16_len(plain) <= 4096
    assert plain.count("\n\n") >= len(listed), "every story of the page is listed"
