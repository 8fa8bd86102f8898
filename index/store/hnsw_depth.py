"""How deep an HNSW search explores, by the size of the version it searches (a pure function).

A graph search keeps `efSearch` candidates to explore from: deeper is slower and closer to exact
search, and a larger graph needs more depth for the same recall. Real questions' recall@10
against exact search (benchmarks/results/vector_index.md, RealTimeQA vectors resampled) was
0.997 at efSearch 512 and 0.999 at 1024 with 50,000 passages, 0.995 and 0.998 with 100,000,
then 0.990 and 0.996 with 200,000 and 0.969 and 0.987 with a million. So `auto` searches up to
100,000 passages at 512, about half the time of 1024 (1.1 against 2.1 ms a question at
RealTimeQA's 53,805, where every `python -m evaluation` metric stayed the same to the last
digit), and deeper above.
"""

from __future__ import annotations

from index.settings import HNSW_EF_SEARCH, EfSearch

SMALL_GRAPH_PASSAGES = 100_000
SMALL_GRAPH_EF_SEARCH = 512


def hnsw_ef_search(setting: EfSearch, passages: int) -> int:
    """FAISS_HNSW_EF_SEARCH for a version of `passages` vectors: a number is used as it is,
    `auto` gives SMALL_GRAPH_EF_SEARCH up to SMALL_GRAPH_PASSAGES and HNSW_EF_SEARCH above."""
    if setting != "auto":
        return setting
    return SMALL_GRAPH_EF_SEARCH if passages <= SMALL_GRAPH_PASSAGES else HNSW_EF_SEARCH
