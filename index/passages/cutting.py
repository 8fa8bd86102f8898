"""Cut an article into sentence-aligned passages that fit the embedding model's window.

Pure: the token counter is passed in, so tests can use a simple one and the index uses the
model's own tokenizer. Offsets always refer to the article text, so a citation can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.passages.sentences import sentence_spans

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Counts the tokens of each text, without the model's special tokens."""

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class PassageSpan:
    """A passage as a slice `text[start:end]` of its article, and the sentences it is made of."""

    start: int
    end: int
    tokens: int
    sentences: tuple[tuple[int, int], ...] = ()
    """Its sentences (a cut piece of an overlong one counts as one) as article offsets, in order;
    empty for passages read from a version that did not store them."""


@dataclass(frozen=True, slots=True)
class ChunkingOptions:
    """How long passages are and how much consecutive passages share."""

    max_tokens: int = 180
    min_tokens: int = 40
    overlap_sentences: int = 1
    drop_duplicates: bool = True


def split_passages(
    text: str, count_tokens: TokenCounter, options: ChunkingOptions = ChunkingOptions()
) -> list[PassageSpan]:
    """Passages of whole sentences, each at most `max_tokens`, sharing `overlap_sentences`.

    A sentence longer than the budget is cut at word boundaries. A short tail is merged into
    the passage before it when both fit. Passages with the same text as an earlier one are dropped.
    """
    units = _units(text, count_tokens, options.max_tokens)
    passages = _pack(units, options)
    passages = _merge_short_tail(passages, units, options)
    spans = [_span(units, first, last) for first, last in passages]
    return _drop_duplicates(text, spans) if options.drop_duplicates else spans


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    tokens: int


def _units(text: str, count_tokens: TokenCounter, max_tokens: int) -> list[_Unit]:
    """Sentences, with any sentence over the budget cut into word runs that fit."""
    spans = sentence_spans(text)
    counts = count_tokens([text[s:e] for s, e in spans]) if spans else []
    units: list[_Unit] = []
    for (start, end), tokens in zip(spans, counts, strict=True):
        if tokens <= max_tokens:
            units.append(_Unit(start, end, tokens))
        else:
            units.extend(_cut_long_sentence(text, start, end, count_tokens, max_tokens))
    return units


def _cut_long_sentence(
    text: str, start: int, end: int, count_tokens: TokenCounter, max_tokens: int
) -> list[_Unit]:
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    word_tokens = count_tokens([text[s:e] for s, e in words])
    pieces: list[_Unit] = []
    piece_start, piece_tokens, piece_end = words[0][0], 0, words[0][0]
    for (w_start, w_end), tokens in zip(words, word_tokens, strict=True):
        if piece_tokens and piece_tokens + tokens > max_tokens:
            pieces.append(_Unit(piece_start, piece_end, piece_tokens))
            piece_start, piece_tokens = w_start, 0
        # A single word over the budget (a 1,000-character URL) stays whole: the model truncates it.
        piece_tokens += min(tokens, max_tokens)
        piece_end = w_end
    pieces.append(_Unit(piece_start, piece_end, piece_tokens))
    return pieces


def _pack(units: Sequence[_Unit], options: ChunkingOptions) -> list[tuple[int, int]]:
    """Greedy packing into (first, last) unit ranges; each new passage starts with the overlap."""
    passages: list[tuple[int, int]] = []
    next_new = 0
    while next_new < len(units):
        first = max(next_new - options.overlap_sentences, passages[-1][0] + 1 if passages else 0)
        last = _fill(units, first, options.max_tokens)
        if last < next_new:  # the overlap leaves no room for anything new: start fresh
            first = next_new
            last = _fill(units, first, options.max_tokens)
        passages.append((first, last))
        next_new = last + 1
    return passages


def _fill(units: Sequence[_Unit], first: int, max_tokens: int) -> int:
    total, last = units[first].tokens, first
    while last + 1 < len(units) and total + units[last + 1].tokens <= max_tokens:
        last += 1
        total += units[last].tokens
    return last


def _merge_short_tail(
    passages: list[tuple[int, int]], units: Sequence[_Unit], options: ChunkingOptions
) -> list[tuple[int, int]]:
    if len(passages) < 2:
        return passages
    (prev_first, prev_last), (_, tail_last) = passages[-2], passages[-1]
    new_tokens = sum(u.tokens for u in units[prev_last + 1 : tail_last + 1])
    prev_tokens = sum(u.tokens for u in units[prev_first : prev_last + 1])
    if new_tokens < options.min_tokens and prev_tokens + new_tokens <= options.max_tokens:
        return [*passages[:-2], (prev_first, tail_last)]
    return passages


def _span(units: Sequence[_Unit], first: int, last: int) -> PassageSpan:
    chosen = units[first : last + 1]
    return PassageSpan(
        units[first].start,
        units[last].end,
        sum(u.tokens for u in chosen),
        tuple((u.start, u.end) for u in chosen),
    )


def _drop_duplicates(text: str, spans: list[PassageSpan]) -> list[PassageSpan]:
    seen: set[str] = set()
    kept: list[PassageSpan] = []
    for span in spans:
        key = text[span.start : span.end]
        if key not in seen:
            seen.add(key)
            kept.append(span)
    return kept
