"""Which candidates become citations: best first above the minimum score, a few per article,
one article per story (`index.stories`), and one citation for a passage reprinted by several
outlets (word shingles). Pure functions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from index.search.fusion import Candidate

_WORDS = re.compile(r"\w+")


def select(
    candidates: Sequence[Candidate],
    *,
    limit: int,
    offset: int = 0,
    max_per_article: int,
    min_score: float,
    reprinted: Callable[[Candidate, Candidate], bool] | None = None,
    story_of: Callable[[Candidate], str | None] | None = None,
) -> list[Candidate]:
    """Best-first candidates above `min_score`, at most `max_per_article` from one article
    and one article from one story.

    With `reprinted`, a candidate from another article that repeats one already chosen (the
    same wire story reprinted) is not shown again: it joins that one's `copies`, so a single
    citation can name every source. With `story_of` (the story of a candidate's article,
    `index.stories`), a candidate from another article of a story already cited is not shown
    either: that citation names the story's other outlets. `offset` skips that many selected
    results, so results can be paged with the same rules.
    """
    per_article: dict[str, int] = {}
    story_articles: dict[str, str] = {}
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.order, c.row)):
        if candidate.score < min_score:
            continue
        if reprinted is not None:
            position = next(
                (i for i, kept in enumerate(chosen)
                 if kept.article_id != candidate.article_id and reprinted(kept, candidate)),
                None,
            )  # fmt: skip
            if position is not None:
                kept = chosen[position]
                chosen[position] = replace(kept, copies=(*kept.copies, candidate))
                continue
        story = story_of(candidate) if story_of is not None else None
        if story is not None and story_articles.get(story, candidate.article_id) != (
            candidate.article_id
        ):
            continue
        if per_article.get(candidate.article_id, 0) >= max_per_article:
            continue
        per_article[candidate.article_id] = per_article.get(candidate.article_id, 0) + 1
        if story is not None:
            story_articles[story] = candidate.article_id
        chosen.append(candidate)
        if len(chosen) >= offset + limit:
            break
    return chosen[offset:]


def prefer_leads(
    chosen: Sequence[Candidate],
    candidates: Sequence[Candidate],
    is_lead: Callable[[Candidate], bool],
    margin: float,
) -> list[Candidate]:
    """Each chosen later passage replaced by its article's lead when the lead's cosine comes
    within `margin` of it (and the lead is not cited already): a news article's lead tends to
    hold what was asked, a later passage near it in score the aftermath
    (`benchmarks/passage_in_article.py`). A negative margin changes nothing."""
    if margin < 0:
        return list(chosen)
    leads = {c.article_id: c for c in candidates if is_lead(c)}
    cited = {c.row for c in chosen}
    result: list[Candidate] = []
    for candidate in chosen:
        lead = leads.get(candidate.article_id)
        if (
            lead is not None
            and lead.row not in cited
            and not is_lead(candidate)
            and lead.score >= candidate.score - margin
        ):
            cited.add(lead.row)
            candidate = replace(lead, copies=candidate.copies)
        result.append(candidate)
    return result


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """Overlapping word `size`-grams of a text, lowercased: what near-copies share."""
    words = _WORDS.findall(text.lower())
    if len(words) < size:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(zip(*(words[i:] for i in range(size)), strict=False))


def resemblance(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Jaccard similarity of two shingle sets (1.0: the same words in the same order)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
