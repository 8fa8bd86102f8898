"""What a search cites (`Hit`), and the versioned record a hit is kept as outside the process.

An alert's citation is written to the bot's database when the article matches and read back when
the alert is sent, possibly by a newer version of the program after an upgrade, so the record
carries its format: `hit_record` writes the newest, `hit_from_record` reads every format ever
written. Format 1 is the plain field dictionary of the first alerts (no `format` key; `also_in`
and `row` came later, so they may be missing). `relevance` was added to format 2 without a new
format: a record without it reads as "", and so were `confidence` and `story` (None when
missing) and `also_reported` (empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from index.errors import CitationRecordError
from index.search.confidence import Evidence
from index.stories.model import Story

RECORD_FORMAT = 2


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Another article that carries the same passage (the same wire story, reprinted)."""

    article_id: str
    title: str
    url: str | None
    source: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    """One cited passage: its text and offsets, its article, and how well it matched."""

    rank: int
    score: float
    text: str
    start: int
    end: int
    article_id: str
    title: str
    url: str | None
    source: str | None
    published: str | None
    bold_sentence: tuple[int, int] = (0, 0)
    """The sentence of `text` that best matches the question, as offsets into `text` (stored
    under the name `highlight` in citation records, which older programs read)."""
    passage_number: int = 1
    """Where the passage is in its article: passage `passage_number` of `passages_in_article`."""
    passages_in_article: int = 1
    also_in: tuple[SourceRef, ...] = ()
    """Other articles with (nearly) the same passage, folded into this citation."""
    row: int = -1
    """The passage's row in the index version it was found in."""
    relevance: str = ""
    """The band of the citation (strong, good, partial or weak): of its `confidence` when its
    model's confidence was measured (`index.search.confidence`), else of its cosine
    (`index.search.relevance`); "" in citations kept before bands were measured."""
    confidence: float | None = None
    """The measured chance that the passage holds the answer; None when not measured. Not shown
    to readers (the band is), kept in `--json` output and the logs."""
    evidence: Evidence | None = field(default=None, compare=False)
    """What the confidence was read from, for calibration (not kept in citation records)."""
    story_id: str | None = None
    """The story (`index.stories`) of the passage's article; None in versions before format 3."""
    also_reported: tuple[SourceRef, ...] = ()
    """The story's other articles (other outlets' accounts of the event, oldest first), which
    are not cited apart; reprints of this passage are in `also_in` instead."""


def with_story_outlets(hits: Sequence[Hit], stories: Mapping[str, Story]) -> list[Hit]:
    """Each hit with its story's other articles as `also_reported` (those not already in
    `also_in`)."""
    result = []
    for hit in hits:
        story = stories.get(hit.story_id) if hit.story_id else None
        if story is None:
            result.append(hit)
            continue
        listed = {hit.article_id, *(ref.article_id for ref in hit.also_in)}
        others = tuple(
            SourceRef(m.article_id, m.title, m.url, m.source, m.published)
            for m in story.members
            if m.article_id not in listed
        )
        result.append(replace(hit, also_reported=others))
    return result


_HIT_FIELDS = frozenset(f.name for f in fields(Hit))
_SOURCE_FIELDS = ("article_id", "title", "url", "source", "published")


def hit_record(hit: Hit) -> dict[str, Any]:
    """The hit as JSON-ready data in the newest format."""
    return {
        "format": RECORD_FORMAT,
        "rank": hit.rank,
        "score": hit.score,
        "passage": {
            "text": hit.text,
            "start": hit.start,
            "end": hit.end,
            "number": hit.passage_number,
            "of": hit.passages_in_article,
            "highlight": list(hit.bold_sentence),
            "row": hit.row,
        },
        "article": _source_record(hit),
        "also_in": [_source_record(ref) for ref in hit.also_in],
        "relevance": hit.relevance,
        "confidence": hit.confidence,
        "story": hit.story_id,
        "also_reported": [_source_record(ref) for ref in hit.also_reported],
    }


def _source_record(ref: Hit | SourceRef) -> dict[str, Any]:
    return {name: getattr(ref, name) for name in _SOURCE_FIELDS}


def hit_from_record(record: Mapping[str, Any]) -> Hit:
    """A hit back from a record of any format this program has written."""
    try:
        version = record.get("format", 1)
        if version == 1:
            return _from_format_1(record)
        if version == 2:
            return _from_format_2(record)
    except (KeyError, TypeError, ValueError) as exc:
        raise CitationRecordError(f"a stored citation is damaged ({exc!r})") from None
    raise CitationRecordError(
        f"a stored citation has format {version!r}, newer than this program reads "
        f"({RECORD_FORMAT}): upgrade the bot"
    )


def _from_format_1(record: Mapping[str, Any]) -> Hit:
    values = {k: v for k, v in record.items() if k in _HIT_FIELDS}
    values["bold_sentence"] = tuple(record.get("highlight") or (0, 0))
    values["also_in"] = tuple(_source(ref) for ref in values.get("also_in") or ())
    return Hit(**values)


def _from_format_2(record: Mapping[str, Any]) -> Hit:
    passage, article = record["passage"], record["article"]
    return Hit(
        rank=int(record["rank"]),
        score=float(record["score"]),
        text=passage["text"],
        start=int(passage["start"]),
        end=int(passage["end"]),
        bold_sentence=(int(passage["highlight"][0]), int(passage["highlight"][1])),
        passage_number=int(passage["number"]),
        passages_in_article=int(passage["of"]),
        row=int(passage.get("row", -1)),
        also_in=tuple(_source(ref) for ref in record.get("also_in") or ()),
        relevance=str(record.get("relevance") or ""),
        confidence=None if record.get("confidence") is None else float(record["confidence"]),
        story_id=None if record.get("story") is None else str(record["story"]),
        also_reported=tuple(_source(ref) for ref in record.get("also_reported") or ()),
        **{name: article[name] for name in _SOURCE_FIELDS},
    )


def _source(ref: Mapping[str, Any]) -> SourceRef:
    return SourceRef(
        str(ref["article_id"]), str(ref["title"]), ref.get("url"), ref.get("source"),
        ref.get("published"),
    )  # fmt: skip
