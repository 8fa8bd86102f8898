"""BM25 as Lucene scores it, from term counts at question time (pure functions).

The counts are stored, not the scores: a score depends on every document (how many hold the
word, their mean length), so stored scores would have to be computed again for the whole corpus
whenever one document is added. Computed per question from counts, an index that grows by
segments scores exactly as one built whole over the same documents.
"""

from __future__ import annotations

import numpy as np

K1 = 0.9
"""BM25 parameters of the BEIR/Anserini baselines, which suit short passages."""
B = 0.4


def inverse_document_frequency(holding: int, documents: int) -> float:
    """Lucene's IDF, never negative: log(1 + (N - df + 0.5) / (df + 0.5))."""
    return float(np.log1p((documents - holding + 0.5) / (holding + 0.5)))


def term_scores(
    counts: np.ndarray, lengths: np.ndarray, mean_length: float, idf: float
) -> np.ndarray:
    """One word's score in each document holding it (`counts` times, `lengths` words long).

    Lucene's variant leaves out Okapi's (k1 + 1) factor, as bm25s does; the ranking is the same.
    """
    norm = K1 * ((1.0 - B) + B * lengths / mean_length)
    return idf * counts / (counts + norm)


def best_rows(
    rows: np.ndarray, scores: np.ndarray, depth: int, row_count: int
) -> list[tuple[int, float]]:
    """The `depth` best (row, score) pairs of parallel arrays, best first, ties by row; no
    zero scores. `rows` (below `row_count`) may repeat: a row's scores are summed first.

    Summed into an array of every row when the words are common (a pass over the rows costs
    less than sorting the postings), and over the rows found alone when they are rare.
    """
    if depth <= 0 or len(rows) == 0:
        return []
    if 8 * len(rows) >= row_count:
        totals = np.bincount(rows, weights=scores, minlength=row_count)
        found = np.flatnonzero(totals)
        totals = totals[found]
    else:
        found, where = np.unique(rows, return_inverse=True)
        totals = np.bincount(where, weights=scores, minlength=len(found))
    depth = min(depth, len(found))
    top = np.argpartition(-totals, depth - 1)[:depth]
    ranked = top[np.lexsort((found[top], -totals[top]))]
    return [(int(found[i]), float(totals[i])) for i in ranked if totals[i] > 0]
