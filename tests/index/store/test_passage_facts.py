"""What ranking reads of a candidate from memory (`IndexVersion.passage_facts`) is what the
whole record says, on both stores, and search ranks and cites with it exactly as it did when it
read every candidate's record."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from index.search.follow_up import FollowUp
from index.search.hits import Hit
from index.store.metadata import PassageRecord
from index.store.passage_facts import ArticleFacts, PassageFacts, PassageFactsTable
from index.store.passage_filter import PassageFilter
from index.store.version import IndexVersion
from tests.conftest import SEEDS
from tests.stores import both_stores

TOPICS = [
    ("Flooding in Shrewsbury", "The River Severn burst its banks in Shrewsbury, flooding {n} "
     "homes. The Environment Agency issued severe flood warnings. Residents of Frankwell were "
     "evacuated overnight, and the mayor asked people to stay away from the river."),
    ("Volcano erupts in Iceland", "A volcano on the Reykjanes peninsula erupted for the {n}th "
     "time. Lava flowed towards Grindavik and the Blue Lagoon spa was closed. Scientists said "
     "the eruption could last for weeks."),
    ("Central bank holds rates", "The central bank kept its interest rate at {n} per cent on "
     "Thursday. The governor said inflation was falling but wages were still rising quickly. "
     "Markets had expected a cut before the summer."),
    ("Ukraine signs security pact", "Ukraine signed a long-term security agreement with {n} "
     "countries on Friday. The pact covers weapons, training and intelligence for ten years. "
     "The president thanked the allies at a summit in Kyiv."),
]  # fmt: skip
OUTLETS = ["BBC", "Reuters", "AP", ""]
QUESTIONS = [
    "How many homes were flooded in Shrewsbury?",
    "Which spa closed after the eruption in Iceland?",
    "What did the central bank do with interest rates?",
    "Which countries signed security agreements with Ukraine?",
    "Where did lava flow?",
]


def write_articles(folder: Path, count: int, first: int = 0) -> Path:
    """`count` articles over a few topics from several outlets, some reprinted word for word,
    some undated, several passages each: candidates that share articles, stories and text."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        title, body = TOPICS[n % len(TOPICS)]
        outlet = OUTLETS[n % len(OUTLETS)]
        number = n // 3  # three articles in a row share a number: reprints across outlets
        paragraphs = [body.format(n=number + 2)] + [
            f"Update {p}: " + TOPICS[(n + p) % len(TOPICS)][1].format(n=number + p)
            for p in range(1 + n % 4)
        ]
        published = "" if n % 7 == 0 else f"published: 2026-11-{1 + n % 28:02d}T0{n % 10}:00:00Z\n"
        source = f"source: {outlet}\n" if outlet else ""
        (folder / f"article-{n:03d}.md").write_text(
            f"---\ntitle: {title} ({n})\n{source}{published}---\n" + "\n\n".join(paragraphs),
            "utf-8",
        )
    return folder


def facts_of(record: PassageRecord) -> PassageFacts:
    return PassageFacts(
        record.row, record.article_id, record.ordinal, record.published,
        record.first_indexed_at, record.story_id,
    )  # fmt: skip


class FactsFromRecords:
    """A version whose ranking facts come from its whole records: what search read before."""

    def __init__(self, version: IndexVersion) -> None:
        self._version = version

    def __getattr__(self, name: str) -> Any:
        return getattr(self._version, name)

    def passage_facts(self, rows: Sequence[int]) -> dict[int, PassageFacts]:
        return {row: facts_of(r) for row, r in self._version.passages(rows).items()}


class RankingFromRecords(NewsIndex):
    """Search as it was before: every candidate's record read whole."""

    def snapshot(self) -> IndexVersion:
        return FactsFromRecords(super().snapshot())  # type: ignore[return-value]


def every_row(version: IndexVersion) -> list[int]:
    ids = [a.id for a in version.list_articles()]
    return [row for row, _ in version.passage_rows(ids)]


