"""Splitting on worker processes gives exactly the passages splitting in-process gives."""

from __future__ import annotations

import random

from index import Embedder
from index.articles.article import Article
from index.articles.files import read_articles
from index.passages.cutting import ChunkingOptions
from index.passages.parallel import POOL_MIN_ARTICLES, split_many
from index.passages.sentences import sentence_spans
from tests.conftest import SEEDS


def test_worker_processes_split_as_this_process_does(embedder: Embedder) -> None:
    (article,) = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    sentences = [article.text[a:b] for a, b in sentence_spans(article.text)]
    rng = random.Random(7)
    texts = [
        "\n\n".join(" ".join(rng.sample(sentences, rng.randint(3, 12))) for _ in range(3))
        for _ in range(POOL_MIN_ARTICLES + 6)
    ]
    tokenizer = getattr(embedder, "counting_tokenizer", None)
    assert tokenizer is not None, "the packaged model describes its own tokenizer"
    options = ChunkingOptions(max_tokens=120, min_tokens=20)

    alone = split_many(texts, embedder.count_tokens, options, workers=1)
    pooled = split_many(texts, embedder.count_tokens, options, tokenizer=tokenizer, workers=2)

    assert pooled == alone
    assert all(spans and all(p.sentences for p in spans) for spans in pooled)
