"""Answers, article lists and stats as Telegram-valid HTML within 4,096 UTF-16 units, whatever
the input."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, target
from hypothesis import strategies as st

from bot import citations, texts
from bot.answers.rendering import (
    answer_parts,
    format_answer,
    format_answer_plain,
    format_not_covered,
    format_sources,
    format_stats,
)
from bot.excerpts import shorten
from index.search.news_index import Hit, IndexStats, SourceRef
from index.store.metadata import ArticleSummary
from tests.bot.rendering_helpers import (
    SCRIPT,
    SENTENCE,
    entity_texts,
    fold,
    hit_lists,
    make_hit,
    tricky_text,
    urls,
    visible,
)
from tests.emulator import parse_html, utf16_len

# -- format_answer: properties ----------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(question=tricky_text, hits_and_sentences=hit_lists(), page=st.integers(0, 5),
       has_more=st.booleans(), cut_note=st.booleans())  # fmt: skip
def test_answer_is_valid_html_within_the_limit_with_each_sentence_in_bold(
    question: str,
    hits_and_sentences: tuple[list[Hit], list[str]],
    page: int,
    has_more: bool,
    cut_note: bool,
) -> None:
    hits, sentences = hits_and_sentences
    out = format_answer(question, hits, page=page, has_more=has_more, cut_note=cut_note)
    length = utf16_len(visible(out))
    target(float(length), label="visible length")  # steer the search towards the limit
    assert length <= 4096
    blocks = out.split("\n\n")[1 : 1 + len(hits)]
    assert len(blocks) == len(hits)
    for block, sentence, hit in zip(blocks, sentences, hits, strict=True):
        title_line, _, body = block.split("\n")
        assert title_line.startswith(f"{hit.rank}. ")
        bold = re.fullmatch(r"…?[^<]*<b>([^<]*)</b>[^<]*…?", body)
        assert bold, body
        shown = html.unescape(bold.group(1))
        assert shown and sentence.startswith(shown)


# -- format_answer: examples -----------------------------------------------------------------------


def test_http_url_becomes_a_link_and_the_sentence_is_bold() -> None:
    out = format_answer("Who signed agreements?", [make_hit()], page=0, has_more=True)
    assert '<a href="https://www.bbc.com/news/1">Macron says' in out
    assert entity_texts(out, "text_link") == ["Macron says sending troops is not ruled out"]
    assert SENTENCE in entity_texts(out, "bold")
    plain = visible(out)
    assert "BBC · 26 Feb 2024 · strong match" in plain
    assert "Zelensky called on the leaders in Paris." in plain, "context around the sentence"
    assert "Nato has three or four years. Zelensky" in plain, "paragraph breaks folded"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/x", "https://", "not a url", ""]
)
def test_other_urls_are_not_links(url: str) -> None:
    out = format_answer("q", [make_hit(url=url)], page=0, has_more=False)
    assert "<a " not in out and not entity_texts(out, "text_link")
    assert "Macron says sending troops is not ruled out" in visible(out)


def test_markup_in_title_and_question_is_shown_not_obeyed() -> None:
    hit = make_hit(title=f"Title {SCRIPT}", source="<b>BBC</b> & co")
    out = format_answer(f"Why {SCRIPT}?", [hit], page=0, has_more=False)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    plain = visible(out)
    assert plain.count(SCRIPT) == 2 and "<b>BBC</b> & co" in plain


def test_the_answer_fits_with_ten_long_hits_and_long_titles() -> None:
    long_text = " ".join(f"Sentence {i} is about the war in Ukraine." for i in range(300))
    hits = [
        make_hit(rank=r, text=long_text, bold_sentence=(2000, 2100), title="Very long title 😀 " * 60,
                 source="S" * 300, published="x" * 300)
        for r in range(1, 11)
    ]  # fmt: skip
    out = format_answer("Why? " * 500, hits, page=3, has_more=False, cut_note=True)
    assert utf16_len(visible(out)) <= 4096
    assert len(entity_texts(out, "bold")) == 11, "the question and one sentence per hit"
    assert format_answer("q", hits[:1], page=0, has_more=False, max_chars=1000).count("\n\n") == 1
    assert (
        utf16_len(visible(format_answer("q", hits, page=0, has_more=False, max_chars=3000))) <= 3000
    )


def test_paging_and_notes() -> None:
    first = visible(format_answer("q", [make_hit()], page=0, has_more=True))
    last = visible(format_answer("q", [make_hit(rank=4)], page=1, has_more=False, cut_note=True))
    assert "page" not in first and visible(texts.ANSWER_END) not in first
    assert "page 2" in last and visible(texts.ANSWER_END) in last and "\n4. " in last
    assert visible(texts.LONG_QUESTION_NOTE(None)) in last
    note = format_answer(
        "q", [make_hit()], page=0, has_more=False, cut_note=True, question_max_chars=500
    )
    assert "500 characters" in visible(note)


def test_plain_answer_for_the_terminal() -> None:
    out = format_answer_plain(
        f"Who {SCRIPT}?", [make_hit(), make_hit(rank=2, url=None, source=None)]
    )
    assert SCRIPT in out and "&lt;" not in out and "<b>" not in out
    assert "Macron says sending troops is not ruled out" in out and "BBC · 26 Feb 2024" in out
    assert "\n   https://www.bbc.com/news/1\n" in out, "the url on its own line"
    assert f"**{SENTENCE}**" in fold(out)
    assert max(len(line) for line in out.splitlines()) <= 88
    assert "\n\n2. " in out


def test_not_covered_points_to_sources_and_escapes() -> None:
    out = format_not_covered(f"banana {SCRIPT} bread")
    assert "/sources" in visible(out) and f"banana {SCRIPT} bread" in entity_texts(out, "bold")


# -- sources and stats ----------------------------------------------------------------------------


def summary(i: int, **changes: object) -> ArticleSummary:
    fields: dict[str, object] = dict(
        id=f"a{i}", title=f"Article {i}", url=f"https://example.com/{i}", source="Reuters",
        published="2024-02-26", passages=3, first_indexed_at="2024-02-27T00:00:00+00:00",
    )  # fmt: skip
    fields.update(changes)
    return ArticleSummary(**fields)  # type: ignore[arg-type]


def test_sources_list_numbers_links_and_validates() -> None:
    articles = [summary(i) for i in range(10)]
    articles[3] = summary(3, title=SCRIPT * 20, url="javascript:x", source=None, published=None)
    out = format_sources(articles, page=1, pages=3, total=25)
    plain = visible(out)
    assert "25 indexed articles · page 2 of 3" in plain
    assert "\n11. Article 0 — Reuters · 26 Feb 2024" in plain and "\n20. Article 9" in plain
    assert len(entity_texts(out, "text_link")) == 9 and "<script>" not in out
    last = visible(format_sources([summary(1), summary(2)], page=2, pages=3, total=22))
    assert "\n21. Article 1" in last and "\n22. Article 2" in last
    assert visible(format_sources([], page=0, pages=1, total=0)) == visible(texts.SOURCES_EMPTY)
    huge = format_sources(
        [summary(i, title="t" * 500) for i in range(60)], page=0, pages=1, total=60
    )
    assert utf16_len(visible(huge)) <= 4096 and visible(huge).endswith("…")


def test_stats_render_in_utc_with_a_human_size() -> None:
    stats = IndexStats(
        1200, 34567, "sentence-transformers/all-MiniLM-L6-v2", 384, "Flat",
        "2024-02-26T15:05:00+01:00", "b1", 3 * 1024 * 1024 // 2, Path("."),
    )  # fmt: skip
    plain = visible(format_stats(stats))
    assert "Articles: 1,200" in plain and "Passages: 34,567" in plain
    assert "all-MiniLM-L6-v2 (384 dimensions)" in plain
    assert "26 Feb 2024, 14:05 UTC" in plain and "1.5 MB" in plain
    odd = IndexStats(0, 0, "<m>", 1, "Flat", "not a date", "b", 10, Path("."))
    assert "not a date" in visible(format_stats(odd)) and "10 bytes" in visible(format_stats(odd))


# -- where a passage is, and its other sources -----------------------------------------------------


def test_the_passage_position_is_cited_when_the_article_has_several() -> None:
    several = visible(
        format_answer(
            "q", [make_hit(passage_number=2, passages_in_article=5)], page=0, has_more=False
        )
    )
    assert "part 2 of 5" in several
    single = visible(format_answer("q", [make_hit()], page=0, has_more=False))
    assert "part 1 of 1" not in single and " of 1 " not in single
    plain = format_answer_plain("q", [make_hit(passage_number=3, passages_in_article=3)])
    assert "part 3 of 3" in plain


@settings(max_examples=50, deadline=None)
@given(
    hit_lists(),
    st.lists(st.tuples(tricky_text, urls, st.one_of(st.none(), tricky_text)), max_size=5),
)
def test_an_answer_names_the_other_sources_of_a_reprinted_passage(
    found: tuple[list[Hit], list[str]], others: list[tuple[str, str, str | None]]
) -> None:
    hits, _ = found
    refs = tuple(
        SourceRef(f"o{i}", title, url, source, None)
        for i, (title, url, source) in enumerate(others)
    )
    hits = [dataclasses.replace(hits[0], also_in=refs), *hits[1:]]
    text = format_answer("q", hits, page=0, has_more=False)
    plain, _ = parse_html(text)
    assert utf16_len(plain) <= 4096
    line = also_in_line(text)
    if not refs:
        assert line is None
    else:
        assert line is not None and line.startswith("also in ")
        unnamed = len(refs) - citations.ALSO_IN_SHOWN
        if unnamed > 0:
            assert line.endswith(f" and {unnamed} more")
        else:  # every source is named, the last one closes the line
            last = refs[-1]
            name = shorten(last.source or last.title, citations.ALSO_IN_NAME_CHARS)
            assert line.endswith(name or texts.UNTITLED)
    format_answer_plain("q", hits)


def also_in_line(answer_html: str) -> str | None:
    """The visible "also in …" line of the first cited passage, or None when it has none.

    Only this line may say "and N more": a generated title or passage may hold any words.
    The first hit's block is title, meta line, optional "also in" line, then the excerpt.
    """
    lines = answer_html.split("\n\n")[1].split("\n")
    return visible(lines[2]) if len(lines) == 4 else None


def test_the_words_of_a_passage_are_not_taken_for_the_also_in_count() -> None:
    """The example that once failed: a passage reading "more " beside two other sources."""
    refs = tuple(SourceRef(f"o{i}", f"Copy {i}", None, f"Wire {i}", None) for i in range(2))
    text = format_answer("q", [make_hit(text="more ", bold_sentence=(0, 4), also_in=refs)],
                         page=0, has_more=False)  # fmt: skip
    assert "more" in visible(text), "the old whole-message assertion would fail here"
    assert also_in_line(text) == "also in Wire 0, Wire 1"
    many = tuple(SourceRef(f"o{i}", f"Copy {i}", None, f"Wire {i}", None) for i in range(5))
    assert also_in_line(format_answer("q", [make_hit(also_in=many)], page=0, has_more=False)) == (
        "also in Wire 0, Wire 1, Wire 2 and 2 more"
    )
    assert also_in_line(format_answer("q", [make_hit()], page=0, has_more=False)) is None


def test_also_in_links_the_other_source() -> None:
    ref = SourceRef("o1", "Same story", "https://apnews.com/x", "AP", None)
    text = format_answer("q", [make_hit(also_in=(ref,))], page=0, has_more=False)
    assert "also in AP" in parse_html(text)[0]
    assert "AP" in entity_texts(text, "text_link")
    assert "also in AP" in format_answer_plain("q", [make_hit(also_in=(ref,))])


def test_the_first_citation_shows_its_whole_passage_and_the_others_an_excerpt() -> None:
    """A passage of ~900 characters: the first citation shows all of it, with the answer far
    from the bold sentence; the later ones their bold sentence and a little around it."""
    filler = " ".join(f"Sentence {i} adds some detail about the talks." for i in range(18))
    passage = f"The talks opened in Paris. {filler} The deal was signed in Lisbon."
    assert 800 < len(passage) <= citations.FIRST_EXCERPT_MAX_CHARS
    bold = (0, len("The talks opened in Paris."))
    hits = [make_hit(rank=r, text=passage, end=len(passage), bold_sentence=bold) for r in (1, 2, 3)]
    parts = answer_parts("Where was the deal signed?", hits, page=0, has_more=True)
    first, *later = (visible(block) for block in parts.blocks)
    assert "Lisbon" in first
    for block in later:
        assert "Lisbon" not in block and "The talks opened in Paris." in block
        excerpt_line = block.splitlines()[-1]
        assert utf16_len(excerpt_line) <= citations.LATER_EXCERPT_MAX_CHARS
