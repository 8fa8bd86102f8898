"""Words: what a word is (`words`), and the BM25 word index beside the vectors.

`words` makes the words that search, topics, filters and alerts compare; `segments` stores a
version's word index as segments an `add` appends to; `word_index` searches it with BM25 scored
at question time (`bm25_scoring`); `bm25s_index` reads the word index of older versions.
"""

from index.lexical.bm25_scoring import K1, B
from index.lexical.words import (
    STOPWORDS,
    sentence_words,
    term_coverage,
    tokenize,
    topic_words,
    words_of_text,
)

__all__ = [
    "K1",
    "STOPWORDS",
    "B",
    "sentence_words",
    "term_coverage",
    "tokenize",
    "topic_words",
    "words_of_text",
]
