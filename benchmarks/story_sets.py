"""The labelled news-event sets `benchmarks.stories` reads: each article's story card, made as
the index makes it, and the split by time into a tune and a report part.

A set is JSON Lines of id, title, text, source, published and event (the label). A set whose
name starts with `uci_news_aggregator` is labelled per day: its events are (day, event) and a
grouping is scored within each day. A set without texts (titles only) reads each title as its
text, where the index would skip the record.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.corpora import read_jsonl
from index.articles.article import Article
from index.embedding.model import Embedder
from index.embedding.model_input import model_input
from index.passages.cutting import ChunkingOptions, split_passages
from index.stories import fingerprint
from index.stories.fingerprint import StoryCard, lead_names, make_card

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT.parent / "stories-data"
DEFAULT_DATA = [
    DATA_DIR / "allsides_roundups_2021.jsonl",
    DATA_DIR / "basil.jsonl",
    DATA_DIR / "uci_news_aggregator_2014-03-10_to_13.jsonl",
]
WITHIN_DAY = ("uci_news_aggregator",)
VECTOR_CACHE = ROOT / "data" / "story-vectors"
TUNE_SHARE = 0.6
INDEXED_AT = "2100-01-01T00:00:00+00:00"  # later than any date in the sets: `published` is kept


@dataclass(frozen=True)
class Part:
    """Articles of one part of a set, in stream order, with their events."""

    name: str
    cards: list[StoryCard]
    events: list[Hashable]
    texts: list[tuple[str, str]]  # (title, text)
    within_day: bool
    """Labelled per day: events are (day, event) and a grouping is scored within each day."""

    def labels(self, groups: Sequence[Hashable]) -> list[Hashable]:
        """A grouping's labels as the events are labelled (per day when they are)."""
        if not self.within_day:
            return list(groups)
        return [(c.moment.date(), g) for c, g in zip(self.cards, groups, strict=True)]


@dataclass(frozen=True)
class DataSet:
    name: str
    tune: Part
    report: Part
    days: tuple[str, str, str]  # first tune day, first report day, last day


def passage_vectors(
    records: list[dict], embedder: Embedder, chunking: ChunkingOptions, cache: Path
) -> list[np.ndarray]:
    """Each article's passage vectors as the index makes them, kept in `cache` for reruns."""
    articles = [
        Article(r["id"], r["title"], r["text"] or r["title"], source=r["source"]) for r in records
    ]
    salt = f"{embedder.model_name}|{embedder.backend}|{chunking}"
    keys = [hashlib.blake2b(f"{salt}|{a.title}\n{a.text}".encode(), digest_size=12).hexdigest()
            for a in articles]  # fmt: skip
    stored: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as kept:
            bounds, vectors = kept["offsets"], kept["vectors"]  # each read loads the file
            for i, key in enumerate(kept["keys"].tolist()):
                stored[key] = vectors[bounds[i] : bounds[i + 1]]
    missing = [(key, a) for key, a in zip(keys, articles, strict=True) if key not in stored]
    if missing:
        print(f"  embedding {len(missing)} articles (cached in {cache})", file=sys.stderr)
        spans = [split_passages(a.text, embedder.count_tokens, chunking) for _, a in missing]
        texts, sentences = model_input(
            (a, s) for (_, a), ss in zip(missing, spans, strict=True) for s in ss
        )
        vectors = embedder.encode_passages(texts, sentences, progress=True)[0]
        bounds = np.cumsum([0, *(len(ss) for ss in spans)])
        for (key, _), lo, hi in zip(missing, bounds[:-1], bounds[1:], strict=True):
            stored[key] = vectors[lo:hi]
        cache.parent.mkdir(parents=True, exist_ok=True)
        order = list(stored)
        np.savez(
            cache,
            keys=np.array(order),
            offsets=np.cumsum([0, *(len(stored[k]) for k in order)]),
            vectors=np.concatenate([stored[k] for k in order]).astype(np.float32),
        )
    return [stored[key] for key in keys]


def load_set(path: Path, embedder: Embedder, chunking: ChunkingOptions) -> DataSet:
    """The set's cards, split by time into tune and report parts."""
    records = list(read_jsonl(path))
    vectors = passage_vectors(records, embedder, chunking, VECTOR_CACHE / f"{path.stem}.npz")
    cards = [
        make_card(r["id"], r["title"], r["text"] or r["title"], r["source"] or None,
                  r["published"], INDEXED_AT, v)
        for r, v in zip(records, vectors, strict=True)
    ]  # fmt: skip
    within_day = path.stem.startswith(WITHIN_DAY)
    by_id = {r["id"]: r for r in records}
    days = sorted({c.moment.date().isoformat() for c in cards})
    tune_days = set(days[: max(1, round(len(days) * TUNE_SHARE))])
    first_day: dict[str, str] = {}
    for card in cards:
        event, day = by_id[card.article_id]["event"], card.moment.date().isoformat()
        first_day[event] = min(first_day.get(event, day), day)
    parts: dict[str, list[StoryCard]] = {"tune": [], "report": []}
    for card in sorted(cards, key=lambda c: (c.moment, c.article_id)):
        event = by_id[card.article_id]["event"]
        parts["tune" if first_day[event] in tune_days else "report"].append(card)

    def part(name: str) -> Part:
        chosen = parts[name]
        events: list[Hashable] = [
            (c.moment.date(), by_id[c.article_id]["event"]) if within_day
            else by_id[c.article_id]["event"]
            for c in chosen
        ]  # fmt: skip
        texts = [(by_id[c.article_id]["title"], by_id[c.article_id]["text"]) for c in chosen]
        return Part(name, chosen, events, texts, within_day)

    report_days = sorted(d for d in days if d not in tune_days)
    return DataSet(
        path.stem,
        part("tune"),
        part("report"),
        (days[0], report_days[0] if report_days else "–", days[-1]),
    )


@contextmanager
def lead_chars(chars: int) -> Iterator[None]:
    """Names read from this much of the text (`fingerprint.LEAD_CHARS`) while inside."""
    before = fingerprint.LEAD_CHARS
    fingerprint.LEAD_CHARS = chars
    try:
        yield
    finally:
        fingerprint.LEAD_CHARS = before


def with_lead(part: Part, chars: int) -> Part:
    with lead_chars(chars):
        cards = [
            replace(c, names=lead_names(t, x or t))
            for c, (t, x) in zip(part.cards, part.texts, strict=True)
        ]
    return replace(part, cards=cards)
