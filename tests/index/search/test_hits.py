"""The record a citation is kept as between a match and its alert: every format written reads back."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from index import CitationRecordError, Hit, SourceRef, hit_from_record, hit_record
from tests.bot.rendering_helpers import hit_lists, make_hit

# What the first alerts wrote: `dataclasses.asdict(hit)` before `also_in` and `row` existed.
FORMAT_1 = {
    "rank": 1,
    "score": 0.71,
    "text": "Estonia's border guard said drones crossed into its airspace near Narva.",
    "start": 120,
    "end": 193,
    "article_id": "estonia-drones",
    "title": "Estonia reports Russian drones",
    "url": "https://example.com/estonia",
    "source": "ERR",
    "published": "2024-03-05",
    "highlight": [0, 73],
    "passage_number": 2,
    "passages_in_article": 3,
}


@settings(max_examples=60, deadline=None)
@given(hit_lists())
def test_every_hit_survives_its_record_through_json(found: tuple[list[Hit], list[str]]) -> None:
    hits, _ = found
    for hit in hits:
        assert hit_from_record(json.loads(json.dumps(hit_record(hit)))) == hit


def test_a_record_names_its_format() -> None:
    assert hit_record(make_hit())["format"] == 2


def test_a_first_format_record_still_reads() -> None:
    hit = hit_from_record(json.loads(json.dumps(FORMAT_1)))
    assert (hit.article_id, hit.start, hit.end, hit.bold_sentence) == (
        "estonia-drones",
        120,
        193,
        (0, 73),
    )
    assert (hit.passage_number, hit.passages_in_article, hit.also_in, hit.row) == (2, 3, (), -1)
    later = {
        **FORMAT_1,
        "row": 41,
        "also_in": [
            {"article_id": "b", "title": "B", "url": None, "source": "AP", "published": None}
        ],
    }
    again = hit_from_record(later)
    assert again.row == 41 and again.also_in == (SourceRef("b", "B", None, "AP", None),)


def test_a_newer_or_damaged_record_is_refused_by_name() -> None:
    with pytest.raises(CitationRecordError, match="format 3, newer"):
        hit_from_record({**hit_record(make_hit()), "format": 3})
    with pytest.raises(CitationRecordError, match="damaged"):
        hit_from_record({"format": 2, "rank": 1})
    with pytest.raises(CitationRecordError, match="damaged"):
        hit_from_record({"rank": 1, "text": "no article"})


def test_a_band_survives_its_record_and_a_record_without_one_reads_as_unmeasured() -> None:
    hit = make_hit(relevance="good")
    assert hit_from_record(json.loads(json.dumps(hit_record(hit)))).relevance == "good"
    kept = hit_record(hit)
    del kept["relevance"]  # written before bands were measured
    assert hit_from_record(kept) == make_hit()
