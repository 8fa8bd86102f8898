"""What to show of a passage: the bold sentence with balanced context, within a budget.

Budgets are UTF-16 code units, the way Telegram counts them, and text is cut at word (or
sentence) boundaries with "…" where it is clipped. The measuring and cutting helpers here
(`utf16_len`, `shorten`…) are shared by everything that renders a message, answers and alerts
alike, and by `bot.html_split`. Pure text: no HTML, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?= )")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts against its limits."""
    return len(text.encode("utf-16-le")) // 2


def fold(text: str) -> str:
    """Every run of whitespace (paragraph breaks included) as one space."""
    return _SPACES.sub(" ", text)


def prefix_len(text: str, units: int) -> int:
    """How many characters of `text` fit in `units` UTF-16 code units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            return i
    return len(text)


def clip_head(text: str, units: int, *, prefer_sentence: bool = True) -> str:
    """The longest start of `text` within `units`, cut after a word (or sentence when cheap)."""
    n = prefix_len(text, max(0, units))
    if n >= len(text):
        return text
    cut = text[:n]
    if text[n] != " " and " " in cut:
        cut = cut[: cut.rfind(" ")]  # a single overlong word has no boundary: cut it hard
    if prefer_sentence:
        ends = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() >= len(cut) // 2]
        cut = cut[: ends[-1]] if ends else cut
    return cut.rstrip()


def _clip_tail(text: str, units: int) -> str:
    """The longest end of `text` within `units`, starting at a word (or sentence when cheap)."""
    n = len(text) - prefix_len(text[::-1], max(0, units))
    if n <= 0:
        return text
    cut = text[n:]
    if text[n - 1] != " " and " " in cut:
        cut = cut[cut.find(" ") + 1 :]
    starts = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() <= len(cut) // 2]
    return (cut[starts[0] :] if starts else cut).lstrip()


@dataclass(frozen=True, slots=True)
class Excerpt:
    """What to show of a passage: display strings, whitespace folded, with "…" where clipped.

    `before` keeps its trailing space and `after` its leading space, so `text` joins them as is.
    """

    before: str
    sentence: str
    after: str
    clipped_start: bool
    clipped_end: bool

    @property
    def text(self) -> str:
        start, end = ELLIPSIS * self.clipped_start, ELLIPSIS * self.clipped_end
        return f"{start}{self.before}{self.sentence}{self.after}{end}"


def _parts(text: str, bold: tuple[int, int]) -> tuple[str, str, str]:
    """Folded text before, of and after the bold sentence; an unusable one focuses the start."""
    start, end = (min(max(0, int(v)), len(text)) for v in bold)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return "", "", fold(text).strip()
    return fold(text[:start]).lstrip(), fold(text[start:end]), fold(text[end:]).rstrip()


def excerpt(text: str, bold: tuple[int, int], max_chars: int) -> Excerpt:
    """The bold sentence with balanced context, `Excerpt.text` ≤ `max_chars` UTF-16 units.

    The sentence is kept whole when it fits (else cut after a word); context is cut at word or
    sentence boundaries. Below 2 units nothing fits with its "…", so the excerpt is empty.
    """
    before, sentence, after = _parts(text, bold)
    nb, ns, na = utf16_len(before), utf16_len(sentence), utf16_len(after)
    if nb + ns + na <= max_chars:
        return Excerpt(before, sentence, after, False, False)
    if max_chars < 2:
        return Excerpt("", "", "", False, False)
    room = max_chars - ns
    if room < bool(before) + bool(after):  # the sentence alone does not fit: cut it
        cut = clip_head(sentence, max_chars - bool(before) - 1, prefer_sentence=False)
        return Excerpt("", cut, "", bool(before), True)
    if nb <= room // 2:
        room_before, room_after = nb, room - nb
    elif na <= room - room // 2:
        room_before, room_after = room - na, na
    else:
        room_before, room_after = room // 2, room - room // 2
    clip_before, clip_after = nb > room_before, na > room_after
    return Excerpt(
        _clip_tail(before, room_before - 1) if clip_before else before,
        sentence,
        clip_head(after, room_after - 1) if clip_after else after,
        clip_before,
        clip_after,
    )


def shorten(text: str, max_chars: int) -> str:
    """`text` on one line, cut after a word with "…" so it takes at most `max_chars` units."""
    text = fold(text).strip()
    if utf16_len(text) <= max_chars:
        return text
    return clip_head(text, max_chars - 1, prefer_sentence=False) + ELLIPSIS if max_chars > 0 else ""
