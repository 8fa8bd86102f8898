"""SEARCH_PROXIMITY_WEIGHT on a real index: the passage that holds the question's words side by
side rises above one that only scatters them, and what readers see stays the cosine."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Embedder, IndexSettings, IndexWriter, NewsIndex
from tests.conftest import write_article
from tests.stores import both_stores

pytestmark = pytest.mark.slow

QUESTION = "When will the Harbour Bridge reopen to traffic?"


@both_stores
def test_the_question_words_side_by_side_lift_the_passage_that_answers(
    settings: IndexSettings, embedder: Embedder, tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    write_article(
        articles, "council.md", "Council approves budget for schools, parks and libraries",
        "The council approved next year's budget on Thursday after a long debate about school "
        "funding. Libraries will open on Sundays, and two parks get new playgrounds. Among other "
        "items, the harbour bridge will reopen to traffic on Monday. Councillors also voted to "
        "hire forty teachers.",
    )  # fmt: skip
    write_article(
        articles, "closure.md", "Harbour Bridge closure",
        "The Harbour Bridge has been closed since the storm damaged its cables. Heavy traffic now "
        "crawls along the coastal road and through the old town every morning. Engineers say "
        "repairs to the bridge are going well, and officials hope the crossing could reopen in "
        "the coming weeks if the weather holds.",
    )  # fmt: skip
    IndexWriter(settings, embedder).rebuild([articles])

    def ranked(weight: float) -> list[tuple[str, float]]:
        index = NewsIndex(settings.model_copy(update={"search_proximity_weight": weight}), embedder)
        return [(h.article_id, h.score) for h in index.search(QUESTION, k=2, min_score=-1.0)]

    without = ranked(0.0)
    assert [article for article, _ in without] == ["closure", "council"], (
        "the closure story is nearer in meaning"
    )
    with_proximity = ranked(10.0)
    assert [article for article, _ in with_proximity] == ["council", "closure"]
    assert dict(with_proximity) == pytest.approx(dict(without)), "the score shown is the cosine"
