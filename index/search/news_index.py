"""The read side: search the live index version, and follow it when a writer publishes a new one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import numpy as np

from index.embedding.memo import VectorMemo
from index.embedding.model import Embedder, load_question_embedder
from index.embedding.query_batcher import QueryBatcher
from index.monitoring import QUESTION_ENCODE_SECONDS, SEARCH_SECONDS
from index.passages.sentences import sentence_spans
from index.search.bold_sentence import BoldSentence, sentence_weights
from index.search.confidence import Evidence, band, citation_evidence, confidence_model
from index.search.follow_up import (
    FollowUp,
    FollowUpRules,
    contextual_question,
    points_elsewhere,
    stays_on_topic,
)
from index.search.fusion import Candidate, check_cosines, fuse, recency_prior
from index.search.hits import Hit, SourceRef, with_story_outlets
from index.search.pending_word_search import PendingWordSearch, word_search_pool
from index.search.query import prepare_query
from index.search.relevance import relevance_scale
from index.search.selection import prefer_leads, resemblance, select, shingles
from index.search.shown_passages import ShownPassages
from index.search.topic_matching import BestPassage, article_words, match_articles
from index.settings import IndexSettings
from index.store.factory import version_source
from index.store.faiss.version import Snapshot
from index.store.live_version import LiveVersion
from index.store.metadata import ArticleSummary, PassageRecord
from index.store.passage_facts import PassageFacts
from index.store.passage_filter import PassageFilter, moment_seconds
from index.store.version import IndexVersion
from index.stories.model import Story

__all__ = ["Hit", "IndexStats", "NewsIndex", "Snapshot", "SourceRef", "index_exists"]

log = logging.getLogger(__name__)

MIN_CANDIDATES = 64
NEWEST_FIRST_POOL = 12
"""How many of the most relevant citations "the latest on …" orders by date."""
DUPLICATE_RESEMBLANCE = 0.6
"""Share of word trigrams two passages must have in common to be cited as one story."""


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What `stats` shows about the live version."""

    articles: int
    passages: int
    model: str
    dimension: int
    index_factory: str
    built_at: str
    build_id: str
    size_bytes: int
    folder: Path | str
    """Where the version lives: its folder, or (VECTOR_STORE=milvus) URI and collection."""
    backend: str = "torch"
    exact: bool = True
    """Whether FAISS compares a question with every vector; else `recall_at_10` says how close
    it comes (None for versions written before it was measured)."""
    recall_at_10: float | None = None
    ef_search: int | None = None
    store: str = "faiss"
    stories: int | None = None
    """Stories (`index.stories`); None for a version written before they were stored."""
    stories_by_several_outlets: int | None = None


@dataclass(frozen=True, slots=True)
class _Question:
    """A question for the batcher: its text, and where to find its nearest passages (the
    caller's version; None when only its vector is wanted)."""

    text: str
    vectors: IndexVersion | None
    depth: int
    passage_filter: PassageFilter | None = None
    encoded: Callable[[], object] | None = None
    """Called once the question is encoded, before its vector search (its word search starts)."""


