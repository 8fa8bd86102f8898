"""Passage splitting: offsets map back exactly, every sentence is covered, budgets hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from index.passages.cutting import ChunkingOptions, PassageSpan, split_passages
from index.passages.sentences import sentence_spans


def word_count(texts: Sequence[str]) -> list[int]:
    """A token counter that is additive over whitespace, like a WordPiece tokenizer."""
    return [len(t.split()) for t in texts]


WORDS = st.sampled_from(
    ["the", "Paris", "meeting", "of", "leaders", "Dr.", "U.S.", "said", "“quoted”", "10-year",
     "e.g.", "<b>", "&amp;", "Macron's", "Ukraine", "3.5", "well-known", "a"]
)  # fmt: skip
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(WORDS, min_size=1, max_size=60),
    st.sampled_from([".", "!", "?", "", "…"]),
)
PARAGRAPH = st.builds(" ".join, st.lists(SENTENCE, min_size=1, max_size=8))
ARTICLE = st.builds(
    lambda paras, sep: sep.join(paras),
    st.lists(PARAGRAPH, min_size=1, max_size=6),
    st.sampled_from(["\n\n", "\n \n", "\r\n\r\n".replace("\r", ""), "\n\n\n"]),
)
OPTIONS = st.builds(
    ChunkingOptions,
    max_tokens=st.integers(8, 120),
    min_tokens=st.integers(0, 30),
    overlap_sentences=st.integers(0, 2),
)


@settings(max_examples=300, deadline=None)
@given(text=ARTICLE, options=OPTIONS)
def test_passages_are_exact_slices_within_budget_and_cover_every_sentence(
    text: str, options: ChunkingOptions
) -> None:
    everything = split_passages(text, word_count, replace(options, drop_duplicates=False))
    passages = split_passages(text, word_count, options)
    assert passages, "a non-empty article yields at least one passage"
    for p in everything:
        piece = text[p.start : p.end]
        assert piece == piece.strip() and piece
        # Sentences glued without a space ("Dr.." → "Dr." + ".") count at most their sum.
        assert word_count([piece])[0] <= p.tokens <= options.max_tokens
    covered = [False] * len(text)
    for p in everything:
        for i in range(p.start, p.end):
            covered[i] = True
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text)), (
        "some text is in no passage"
    )
    texts = [text[p.start : p.end] for p in passages]
    assert len(set(texts)) == len(texts), "duplicates are dropped"
    assert set(texts) == {text[p.start : p.end] for p in everything}, "and only duplicates"
    starts = [p.start for p in passages]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for p in everything:  # its sentences tile it: first starts it, last ends it, in order
        assert p.sentences[0][0] == p.start and p.sentences[-1][1] == p.end
        for (_, end), (start, _) in pairwise(p.sentences):
            assert end <= start and not text[end:start].strip()
        assert all(text[a:b] == text[a:b].strip() and a < b for a, b in p.sentences)


def test_consecutive_passages_share_one_sentence() -> None:
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(12)]
    text = " ".join(sentences)
    passages = split_passages(text, word_count, ChunkingOptions(max_tokens=21, min_tokens=0))
    assert len(passages) > 2
    for before, after in pairwise(passages):
        shared = text[after.start : before.end]
        assert after.start < before.end and shared in sentences


def test_no_overlap_when_asked() -> None:
    text = " ".join(f"Sentence {i} is short." for i in range(10))
    passages = split_passages(
        text, word_count, ChunkingOptions(max_tokens=8, min_tokens=0, overlap_sentences=0)
    )
    for before, after in pairwise(passages):
        assert after.start > before.end


def test_short_tail_is_merged_into_the_passage_before() -> None:
    text = "One two three four five six. Seven eight nine ten eleven twelve. End."
    passages = split_passages(
        text, word_count, ChunkingOptions(max_tokens=13, min_tokens=3, overlap_sentences=0)
    )
    assert passages == [PassageSpan(0, len(text), 13, ((0, 28), (29, 64), (65, len(text))))]


def test_tail_too_big_to_merge_stays_separate() -> None:
    text = "One two three four five six. Seven eight nine ten eleven twelve. End."
    passages = split_passages(
        text, word_count, ChunkingOptions(max_tokens=12, min_tokens=3, overlap_sentences=0)
    )
    assert [text[p.start : p.end] for p in passages][-1] == "End."


def test_a_sentence_longer_than_the_budget_is_cut_at_words() -> None:
    text = " ".join(f"w{i}" for i in range(50)) + "."
    passages = split_passages(
        text, word_count, ChunkingOptions(max_tokens=20, min_tokens=0, overlap_sentences=0)
    )
    assert [p.tokens for p in passages] == [20, 20, 10]
    assert text[passages[-1].start : passages[-1].end].endswith("w49.")


def test_repeated_paragraphs_are_kept_once() -> None:
    text = "Subscribe to our newsletter today.\n\nReal news here.\n\nSubscribe to our newsletter today."
    passages = split_passages(
        text, word_count, ChunkingOptions(max_tokens=5, min_tokens=0, overlap_sentences=0)
    )
    assert [text[p.start : p.end] for p in passages] == [
        "Subscribe to our newsletter today.",
        "Real news here.",
    ]


def test_empty_text_has_no_passages() -> None:
    assert split_passages("", word_count) == []
    assert split_passages(" \n\n \t", word_count) == []


def test_sentences_never_cross_paragraphs_and_offsets_are_exact() -> None:
    text = (
        "Mr. Macron spoke in Paris. He said “nothing is ruled out.”\n\nSecond paragraph without end"
    )
    spans = sentence_spans(text)
    pieces = [text[s:e] for s, e in spans]
    assert pieces == [
        "Mr. Macron spoke in Paris.",
        "He said “nothing is ruled out.”",
        "Second paragraph without end",
    ]
