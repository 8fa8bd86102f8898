"""Answer visible: the answer must be in what the reader sees, not merely in the cited passage."""

from __future__ import annotations

from evaluation.visibility import answer_visible, shown_answer
from index.search.hits import Hit


def _hit(rank: int, text: str, bold: tuple[int, int], title: str = "A story") -> Hit:
    return Hit(rank, 0.5, text, 0, len(text), f"a{rank}", title, None, "Wire", "2024-02-26", bold)


def _long_passage(answer_at_end: str) -> str:
    filler = " ".join(f"Sentence {i} says nothing of note about the meeting." for i in range(40))
    return f"The leaders met in Paris. {filler} {answer_at_end}"


def test_an_answer_cut_from_the_excerpt_is_not_visible() -> None:
    text = _long_passage("The summit ended in Lisbon.")
    hit = _hit(1, text, (0, len("The leaders met in Paris.")))
    shown = shown_answer("Where did the summit end?", [hit, _hit(2, text, (0, 5))])
    assert "Lisbon" in hit.text
    assert not answer_visible(shown, ["Lisbon"], 1)


def test_an_answer_in_the_bold_sentence_is_visible() -> None:
    text = _long_passage("The summit ended in Lisbon.")
    start = text.index("The summit ended")
    shown = shown_answer("Where did the summit end?", [_hit(1, text, (start, len(text)))])
    assert answer_visible(shown, ["lisbon"], 1)


def test_visible_at_three_reads_the_first_three_citations_only() -> None:
    hits = [_hit(rank, f"Passage {rank} about the vote.", (0, 5)) for rank in range(1, 5)]
    hits[3] = _hit(4, "The vote was won by Ms Berg.", (0, 28))
    shown = shown_answer("Who won the vote?", hits)
    assert len(shown.citations) == 3
    assert not answer_visible(shown, ["Berg"], 3)
    hits[2] = _hit(3, "The vote was won by Ms Berg.", (0, 28))
    assert answer_visible(shown_answer("Who won the vote?", hits), ["Berg"], 3)
    assert not answer_visible(shown_answer("Who won the vote?", hits), ["Berg"], 2)


def test_the_message_length_is_counted_as_telegram_counts_it() -> None:
    shown = shown_answer("Who?", [_hit(1, "Short text 👍.", (0, 5))])
    assert shown.chars > len("Short text 👍.")
