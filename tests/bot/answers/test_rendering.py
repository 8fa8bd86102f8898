"""The pure formatting layer: Telegram-valid HTML within 4,096 UTF-16 units, whatever the input."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, target
from hypothesis import strategies as st

from bot import citations, escaping, texts
from bot.answers.rendering import (
    format_answer,
    format_answer_plain,
    format_not_covered,
    format_sources,
    format_stats,
)
from bot.citations import format_date, relevance
from bot.escaping import escape, quoted
from bot.excerpts import excerpt, shorten
from bot.html_split import split_message
from index.search.news_index import Hit, IndexStats, SourceRef
from index.store.metadata import ArticleSummary
from tests.emulator import HtmlError, parse_html, utf16_len

TRICKY = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "<b>",
    "</a>",
    "&amp;",
    "&lt;",
    "😀",
    "𝕏",
    "👍🏽",
    "\n\n",
    " ",
    "\t",
]
SCRIPT = "<script>alert(1)</script>"
SENTENCE = "The Paris conference comes after France, Germany and the UK signed 10-year agreements."
PASSAGE = (
    "Estonia’s foreign minister said Nato has three or four years.\n\n"
    f"Zelensky called on the leaders in Paris. {SENTENCE} Kyiv works to shore up support."
)

tricky_text = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(TRICKY)), max_size=12).map(
    "".join
)
urls = st.one_of(
    st.none(),
    st.sampled_from(
        ['https://example.com/a?b=1&c="2"\'<x>', "http://news.example/x", "javascript:alert(1)"]
    ),
    tricky_text,
    tricky_text.map(lambda s: "https://example.com/" + s),
)
dates = st.one_of(st.none(), st.sampled_from(["2024-02-26", "2024-02-26T10:00:00Z"]), tricky_text)


def fold(text: str) -> str:
    return " ".join(text.split())


@st.composite
def passages(draw: st.DrawFn) -> tuple[str, tuple[int, int], str]:
    """A passage of sentences, the span of one of them, and that sentence as displayed.

    Repeating the sentences makes passages long (up to a few thousand characters) cheaply.
    """
    words = st.lists(tricky_text.filter(lambda s: s.strip()), min_size=1, max_size=8)
    sentences = draw(st.lists(words.map(" ".join), min_size=1, max_size=5))
    chosen = draw(st.integers(0, len(sentences) - 1))
    sentences = sentences * draw(st.integers(1, 20))
    separators = draw(st.lists(st.sampled_from([" ", "\n\n", "  \n"]), min_size=len(sentences)))
    text, span = "", (0, 0)
    for i, (sentence, separator) in enumerate(zip(sentences, separators, strict=False)):
        if i == chosen:
            span = (len(text), len(text) + len(sentence))
        text += sentence + separator
    return text, span, fold(sentences[chosen])


@st.composite
def hit_lists(draw: st.DrawFn) -> tuple[list[Hit], list[str]]:
    hits, sentences = [], []
    for rank in range(1, draw(st.integers(1, 10)) + 1):
        text, span, sentence = draw(passages())
        title = draw(st.one_of(tricky_text, tricky_text.map(lambda s: (s or "x") * 100)))
        hit = Hit(
            rank, draw(st.floats(-1, 1)), text, 0, len(text), f"a{rank}", title, draw(urls),
            draw(st.one_of(st.none(), tricky_text)), draw(dates), span,
            draw(st.integers(1, 999)), draw(st.integers(1, 999)),
            relevance=draw(st.sampled_from(["", "strong", "good", "partial", "weak"])),
        )  # fmt: skip
        hits.append(hit)
        sentences.append(sentence)
    return hits, sentences


def make_hit(**changes: object) -> Hit:
    fields: dict[str, object] = dict(
        rank=1, score=0.62, text=PASSAGE, start=0, end=len(PASSAGE), article_id="a1",
        title="Macron says sending troops is not ruled out", url="https://www.bbc.com/news/1",
        source="BBC", published="2024-02-26", highlight=(PASSAGE.index(SENTENCE), PASSAGE.index(SENTENCE) + len(SENTENCE)),
    )  # fmt: skip
    fields.update(changes)
    return Hit(**fields)  # type: ignore[arg-type]


def visible(html_text: str) -> str:
    return parse_html(html_text)[0]


def entity_texts(html_text: str, kind: str) -> list[str]:
    plain, entities = parse_html(html_text)
    units = plain.encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] == kind
    ]


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


@settings(max_examples=150, deadline=None)
@given(text=tricky_text, start=st.integers(-5, 120), end=st.integers(-5, 120),
       max_chars=st.one_of(st.integers(2, 40), st.integers(2, 600)))  # fmt: skip
def test_excerpt_fits_and_keeps_the_start_of_the_highlight(
    text: str, start: int, end: int, max_chars: int
) -> None:
    part = excerpt(text, (start, end), max_chars)
    assert utf16_len(part.text) <= max_chars
    a, b = min(max(0, start), len(text)), min(max(0, end), len(text))
    expected = fold(text[a:b]) if a < b else ""
    assert expected.startswith(part.sentence)
    if expected and max_chars >= 3:
        assert part.sentence, "something of the highlight is always shown"
    if utf16_len(expected) + 2 <= max_chars:
        assert part.sentence == expected, "a sentence that fits is never cut"
    assert fold(text).find(fold(part.before + part.sentence + part.after)) >= 0


@settings(max_examples=60, deadline=None)
@given(passage=passages(), max_chars=st.integers(20, 300))
def test_excerpt_context_is_balanced_around_the_sentence(
    passage: tuple[str, tuple[int, int], str], max_chars: int
) -> None:
    text, span, sentence = passage
    part = excerpt(text, span, max_chars)
    if part.clipped_start and part.clipped_end and part.sentence == sentence:
        room = max_chars - utf16_len(sentence)
        assert utf16_len(part.before) <= room - room // 2 and utf16_len(part.after) <= room


# -- format_answer: examples -----------------------------------------------------------------------


def test_http_url_becomes_a_link_and_the_sentence_is_bold() -> None:
    out = format_answer("Who signed agreements?", [make_hit()], page=0, has_more=True)
    assert '<a href="https://www.bbc.com/news/1">Macron says' in out
    assert entity_texts(out, "text_link") == ["Macron says sending troops is not ruled out"]
    assert SENTENCE in entity_texts(out, "bold")
    plain = visible(out)
    assert "BBC · 26 Feb 2024 · strong match · 0.62" in plain
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
        make_hit(rank=r, text=long_text, highlight=(2000, 2100), title="Very long title 😀 " * 60,
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


# -- excerpt and small helpers ----------------------------------------------------------------------


def test_excerpt_keeps_the_sentence_and_folds_paragraph_breaks() -> None:
    span = (PASSAGE.index(SENTENCE), PASSAGE.index(SENTENCE) + len(SENTENCE))
    whole = excerpt(PASSAGE, span, 1000)
    assert whole.text == fold(PASSAGE) and not (whole.clipped_start or whole.clipped_end)
    short = excerpt(PASSAGE, span, len(SENTENCE) + 30)
    assert short.sentence == SENTENCE and short.clipped_start and short.clipped_end
    assert (
        short.text.startswith("…")
        and short.text.endswith("…")
        and len(short.text) <= len(SENTENCE) + 30
    )
    cut = excerpt(PASSAGE, span, 30)
    assert cut.sentence == "The Paris conference comes"
    assert cut.text == "…The Paris conference comes…"
    word = excerpt("before " + "x" * 50, (7, 57), 20)
    assert word.text == "…" + "x" * 18 + "…", "one overlong word is cut hard, room kept for both …"


def test_excerpt_shares_the_room_between_both_sides() -> None:
    side = "alpha beta gamma delta " * 20
    text = f"{side}Focus sentence here. {side}"
    start = text.index("Focus")
    part = excerpt(text, (start, start + len("Focus sentence here.")), 120)
    assert part.clipped_start and part.clipped_end and part.sentence == "Focus sentence here."
    assert 40 <= len(part.before) <= 50 and 40 <= len(part.after) <= 50
    assert part.before.startswith(("alpha", "beta", "gamma", "delta")), "starts at a word"
    first = excerpt(f"Intro. {text}", (0, 6), 120)
    assert not first.clipped_start and len(first.text) >= 115, "unused room goes to the after side"


@pytest.mark.parametrize("highlight", [(0, 0), (50, 10), (-3, 10**6), (5, 5), (10**6, 10**6 + 5)])
def test_excerpt_survives_unusable_highlights(highlight: tuple[int, int]) -> None:
    part = excerpt(PASSAGE, highlight, 80)
    assert len(part.text) <= 80 and part.text.lstrip("…")
    assert excerpt("", highlight, 80).text == ""
    out = format_answer("q", [make_hit(highlight=highlight)], page=0, has_more=False)
    parse_html(out)


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        ("2024-02-26", "26 Feb 2024"),
        ("2024-02-06T23:30:00+05:00", "6 Feb 2024"),
        ("2024-02-26T10:00:00Z", "26 Feb 2024"),
        ("  ", None),
        (None, None),
        ("sometime in late February of the year 2024", "sometime in late…"),
    ],
)
def test_format_date(published: str | None, shown: str | None) -> None:
    assert format_date(published) == shown


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.62, "strong match · 0.62"), (0.60, "strong match · 0.60"), (0.59, "good match · 0.59"),
     (0.45, "good match · 0.45"), (0.44, "partial match · 0.44"), (0.30, "partial match · 0.30"),
     (0.29, "weak match · 0.29")],
)  # fmt: skip
def test_relevance_labels_of_citations_kept_before_bands_were_measured(
    score: float, label: str
) -> None:
    assert relevance(make_hit(score=score)) == label


@pytest.mark.parametrize(
    ("band", "label"),
    [("strong", "strong match · 0.32"), ("good", "good match · 0.32"),
     ("partial", "partial match · 0.32"), ("weak", "weak match · 0.32")],
)  # fmt: skip
def test_relevance_labels_say_the_band_search_measured(band: str, label: str) -> None:
    assert relevance(make_hit(score=0.32, relevance=band)) == label


def test_quoted_cuts_long_input_with_an_ellipsis_and_escapes_it() -> None:
    assert quoted("Europe/Paris") == "Europe/Paris"
    assert quoted("A" * 10_000) == "A" * (escaping.QUOTED_MAX_CHARS - 1) + "…"
    assert quoted("<b>&" * 50, limit=9) == "&lt;b&gt;&amp;&lt;b&gt;&amp;…"
    assert quoted("two\n\nlines") == "two lines"


@given(text=st.one_of(tricky_text, st.text(max_size=300)), limit=st.integers(2, 500))
def test_quoted_is_valid_html_within_its_limit_and_the_start_of_the_input(
    text: str, limit: int
) -> None:
    shown, _ = parse_html(quoted(text, limit))
    assert utf16_len(shown) <= limit
    folded = fold(text)
    assert shown == folded or (shown.endswith("…") and folded.startswith(shown[:-1].rstrip()))


def test_shorten_and_escape() -> None:
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("one\n\ntwo", 20) == "one two"
    assert shorten("x" * 30, 10) == "x" * 9 + "…"
    assert utf16_len(shorten("😀" * 30, 11)) <= 11
    assert escape('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert escaping.escape_attr('a"b&c') == "a&quot;b&amp;c"


# -- sources, stats, split -------------------------------------------------------------------------


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


def test_split_message_cuts_at_blank_lines_first() -> None:
    blocks = [f"<b>Block {i}</b> " + "word " * 300 for i in range(5)]
    parts = split_message("\n\n".join(blocks), limit=3500)
    assert len(parts) == 3 and parts[0] == "\n\n".join(blocks[:2])
    assert split_message("short") == ["short"]
    with pytest.raises(ValueError):
        split_message("text", limit=1)


@settings(max_examples=100, deadline=None)
@given(hits_and_sentences=hit_lists(), limit=st.integers(10, 4096),
       wrap=st.sampled_from(["", "<i>", "<b><u>", '<a href="https://x.y/?a&amp;b">']))  # fmt: skip
def test_split_message_parts_are_valid_and_within_the_limit(
    hits_and_sentences: tuple[list[Hit], list[str]], limit: int, wrap: str
) -> None:
    hits, _ = hits_and_sentences
    message = format_answer("q", hits, page=0, has_more=False, max_chars=20_000)
    closing = "".join(f"</{t}>" for t in reversed(re.findall(r"<(\w+)", wrap)))
    message = f"{wrap}{message}{closing}"
    parts = split_message(message, limit)
    assert all(utf16_len(visible(part)) <= limit for part in parts)
    joined = "".join(visible(part) for part in parts)
    assert "".join(joined.split()) == "".join(visible(message).split())


# -- texts ------------------------------------------------------------------------------------------


def test_every_text_is_valid_telegram_html() -> None:
    constants = [v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str)]
    calls = [texts.LONG_QUESTION_NOTE(1000), texts.NOT_COVERED("x &amp; y"), texts.RATE_LIMITED(1),
             texts.ANSWER_HEADER("q", 2), texts.SOURCES_HEADER(1, 0, 1)]  # fmt: skip
    assert len(constants) > 25
    for text in constants + calls:
        parse_html(text)
    with pytest.raises(HtmlError):
        parse_html(texts.NOT_COVERED("<x>"))  # the functions expect escaped values


def test_texts_wording() -> None:
    assert all(word in texts.START for word in ("/ask", "mention", "reply"))
    assert all(command in texts.HELP for command in ("/ask", "/sources", "/stats", "/help"))
    assert "Ukraine" in texts.HELP and "/ask" in texts.ASK_USAGE
    assert [name for name, _ in texts.COMMANDS][:5] == ["start", "help", "ask", "sources", "stats"]
    assert {"subscribe", "subscriptions", "unsubscribe", "digest"} <= {n for n, _ in texts.COMMANDS}
    assert all(3 <= len(description) <= 256 for _, description in texts.COMMANDS)
    assert texts.RATE_LIMITED(1).count("1 second ") == 1 and "30 seconds" in texts.RATE_LIMITED(
        29.6
    )
    first_sentence = texts.LONG_QUESTION_NOTE(500).split(".")[0]
    assert first_sentence == texts.LONG_QUESTION_NOTE(None).split(".")[0]
    assert "Ctrl-D" in texts.LOCAL_CHAT_BANNER and "TELEGRAM_BOT_TOKEN" in texts.LOCAL_CHAT_BANNER
    assert (texts.BUTTON_MORE, texts.BUTTON_PREVIOUS) == ("More ▸", "◂ Back")


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
    text = format_answer("q", [make_hit(text="more ", highlight=(0, 4), also_in=refs)],
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
