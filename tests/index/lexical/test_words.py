"""The words BM25 weighs: our tokenizer gives exactly what bm25s's own would, on real news text
and on anything else, so indexes built with either read the same."""

from __future__ import annotations

import bm25s
from hypothesis import given
from hypothesis import strategies as st

from index.articles.article import Article
from index.articles.files import read_articles
from index.lexical.words import STOPWORDS, _stem_words, sentence_words, tokenize
from tests.conftest import SEEDS


def bm25s_words(texts: list[str]) -> list[list[str]]:
    found = bm25s.tokenize(
        texts, stopwords="en", stemmer=_stem_words().stemWords, return_ids=False,
        show_progress=False,
    )  # fmt: skip
    return [list(words) for words in found]


def test_the_stopwords_are_bm25s_english_ones() -> None:
    from bm25s.stopwords import STOPWORDS_EN

    assert frozenset(STOPWORDS_EN) == STOPWORDS


def test_the_seed_articles_give_bm25s_words() -> None:
    texts = [a.text for a in read_articles([SEEDS]) if isinstance(a, Article)]
    texts += [line for text in texts for line in text.splitlines() if line.strip()]
    assert tokenize(texts) == bm25s_words(texts)
    assert any(tokenize(texts)), "real words were compared"


def test_questions_with_names_numbers_and_accents_give_bm25s_words() -> None:
    questions = [
        "Was Olaf Scholz at the meeting?",
        "What did Macron say about the 10-year agreements?",
        "Ist Straße größer als STRASSE? Ça va, Dvořák, İstanbul, ΣΊΣΥΦΟΣ",
        "The the THE a an of — 2024/25 COVID-19 U.S. e-mail don't",
        "",
    ]
    assert tokenize(questions) == bm25s_words(questions)


@given(st.lists(st.text(max_size=200), max_size=5))
def test_any_text_gives_bm25s_words(texts: list[str]) -> None:
    assert tokenize(texts) == bm25s_words(texts)


@given(st.text(max_size=200))
def test_a_sentences_remembered_words_are_its_tokenized_words(text: str) -> None:
    first = sentence_words(text)
    assert list(first) == tokenize([text])[0]
    assert sentence_words(text) is first  # read again from memory