class NewsIndex:
    """Search over the live version of an index folder, safe to call from many threads.

    Each call checks which version is live (one readlink of `current`, or with
    VECTOR_STORE=milvus one lookup of the collection alias); when a writer has published a new
    version it is loaded in the background and swapped in (`index.store.live_version`), while calls
    already running finish on the old one. A new version that fails to load is logged and the
    old one keeps serving. A question's word search runs on threads of its own, beside its vector
    search (`index.search.pending_word_search`).
    """

    def __init__(self, settings: IndexSettings, embedder: Embedder | None = None) -> None:
        self._settings = settings
        self._embedder = embedder
        self._live = LiveVersion(version_source(settings), settings.index_reload_wait_seconds)
        self._relevance = relevance_scale(settings.embedding_model)
        self._confidence = confidence_model(settings.embedding_model)
        self._sentence_memo: VectorMemo | None = None
        self._batcher: QueryBatcher | None = None
        self._batcher_lock = threading.Lock()
        self._checked_versions: set[tuple[tuple[str, str], ...]] = set()
        self._check_lock = threading.Lock()
        self._word_search_pool = word_search_pool()
        self._bold = BoldSentence(
            self._embed_sentences,
            weights=sentence_weights(
                settings.embedding_model,
                settings.bold_sentence_lexical_weight,
                settings.bold_sentence_cues,
            ),
            in_context=settings.bold_sentence_in_context,
        )

    @property
    def embedder(self) -> Embedder:
        """The model, loaded on first search: listing and stats do not need it."""
        if self._embedder is None:
            self._embedder = load_question_embedder(self._settings)
        return self._embedder

    def checked(self, snapshot: IndexVersion) -> IndexVersion:
        """`snapshot`, once its manifest accepts this process's question encoder: the same model
        and vector family, and its reference vectors found again (encoded once per set of them:
        versions built by one model share theirs; IndexMismatchError, with the rebuild hint,
        when they are not found)."""
        manifest = snapshot.manifest
        embedder = self.embedder
        manifest.check_compatible(embedder.model_name, embedder.dimension, embedder.backend)
        key = tuple(sorted(manifest.reference_vectors.items()))
        if key not in self._checked_versions:
            with self._check_lock:  # once, while the other first questions wait for it
                if key not in self._checked_versions:
                    manifest.check_reference_vectors(embedder.encode_queries, embedder.backend)
                    self._checked_versions.add(key)
        return snapshot

    def encode_question(self, text: str) -> np.ndarray:
        """A question's vector, encoded together with the others waiting at the same moment."""
        vector, _ = self._encode_and_search(_Question(text, None, 0))
        return vector

    def _encode_and_search(self, question: _Question) -> tuple[np.ndarray, list[tuple[int, float]]]:
        """The question's vector and its `depth` nearest passages in `question.vectors`, from
        one model call and one vector search shared with the questions waiting at that moment."""
        if self._batcher is None:
            with self._batcher_lock:
                if self._batcher is None:
                    self._batcher = QueryBatcher(
                        self._encode_and_search_many,
                        window_seconds=self._settings.query_batch_window_ms / 1000,
                        max_batch=self._settings.query_batch_max,
                    )
        return self._batcher.run(question)

    def _encode_and_search_many(
        self, questions: Sequence[_Question]
    ) -> list[tuple[np.ndarray, list[tuple[int, float]]]]:
        started = time.perf_counter()
        vectors = self.embedder.encode_queries([q.text for q in questions])
        QUESTION_ENCODE_SECONDS.observe(time.perf_counter() - started)
        for question in questions:
            if question.encoded is not None:
                question.encoded()
        found: list[list[tuple[int, float]]] = [[] for _ in questions]
        # one search per version and filter (usually one)
        by_index: dict[tuple[int, PassageFilter | None], list[int]] = {}
        for position, question in enumerate(questions):
            if question.vectors is not None and question.depth > 0:
                key = (id(question.vectors), question.passage_filter)
                by_index.setdefault(key, []).append(position)
        for (_, passage_filter), positions in by_index.items():
            index = questions[positions[0]].vectors
            assert index is not None
            depth = max(questions[p].depth for p in positions)
            hits = index.nearest(vectors[positions], depth, passage_filter)
            for position, nearest in zip(positions, hits, strict=True):
                found[position] = nearest[: questions[position].depth]
        return [
            (np.ascontiguousarray(vectors[row : row + 1], dtype=np.float32), found[row])
            for row in range(len(questions))
        ]

    def _embed_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """Sentences as the bold-sentence choice reads them, recent ones from memory."""
        size = self._settings.bold_sentence_memo_size
        if not size:
            return self.embedder.encode_documents(texts)
        if self._sentence_memo is None:
            self._sentence_memo = VectorMemo(self.embedder.encode_documents, size)
        return self._sentence_memo.encode(texts)

    def snapshot(self) -> IndexVersion:
        """The version to answer from: a newly published one once it has loaded (a question
        waits INDEX_RELOAD_WAIT_SECONDS for it at most, then is answered from the previous)."""
        return self._live.serving()

    def latest(self) -> IndexVersion:
        """The version published last, waiting for it to load: for work that must see what
        was just written."""
        return self._live.latest()

    @SEARCH_SECONDS.time()
    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        offset: int = 0,
        min_score: float | None = None,
        max_per_article: int | None = None,
        bold_sentence: bool = True,
        as_of: date | None = None,
        min_confidence: float | None = None,
        with_evidence: bool = False,
        passage_filter: PassageFilter | None = None,
        newest_first: bool = False,
        follow_up: FollowUp | None = None,
        follow_up_rules: FollowUpRules | None = None,
    ) -> list[Hit]:
        """The best passages for a question, best first; [] when nothing clears the minimum score.

        Empty, whitespace-only and symbol-only queries return []; very long ones are cut.
        `as_of` is when the question is asked (today by default), for the recency prior. With a
        measured confidence model, citations less likely than `min_confidence`
        (ANSWER_MIN_CONFIDENCE) to hold the answer are left out too. Hits carry their evidence
        when the model reads it, or `with_evidence` (for calibrating a model).
        `passage_filter` keeps the search inside a window in time and to some outlets (inside
        each store's search, `index.store.passage_filter`); `newest_first` orders the relevant
        citations by date, newest first ("the latest on …"). A `follow_up` is searched with the
        conversation's words and cited articles, unless alone it is answered elsewhere
        (`index.search.follow_up`).
        """
        settings = self._settings
        k = settings.search_top_k if k is None else max(0, k)
        prepared = prepare_query(query, settings.search_max_query_chars)
        if prepared is None or k == 0:
            return []
        run = partial(
            self._search, offset=offset, min_score=min_score, max_per_article=max_per_article,
            bold_sentence=bold_sentence, as_of=as_of, min_confidence=min_confidence,
            with_evidence=with_evidence, passage_filter=passage_filter,
            newest_first=newest_first,
        )  # fmt: skip
        if follow_up is None or not follow_up.previous_questions:
            return run(prepared, k)
        rules = follow_up_rules or FollowUpRules()
        cited = self.article_words(follow_up.cited_articles)
        if not stays_on_topic(prepared, frozenset().union(*cited.values())):
            return run(prepared, k)
        alone = run(prepared, k)
        top = alone[0] if alone else None
        if top is not None and points_elsewhere(
            top.confidence, top.article_id, follow_up.cited_articles, rules
        ):
            return alone
        contextual = contextual_question(prepared, follow_up.previous_questions)
        contextual = prepare_query(contextual, settings.search_max_query_chars) or prepared
        return run(contextual, k, prefer=(frozenset(follow_up.cited_articles), rules.cited_bonus))

    def _search(
        self,
        prepared: str,
        k: int,
        *,
        offset: int,
        min_score: float | None,
        max_per_article: int | None,
        bold_sentence: bool,
        as_of: date | None,
        min_confidence: float | None,
        with_evidence: bool,
        passage_filter: PassageFilter | None,
        newest_first: bool,
        prefer: tuple[frozenset[str], float] = (frozenset(), 0.0),
    ) -> list[Hit]:
        """`search` of a prepared question; `prefer` ranks up passages of these articles."""
        settings = self._settings
        snapshot = self.checked(self.snapshot())
        per_article = (
            settings.search_max_per_article if max_per_article is None else max_per_article
        )
        depth = max(MIN_CANDIDATES, (offset + k) * per_article * 8)
        mode = settings.search_mode if snapshot.has_lexical else "dense"
        dense_from = None if mode == "lexical" else snapshot
        words = (  # BM25 runs beside the vector search (`pending_word_search`)
            PendingWordSearch(
                self._word_search_pool,
                partial(snapshot.lexical_search, prepared, depth, passage_filter),
            )
            if mode != "dense"
            else None
        )
        vector, dense = self._encode_and_search(
            _Question(
                prepared, dense_from, depth, passage_filter, None if words is None else words.start
            )
        )
        lexical = {} if words is None else words.result()
        cosines, rank_scores = self._candidates(snapshot, vector, dense, lexical, mode)
        facts = snapshot.passage_facts(list(cosines))
        recency = settings.search_recency_weight
        if recency:
            day = as_of or datetime.now(UTC).date()
            half_life = settings.search_recency_half_life_days
            rank_scores = {
                row: rank_scores.get(row, cosines[row])
                + recency * recency_prior(facts[row].published, day, half_life)
                for row in cosines
                if row in facts
            }
        preferred, bonus = prefer
        if preferred and bonus:
            rank_scores = {
                row: rank_scores.get(row, cosines[row])
                + (bonus if facts[row].article_id in preferred else 0.0)
                for row in cosines
                if row in facts
            }
        candidates = [
            Candidate(row, facts[row].article_id, cosine, rank_scores.get(row))
            for row, cosine in cosines.items()
            if row in facts
        ]
        limit = max(NEWEST_FIRST_POOL, 3 * (offset + k)) if newest_first else k
        records = ShownPassages(
            snapshot.passages,
            [c.row for c in sorted(candidates, key=lambda c: (-c.order, c.row))],
            batch=limit + (0 if newest_first else offset) + 2,
            location=snapshot.location,
        )
        chosen = select(
            candidates,
            limit=limit,
            offset=0 if newest_first else offset,
            max_per_article=per_article,
            min_score=self._min_score() if min_score is None else min_score,
            reprinted=_reprinted(records),
            story_of=lambda c: facts[c.row].story_id,
        )
        chosen = prefer_leads(
            chosen, candidates, lambda c: facts[c.row].ordinal == 0, settings.search_lead_margin
        )
        records.read([r for c in chosen for r in (c.row, *(copy.row for copy in c.copies))])
        model = self._confidence
        evidence: list[Evidence | None] = [None] * len(chosen)
        probabilities: list[float] | None = None
        if model is not None or with_evidence:
            found = self._evidence(
                snapshot, prepared, chosen, candidates, records, lexical, first=offset == 0
            )
            evidence = list(found)
            if model is not None:
                probabilities = [model.probability(e) for e in found]
                gate = (
                    min_confidence if min_confidence is not None else settings.answer_min_confidence
                )
                gate = model.gate if gate is None else gate
                kept = [i for i, p in enumerate(probabilities) if p >= gate]
                chosen = [chosen[i] for i in kept]
                probabilities = [probabilities[i] for i in kept]
                evidence = [evidence[i] for i in kept]
        if newest_first:
            chosen, probabilities, evidence = _newest_first(
                chosen, probabilities, evidence, facts, offset, k
            )
        if bold_sentence:
            bold_sentences = self._bold.best(
                snapshot, vector, prepared, [records[c.row] for c in chosen]
            )
        else:  # ranking alone (evaluations): skip the sentence embeddings
            bold_sentences = [(0, 0)] * len(chosen)
        hits = []
        for position, (candidate, bold) in enumerate(zip(chosen, bold_sentences, strict=True)):
            if probabilities is None:
                confidence, label = None, self._relevance.band(candidate.score)
            else:
                confidence = probabilities[position]
                label = band(confidence)
            hit = _hit(
                offset + 1 + position, candidate.score, label, records[candidate.row], bold,
                candidate.copies, records,
            )  # fmt: skip
            hits.append(replace(hit, confidence=confidence, evidence=evidence[position]))
        return with_story_outlets(hits, snapshot.stories([h.story_id for h in hits if h.story_id]))

    def _min_score(self) -> float:
        """The cosine a candidate needs: SEARCH_MIN_SCORE, unless the model's measured
        confidence is the gate (then every candidate may be weighed by it)."""
        return -1.0 if self._confidence is not None else self._settings.search_min_score

    def _evidence(
        self,
        snapshot: IndexVersion,
        question: str,
        chosen: Sequence[Candidate],
        candidates: Sequence[Candidate],
        records: ShownPassages,
        lexical: dict[int, float],
        *,
        first: bool,
    ) -> list[Evidence]:
        """What search knows of each chosen citation (`confidence.citation_evidence`), the
        passages' sentences as the version stores them."""
        listed = (
            snapshot.sentences([c.row for c in chosen]) if snapshot.has_sentence_vectors else {}
        )
        passages: dict[int, tuple[str, list[str]]] = {}
        for candidate in chosen:
            record = records[candidate.row]
            spans = [(a - record.start, b - record.start) for _, a, b in listed.get(record.row, [])]
            spans = spans or sentence_spans(record.text) or [(0, len(record.text))]
            passages[candidate.row] = (record.title, [record.text[a:b] for a, b in spans])
        return citation_evidence(question, chosen, candidates, passages, lexical, first=first)

    def embed_topic(self, topic: str) -> np.ndarray:
        """A topic's vector, computed once when a chat subscribes and kept with the subscription."""
        prepared = prepare_query(topic, self._settings.search_max_query_chars)
        if prepared is None:
            raise ValueError("a topic needs words")
        return self.encode_question(prepared).reshape(-1)

    def match_articles(
        self,
        article_ids: Sequence[str],
        topics: np.ndarray,
        topic_texts: Sequence[str] | None = None,
        lexical_weight: float = 0.0,
        lead_only: bool = False,
    ) -> dict[str, list[BestPassage]]:
        """For each article, its closest passage to every topic (`topic_matching.match_articles`);
        with `lead_only`, its lead passage's score."""
        return match_articles(
            self.checked(self.snapshot()),
            article_ids,
            topics,
            topic_texts,
            lexical_weight,
            lead_only,
        )

    def article_words(self, article_ids: Sequence[str]) -> dict[str, frozenset[str]]:
        """The words of each article as the word index has them (`topic_matching.article_words`)."""
        return article_words(self.snapshot(), article_ids)

    def with_bold_sentence(self, hit: Hit, question: str) -> Hit:
        """`hit` with the sentence search would bold for `question` (for a hit found unbolded)."""
        prepared = prepare_query(question, self._settings.search_max_query_chars)
        if prepared is None:
            return hit
        vector = self.encode_question(prepared)
        snapshot = self.snapshot()
        record = snapshot.passages([hit.row]).get(hit.row) if hit.row >= 0 else None
        if record is None or (record.article_id, record.start) != (hit.article_id, hit.start):
            (span,) = self._bold.embedded(vector, prepared, [(hit.title, hit.text)])
        else:
            (span,) = self._bold.best(snapshot, vector, prepared, [record])
        return replace(hit, bold_sentence=span)

    def lead_passages(self, article_ids: Sequence[str]) -> dict[str, int]:
        """The row of each article's first passage (what to show for "every new article")."""
        leads: dict[str, int] = {}
        for row, article_id in self.snapshot().passage_rows(article_ids):
            leads.setdefault(article_id, row)
        return leads

    def cite(
        self, row: int, score: float, topic: tuple[str, np.ndarray] | None = None
    ) -> Hit | None:
        """A passage as a citation; None if it is gone.

        With a `(text, vector)` topic, its sentence that best matches the topic is the bold sentence,
        chosen as search chooses the bold sentence of an answer.
        """
        snapshot = self.snapshot()
        record = snapshot.passages([row]).get(row)
        if record is None:
            return None
        bold = (0, 0)
        if topic is not None:
            text, vector = topic
            (bold,) = self._bold.best(
                snapshot, np.asarray(vector, dtype=np.float32), text, [record]
            )
        return _hit(1, score, self._relevance.band(score), record, bold)

    def _candidates(
        self,
        snapshot: IndexVersion,
        vector: np.ndarray,
        dense: list[tuple[int, float]],
        lexical: dict[int, float],
        mode: str,
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Candidate rows with their cosine, and the scores they are ranked by.

        Dense candidates came from the vector search (with the question's encoding), lexical
        ones from BM25 (`lexical`, their scores); every candidate gets its cosine (from its
        stored vector when FAISS did not return it), so all are shown alike. `mode` is the
        search mode this version allows (dense alone for a version without a word index). A
        damaged version that still answers is refused here, by its impossible cosines
        (`check_cosines`), whichever store holds it.
        """
        settings = self._settings
        cosines = dict(dense)
        if lexical:
            missing = [row for row in lexical if row not in cosines]
            if missing:
                found = snapshot.passage_vectors(missing) @ vector.reshape(-1)
                cosines.update(zip(missing, found.tolist(), strict=True))
        check_cosines(cosines.values(), snapshot.location)
        if mode == "dense":
            return cosines, {}
        if mode == "lexical":
            return cosines, lexical
        fused = fuse(
            cosines,
            lexical,
            method=settings.search_fusion,
            lexical_weight=settings.search_lexical_weight,
        )
        return cosines, fused

    def stats(self) -> IndexStats:
        snapshot = self.snapshot()
        articles, passages = snapshot.counts()
        manifest = snapshot.manifest
        stories, several = snapshot.story_counts() or (None, None)
        return IndexStats(
            articles, passages, manifest.model, manifest.dimension, manifest.index_factory,
            manifest.built_at, manifest.build_id, snapshot.size_bytes(), snapshot.location,
            manifest.backend, snapshot.is_exact(), manifest.recall_at_10,
            manifest.ef_search, manifest.store, stories, several,
        )  # fmt: skip

    def list_articles(self, offset: int = 0, limit: int | None = None) -> list[ArticleSummary]:
        return self.snapshot().list_articles(offset, limit)

    def sources(self) -> list[tuple[str, int]]:
        """Every outlet with its article count, most articles first (what a question may name)."""
        return self.snapshot().sources()

    def list_stories(self, offset: int = 0, limit: int | None = None) -> list[Story]:
        """Stories newest first (by last published, then id), each with its articles oldest
        first; `stats().stories` counts them. A version written before stories has none."""
        return self.snapshot().list_stories(offset, limit)

    def articles_indexed_since(self, since: str) -> list[ArticleSummary]:
        """Articles first indexed after `since`, from the version published last: an alert
        round that has just indexed its inbox waits for that version to load."""
        return self.latest().articles_indexed_since(since)

    def stories(self, story_ids: Sequence[str]) -> dict[str, Story]:
        """The stories named (`ArticleSummary.story_id`, `Hit.story_id`), from the version
        published last, as alerts need them; ids it does not hold are left out."""
        return self.latest().stories(story_ids)


def _newest_first(
    chosen: list[Candidate],
    probabilities: list[float] | None,
    evidence: list[Evidence | None],
    facts: dict[int, PassageFacts],
    offset: int,
    k: int,
) -> tuple[list[Candidate], list[float] | None, list[Evidence | None]]:
    """The relevant citations (those that cleared the gate) newest first, the page asked for."""
    order = sorted(
        range(len(chosen)),
        key=lambda i: (
            -moment_seconds(facts[chosen[i].row].published, facts[chosen[i].row].first_indexed_at)
        ),
    )[offset : offset + k]
    return (
        [chosen[i] for i in order],
        None if probabilities is None else [probabilities[i] for i in order],
        [evidence[i] for i in order],
    )


def _reprinted(records: ShownPassages) -> Callable[[Candidate, Candidate], bool]:
    """Whether two candidates' passages are near-copies (most word trigrams shared)."""
    cache: dict[int, frozenset[tuple[str, ...]]] = {}

    def words(row: int) -> frozenset[tuple[str, ...]]:
        if row not in cache:
            cache[row] = shingles(records[row].text)
        return cache[row]

    return lambda a, b: resemblance(words(a.row), words(b.row)) >= DUPLICATE_RESEMBLANCE


def _hit(
    rank: int,
    score: float,
    relevance: str,
    record: PassageRecord,
    bold: tuple[int, int],
    copies: Sequence[Candidate] = (),
    records: ShownPassages | None = None,
) -> Hit:
    also_in: list[SourceRef] = []
    for copy in copies:
        other = None if records is None else records[copy.row]
        if other is not None and all(ref.article_id != other.article_id for ref in also_in):
            also_in.append(
                SourceRef(other.article_id, other.title, other.url, other.source, other.published)
            )
    return Hit(
        rank, score, record.text, record.start, record.end, record.article_id, record.title,
        record.url, record.source, record.published, bold, record.ordinal + 1,
        record.passages_in_article, tuple(also_in), record.row, relevance,
        story_id=record.story_id,
    )  # fmt: skip


def index_exists(settings: IndexSettings) -> bool:
    """Whether a version has been published (in the index folder, or in Milvus)."""
    return version_source(settings).current() is not None