def check_facts(version: IndexVersion) -> None:
    rows = every_row(version)
    assert len(rows) == version.counts()[1]
    records = version.passages(rows)
    assert version.passage_facts(rows) == {row: facts_of(r) for row, r in records.items()}
    beyond = [max(rows) + 1, max(rows) + 1000, -1]
    assert version.passage_facts(beyond) == {}


def results(index: NewsIndex, settings: IndexSettings) -> list[list[Hit]]:
    """Hits of each question searched as the bot and the evaluations search."""
    asked_on = date(2026, 11, 30)
    found = []
    for question in QUESTIONS:
        found += [
            index.search(question),
            index.search(question, k=5, offset=2, with_evidence=True, as_of=asked_on),
            index.search(question, newest_first=True, as_of=asked_on),
            index.search(question, k=8, bold_sentence=False, min_confidence=0.0),
            index.search(question, passage_filter=PassageFilter(sources=frozenset({"BBC"}))),
            index.search(
                question,
                follow_up=FollowUp((QUESTIONS[0],), tuple(a.id for a in index.list_articles(0, 3))),
            ),
        ]
    return found


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return write_articles(tmp_path / "articles", 48)


@pytest.mark.slow
@both_stores
@pytest.mark.parametrize("corpus", ["seeds", "synthetic"])
def test_facts_are_the_records_and_search_is_unchanged(
    settings: IndexSettings, embedder: Embedder, synthetic: Path, corpus: str
) -> None:
    IndexWriter(settings, embedder).rebuild([SEEDS if corpus == "seeds" else synthetic])
    index = NewsIndex(settings, embedder)
    check_facts(index.latest())
    before = RankingFromRecords(settings, embedder)
    assert [[dataclasses.asdict(h) for h in hits] for hits in results(index, settings)] == [
        [dataclasses.asdict(h) for h in hits] for hits in results(before, settings)
    ]


@pytest.mark.slow
@both_stores
def test_facts_follow_rows_after_articles_are_removed_and_added(
    settings: IndexSettings, embedder: Embedder, synthetic: Path, tmp_path: Path
) -> None:
    writer = IndexWriter(settings, embedder)
    writer.rebuild([synthetic])
    ids = sorted(a.id for a in NewsIndex(settings, embedder).list_articles())
    writer.remove([ids[5], ids[20]])
    writer.add([write_articles(tmp_path / "more", 4, first=48)])
    index = NewsIndex(settings, embedder)
    version = index.latest()
    assert len(version.list_articles()) == 50
    check_facts(version)
    assert [[dataclasses.asdict(h) for h in hits] for hits in results(index, settings)] == [
        [dataclasses.asdict(h) for h in hits]
        for hits in results(RankingFromRecords(settings, embedder), settings)
    ]


@st.composite
def article_layouts(draw: st.DrawFn) -> list[ArticleFacts]:
    """Articles with consecutive passage rows, gaps between some (rows retired in place)."""
    articles, row = [], draw(st.integers(0, 5))
    for n in range(draw(st.integers(0, 12))):
        passages = draw(st.integers(1, 6))
        articles.append(
            ArticleFacts(row, passages, f"a{n}", draw(st.sampled_from(["BBC", None])),
                         draw(st.sampled_from(["2026-11-01", None])), "2026-12-01T00:00:00",
                         draw(st.sampled_from(["s1", "s2", None])))
        )  # fmt: skip
        row += passages + draw(st.integers(0, 3))
    return draw(st.permutations(articles))


@given(article_layouts(), st.lists(st.integers(-2, 90), max_size=40))
def test_a_row_has_the_facts_of_the_article_holding_it(
    articles: list[ArticleFacts], rows: list[int]
) -> None:
    expected = {
        row: PassageFacts(row, a.article_id, row - a.first_row, a.published,
                          a.first_indexed_at, a.story_id)
        for row in rows
        for a in articles
        if a.first_row <= row < a.first_row + a.passages
    }  # fmt: skip
    assert PassageFactsTable(articles).facts(rows) == expected
