"""Sentence boundaries as character spans, from pysbd, so passages can cite exact offsets."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blocks separated by blank lines, trimmed of surrounding whitespace; empty blocks dropped."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        span = _trim(text, cursor, end)
        if span:
            spans.append(span)
        if match:
            cursor = match.end()
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Every sentence of `text` as a trimmed `(start, end)` span, in order, never overlapping.

    Sentences never cross a paragraph break. pysbd gives the sentence strings; their offsets are
    found by searching forward in the original text, so the spans always map back exactly.
    """
    spans: list[tuple[int, int]] = []
    for para_start, para_end in paragraph_spans(text):
        paragraph = text[para_start:para_end]
        cursor = 0
        for sentence in _segmenter().segment(paragraph):
            stripped = sentence.strip()
            if not stripped:
                continue
            found = paragraph.find(stripped, cursor)
            if found < 0:  # pysbd altered the text: keep the rest of the paragraph as one sentence
                break
            if found > cursor and paragraph[cursor:found].strip():
                spans.append(_shift(_trim(paragraph, cursor, found), para_start))
            spans.append((para_start + found, para_start + found + len(stripped)))
            cursor = found + len(stripped)
        rest = _trim(paragraph, cursor, len(paragraph))
        if rest:
            spans.append(_shift(rest, para_start))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _shift(span: tuple[int, int] | None, by: int) -> tuple[int, int]:
    assert span is not None
    return span[0] + by, span[1] + by
