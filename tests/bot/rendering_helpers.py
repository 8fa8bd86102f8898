"""Inputs for the rendering tests of answers and alerts: hypothesis strategies of hostile text
(markup, entities, emoji, astral characters) and hits, an example hit, and what Telegram would
show of a message (`tests.emulator.parse_html`)."""

from __future__ import annotations

from hypothesis import strategies as st

from index.search.news_index import Hit
from tests.emulator import parse_html

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


# The strategies the composites below draw from, made once: a strategy made inside a composite
# is made anew for every draw, and hypothesis then works out its properties again each time
# (a tenth or more of these property tests' time). The same strategies draw the same examples.
_sentences = st.lists(
    st.lists(tricky_text.filter(lambda s: s.strip()), min_size=1, max_size=8).map(" ".join),
    min_size=1,
    max_size=5,
)
_separator = st.sampled_from([" ", "\n\n", "  \n"])
_titles = st.one_of(tricky_text, tricky_text.map(lambda s: (s or "x") * 100))
_sources = st.one_of(st.none(), tricky_text)
_relevances = st.sampled_from(["", "strong", "good", "partial", "weak"])


@st.composite
def passages(draw: st.DrawFn) -> tuple[str, tuple[int, int], str]:
    """A passage of sentences, the span of one of them, and that sentence as displayed.

    Repeating the sentences makes passages long (up to a few thousand characters) cheaply.
    """
    sentences = draw(_sentences)
    chosen = draw(st.integers(0, len(sentences) - 1))
    sentences = sentences * draw(st.integers(1, 20))
    separators = draw(st.lists(_separator, min_size=len(sentences)))
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
        title = draw(_titles)
        hit = Hit(
            rank, draw(st.floats(-1, 1)), text, 0, len(text), f"a{rank}", title, draw(urls),
            draw(_sources), draw(dates), span,
            draw(st.integers(1, 999)), draw(st.integers(1, 999)),
            relevance=draw(_relevances),
        )  # fmt: skip
        hits.append(hit)
        sentences.append(sentence)
    return hits, sentences


def make_hit(**changes: object) -> Hit:
    fields: dict[str, object] = dict(
        rank=1, score=0.62, text=PASSAGE, start=0, end=len(PASSAGE), article_id="a1",
        title="Macron says sending troops is not ruled out", url="https://www.bbc.com/news/1",
        source="BBC", published="2024-02-26", bold_sentence=(PASSAGE.index(SENTENCE), PASSAGE.index(SENTENCE) + len(SENTENCE)),
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
