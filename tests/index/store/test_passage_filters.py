"""Filters inside the search (`index.store.passage_filter`): a window in time and outlets, on
FAISS (exact and HNSW) and Milvus Lite (FLAT and HNSW), checked against exact search over the
passages the filter lets through."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.store.passage_filter import PassageFilter

TOPICS = [
    ("Flood waters rise in Valencia", "The river burst its banks after three days of rain."),
    ("Dock strike halts Rotterdam port", "Dock workers walked out over pay and pensions."),
    ("Election results in Portugal", "Voters went to the polls and the centre right won."),
    ("Wildfire near Athens", "Firefighters fought a wildfire as villages were evacuated."),
    ("Central bank holds rates", "The central bank kept interest rates at four percent."),
    ("Football final ends in penalties", "The cup final was decided by a penalty shootout."),
    ("New vaccine approved", "Regulators approved a vaccine against a respiratory virus."),
    ("Storm cuts power to thousands", "High winds brought down power lines across the coast."),
    ("Parliament passes budget", "Lawmakers passed the budget after a long night of debate."),
    ("Court rules on data privacy", "The court ruled that the app broke data privacy law."),
    ("Heatwave breaks records", "Temperatures broke records across the south of the country."),
    ("Rail workers announce strike", "Rail unions announced a strike for next week."),
]
SOURCES = ["BBC News", "Reuters", "The Guardian", None]
QUESTIONS = ["What happened with the strike?", "Was there a flood or a storm?", "court ruling"]


def _corpus(folder: Path) -> Path:
    """Twelve unrelated events, one a day from 1 November 2026, four outlets (one unnamed),
    the last one undated (its moment is when it is indexed)."""
    path = folder / "articles.jsonl"
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for day, (title, body) in enumerate(TOPICS, start=1):
            record = {
                "id": f"a{day:02}",
                "title": title,
                "text": f"{body} {body} Officials said more details would follow.",
                "source": SOURCES[day % len(SOURCES)],
                "published": None if day == len(TOPICS) else f"2026-11-{day:02}T09:00:00+00:00",
            }
            out.write(json.dumps(record) + "\n")
    return path


FILTERS = [
    PassageFilter.between(datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 7, tzinfo=UTC)),
    PassageFilter.between(datetime(2026, 11, 9, tzinfo=UTC), None),
    PassageFilter(sources=frozenset({"Reuters"})),
    PassageFilter(excluded_sources=frozenset({"BBC News", "Reuters"})),
    PassageFilter.between(
        None, datetime(2026, 11, 6, tzinfo=UTC), sources=frozenset({"The Guardian", "BBC News"})
    ),
    PassageFilter.between(datetime(2030, 1, 1, tzinfo=UTC), None),
]


@pytest.mark.parametrize("vector_store", ["faiss", "milvus"], indirect=True)
@pytest.mark.parametrize("exact", [True, False], ids=["exact", "hnsw"])
def test_filters_give_the_nearest_passages_they_let_through(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path, exact: bool
) -> None:
    settings = settings.model_copy(update={"faiss_exact_limit": 100_000 if exact else 0})
    IndexWriter(settings, embedder).rebuild([_corpus(tmp_path / "news")])
    index = NewsIndex(settings, embedder)
    version = index.snapshot()
    assert version.is_exact() is exact
    articles, passages = version.counts()
    records = version.passages(list(range(passages)))
    assert articles == len(TOPICS) and len(records) == passages
    every_row = np.asarray(sorted(records))
    vectors = version.passage_vectors(every_row.tolist())
    for passage_filter in FILTERS:
        allowed = [
            row
            for row in every_row
            if passage_filter.passes_record(
                records[row].published, records[row].first_indexed_at, records[row].source
            )
        ]
        for question in QUESTIONS:
            query = embedder.encode_queries([question])
            (found,) = version.nearest(query, 4, passage_filter)
            scores = vectors @ query.reshape(-1)
            expected = sorted(allowed, key=lambda r: -scores[list(every_row).index(r)])[:4]
            assert [row for row, _ in found] == expected, (passage_filter, question)
            lexical = version.lexical_search(question, 10, passage_filter)
            assert {row for row, _ in lexical} <= set(allowed)
            hits = index.search(
                question, k=3, passage_filter=passage_filter, min_score=-1, min_confidence=0
            )
            assert len(hits) == min(3, len({records[r].article_id for r in allowed}))
            assert {h.row for h in hits} <= set(allowed)


@pytest.mark.parametrize("vector_store", ["faiss", "milvus"], indirect=True)
def test_outlets_are_listed_and_the_latest_come_first(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    IndexWriter(settings, embedder).rebuild([_corpus(tmp_path / "news")])
    index = NewsIndex(settings, embedder)
    assert index.sources() == [("BBC News", 3), ("Reuters", 3), ("The Guardian", 3)]
    hits = index.search(
        "strike", k=3, newest_first=True, min_score=-1, min_confidence=0,
        passage_filter=PassageFilter.between(datetime(2026, 11, 1, tzinfo=UTC), None),
    )  # fmt: skip
    assert len(hits) == 3
    assert hits[0].published is None, "the undated article counts from when it was indexed: now"
    dated = [h.published or "" for h in hits[1:]]
    assert dated == sorted(dated, reverse=True) and dated[0] == "2026-11-11T09:00:00+00:00"
