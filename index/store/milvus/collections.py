"""Index versions as Milvus collections (VECTOR_STORE=milvus): schema, writes, the alias swap.

A version is three collections named after its build id, `<prefix>_<build>` (passages: text,
offsets, citation fields with the story id, dense vector, and the words BM25 weighs),
`<prefix>_<build>_sentences` (sentence vectors) and `<prefix>_<build>_articles` (what a writer
needs to build the next version: every article field and its whole text, and its story: id,
predecessor, card and article vector, the Milvus counterpart of a FAISS version's story
tables, from which `MilvusVersion.stories` derives each story's row). Its manifest is written last, as a property
of the passages collection, and only then does the alias `<prefix>_live` move to it: a write
killed at any moment leaves the alias on the previous, complete version, and readers only ever
open what the alias names. Every primary key is a row number (INT64, see `index.store.milvus.rows`),
so no article id ever has to be quoted into a Milvus expression.

That is how `rebuild` writes. `add` and `remove` change the live collections in place instead
(`index.store.milvus.in_place`), behind the revision the manifest names. Collections are created with
Strong consistency, so a reader that sees a manifest also sees every row written before it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.exceptions import MilvusException

from index.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, NewsIndexError
from index.lexical import K1, B
from index.settings import IndexSettings
from index.store.manifest import READABLE_FORMATS, REBUILD_HINT, Manifest
from index.store.metadata import IndexedArticle
from index.store.milvus.rows import (
    STORY_ID_CHARS,
    Start,
    article_rows,
    passage_rows,
    sentence_rows,
)

log = logging.getLogger(__name__)

MANIFEST_PROPERTY = "newsbot.manifest"
LIVE_SUFFIX = "_live"
SENTENCES_SUFFIX = "_sentences"
ARTICLES_SUFFIX = "_articles"
KEEP_VERSIONS = (
    2  # as index.store.publish: the live one, and the one a running reader may still be on
)
EXACT_TYPE = "FLAT"
APPROXIMATE_TYPE = "HNSW"
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
MAX_VARCHAR = 65_535
MAX_ARRAY = 4_096
INSERT_BATCH = 1_000
READ_PAGE = 10_000
CONSISTENCY = "Strong"

# pymilvus logs every failed call at ERROR through a handler of its own; the errors it raises
# are turned into one line here, so its log would only repeat them.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

_clients: dict[tuple[str, str], MilvusClient] = {}
_clients_lock = threading.Lock()


def is_lite(uri: str) -> bool:
    """Whether the URI is a Milvus Lite data path (opened inside this process)."""
    return "://" not in uri


def connect(settings: IndexSettings) -> MilvusClient:
    """One client per URI per process (a writer and a reader in one process share it).

    Milvus Lite serves one process per data folder: a second process opening it is refused
    with IndexBusyError saying how to share it (Milvus Lite's own server mode).
    """
    uri = settings.resolved_milvus_uri
    token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
    key = (uri, token)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _open(uri, token)
        return client


def disconnect(settings: IndexSettings) -> None:
    """Close this process's client of MILVUS_URI and, for Milvus Lite, stop serving its folder
    (so another process may open it)."""
    uri = settings.resolved_milvus_uri
    with _clients_lock:
        for key in [k for k in _clients if k[0] == uri]:
            _clients.pop(key).close()
    if is_lite(uri):
        from milvus_lite import server_manager_instance

        server_manager_instance.release_server(uri)


def _open(uri: str, token: str) -> MilvusClient:
    if is_lite(uri):
        if not uri.endswith(".db"):
            raise NewsIndexError(
                f"MILVUS_URI={uri} is neither a server (http://host:19530) nor a Milvus Lite "
                "data path ending in .db"
            )
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        if not _served_here(uri) and _locked_elsewhere(Path(uri)):
            raise _lite_busy(uri)  # before Milvus Lite tries, and logs a traceback
    try:
        return MilvusClient(uri=uri, token=token)
    except MilvusException as exc:
        if is_lite(uri) and _locked_elsewhere(Path(uri)):
            raise _lite_busy(uri) from None
        raise NewsIndexError(f"cannot open Milvus at {uri}: {exc.message}") from None


def _lite_busy(uri: str) -> IndexBusyError:
    return IndexBusyError(
        f"the Milvus Lite data folder {uri} is open in another process (Milvus Lite "
        "serves one process per folder): stop that process, or serve the folder with "
        f"`python -m milvus_lite server --data-dir {uri} --host 127.0.0.1 --port 19530` "
        "and set MILVUS_URI=http://127.0.0.1:19530 for every process"
    )


def _served_here(uri: str) -> bool:
    """Whether this process already serves the Milvus Lite folder (its lock is ours)."""
    from milvus_lite import server_manager_instance

    return os.path.abspath(uri) in server_manager_instance._servers


def _locked_elsewhere(folder: Path) -> bool:
    """Whether another process holds Milvus Lite's lock on its data folder."""
    try:
        fd = os.open(folder / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken just now
    return False


def collection_of(live_name: str) -> str:
    """The collection of a name `MilvusStore.live_name` gave."""
    return live_name.partition("@")[0]


def collection_name(prefix: str, build_id: str) -> str:
    """Collection names allow letters, digits and underscores only."""
    return f"{prefix}_{build_id.replace('-', '_')}"


def _failure(action: str, exc: MilvusException) -> NewsIndexError:
    return NewsIndexError(f"Milvus failed to {action}: {exc.message}")


class MilvusStore:
    """The collections of one prefix on one Milvus: which version is live, and writing one."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self.uri = settings.resolved_milvus_uri
        self.prefix = settings.milvus_collection_prefix
        self.alias = self.prefix + LIVE_SUFFIX
        self.client = connect(settings)

    def live_collection(self) -> str | None:
        """The collection the alias names (one call), or None before the first version."""
        try:
            return str(self.client.describe_alias(self.alias)["collection_name"])
        except MilvusException as exc:
            try:  # the message differs between servers: whether the alias exists is asked
                if self.alias not in self.client.list_aliases().get("aliases", []):
                    return None
            except MilvusException:
                pass
            raise _failure("read the alias " + self.alias, exc) from None

    def live(self) -> tuple[str, Manifest] | None:
        """The collection the alias names and its manifest, in one call (describing the alias
        describes its collection), or None before the first version."""
        try:
            described = self.client.describe_collection(self.alias)
        except MilvusException:
            name = self.live_collection()  # None, or the reason it cannot be read
            return None if name is None else (name, self.manifest(name))
        name = str(described["collection_name"])
        text = (described.get("properties") or {}).get(MANIFEST_PROPERTY)
        if text is None:
            return name, self.manifest(name)  # raises the reason
        return name, manifest_from_json(text, name)

    def live_name(self) -> str | None:
        """What is live, as readers and writers compare it: `<collection>@<revision>`, the
        collection alone before revisions, `<collection>@unreadable` when its manifest cannot
        be read (loading it then says why)."""
        try:
            live = self.live()
        except (IndexCorruptError, IndexMismatchError):
            name = self.live_collection()
            return None if name is None else f"{name}@unreadable"
        if live is None:
            return None
        name, manifest = live
        return name if manifest.revision is None else f"{name}@{manifest.revision}"

    def set_manifest(self, collection: str, manifest: Manifest) -> None:
        """Store the manifest with the collection: one property write, seen whole or not at all."""
        self.client.alter_collection_properties(
            collection, properties={MANIFEST_PROPERTY: json.dumps(manifest.as_dict())}
        )

    def manifest(self, collection: str) -> Manifest:
        """The manifest stored with a collection; a collection without one was never completed."""
        try:
            properties = self.client.describe_collection(collection).get("properties") or {}
        except MilvusException as exc:
            raise IndexCorruptError(
                f"the Milvus collection {collection} cannot be read ({exc.message}): {REBUILD_HINT}"
            ) from None
        text = properties.get(MANIFEST_PROPERTY)
        if text is None:
            raise IndexCorruptError(
                f"the Milvus collection {collection} has no manifest (its write did not "
                f"finish): {REBUILD_HINT}"
            )
        return manifest_from_json(text, collection)

    def write_version(
        self,
        build_id: str,
        items: Sequence[IndexedArticle],
        texts: Sequence[str],
        vectors: np.ndarray,
        sentence_vectors: np.ndarray,
        manifest: Manifest,
    ) -> str:
        """Write a complete version and move the alias to it; its passages collection's name.

        `texts` are what the model read for each passage (title and passage): BM25 weighs
        their words, as index.lexical does for a FAISS version.
        """
        name = collection_name(self.prefix, build_id)
        try:
            self._create(name, manifest.dimension, len(vectors), manifest.index_factory)
            start = Start()
            self.insert(name, passage_rows(items, texts, vectors, start, 0))
            self.insert(name + SENTENCES_SUFFIX, sentence_rows(items, sentence_vectors, start, 0))
            self.insert(name + ARTICLES_SUFFIX, article_rows(items, start, 0))
            self.flush(name)
            self.set_manifest(name, manifest)  # last but the alias: marks the version complete
            if self.live_collection() is None:
                self.client.create_alias(name, self.alias)
            else:
                self.client.alter_alias(name, self.alias)
        except MilvusException as exc:
            raise _failure(f"write the index version {name}", exc) from None
        return name

    def collect_garbage(self) -> None:
        """Drop the collections of killed writes and all but the newest complete versions.

        Called under the write lock, after a publish: no other write of this prefix is alive.
        """
        live = self.live_collection()
        try:
            names = [n for n in self.client.list_collections() if n.startswith(self.prefix + "_")]
        except MilvusException as exc:
            raise _failure("list collections", exc) from None
        versions = sorted(n for n in names if not n.endswith((SENTENCES_SUFFIX, ARTICLES_SUFFIX)))
        complete = [n for n in versions if self._complete(n)]
        keep = set(complete[-KEEP_VERSIONS:]) | ({live} if live else set())
        for name in names:
            version = name.removesuffix(SENTENCES_SUFFIX).removesuffix(ARTICLES_SUFFIX)
            if version not in keep:
                log.info("dropping the Milvus collection %s", name)
                try:
                    self.client.drop_collection(name)
                except MilvusException as exc:
                    log.warning("could not drop the Milvus collection %s: %s", name, exc.message)

    def flush(self, name: str) -> None:
        """Persist what was written to the version's three collections (before a manifest
        names it)."""
        for collection in (name, name + SENTENCES_SUFFIX, name + ARTICLES_SUFFIX):
            self.client.flush(collection)

    def _complete(self, name: str) -> bool:
        try:
            properties = self.client.describe_collection(name).get("properties") or {}
        except MilvusException:
            return False
        return MANIFEST_PROPERTY in properties

    def _create(self, name: str, dimension: int, passages: int, index_type: str) -> None:
        client = self.client
        passages_schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        for field, kind, options in _PASSAGE_FIELDS:
            passages_schema.add_field(field, kind, **options)
        passages_schema.add_field(
            "words", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
            analyzer_params={"tokenizer": "standard"},
        )  # fmt: skip
        passages_schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        passages_schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        passages_schema.add_field("revision", DataType.INT64)
        passages_schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["words"],
                output_field_names=["sparse"],
            )
        )
        index = client.prepare_index_params()
        if index_type == APPROXIMATE_TYPE:
            index.add_index(
                "vector", index_type="HNSW", metric_type="IP",
                params=_nested({"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}),
            )  # fmt: skip
        else:
            index.add_index("vector", index_type=EXACT_TYPE, metric_type="IP")
        index.add_index(
            "sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
            params=_nested({"bm25_k1": K1, "bm25_b": B}),
        )  # fmt: skip
        self._create_collection(name, passages_schema, index)

        sentences = client.create_schema(auto_id=False, enable_dynamic_field=False)
        sentences.add_field("row", DataType.INT64, is_primary=True)
        sentences.add_field("passage_row", DataType.INT64)
        sentences.add_field("article_row", DataType.INT64)
        sentences.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        sentences.add_field("revision", DataType.INT64)
        index = client.prepare_index_params()
        index.add_index("vector", index_type=EXACT_TYPE, metric_type="IP")
        self._create_collection(name + SENTENCES_SUFFIX, sentences, index)

        articles = client.create_schema(auto_id=False, enable_dynamic_field=False)
        for field, kind, options in _ARTICLE_FIELDS:
            articles.add_field(field, kind, **options)
        articles.add_field("first_sentence", DataType.INT64)
        articles.add_field("story_id", DataType.VARCHAR, max_length=STORY_ID_CHARS)
        articles.add_field(
            "story_predecessor", DataType.VARCHAR, max_length=STORY_ID_CHARS, nullable=True
        )
        articles.add_field("story_terms", DataType.VARCHAR, max_length=MAX_VARCHAR)
        articles.add_field("story_moment", DataType.INT64)
        articles.add_field("story_vector", DataType.FLOAT_VECTOR, dim=dimension)
        articles.add_field("revision", DataType.INT64)
        index = client.prepare_index_params()
        index.add_index("story_vector", index_type=EXACT_TYPE, metric_type="IP")
        self._create_collection(name + ARTICLES_SUFFIX, articles, index)

    def _create_collection(self, name: str, schema: Any, index: Any) -> None:
        """The index is created apart, not waited for: pymilvus' wait asks the server for a
        timestamp, which Milvus Lite does not implement (it logs a traceback each time). A
        reader loads the collection, which waits for its indexes on a server."""
        self.client.create_collection(name, schema=schema, consistency_level=CONSISTENCY)
        self.client.create_index(name, index, sync=False)

    def insert(self, name: str, rows: Iterable[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                self.client.insert(name, batch)
                batch = []
        if batch:
            self.client.insert(name, batch)

    def read_rows(
        self,
        collection: str,
        end: int,
        fields: Sequence[str],
        visible: str = "",
        *,
        start: int = 0,
    ) -> Iterator[dict[str, Any]]:
        """Every row from `start` to below `end` of a collection that passes the filter
        `visible`, in pages of row numbers, unordered within a page. Rows are numbered densely
        by a rebuild and only grow by what in-place writes add, so pages stay mostly full."""
        extra = f" and {visible}" if visible else ""
        for page in range(start, end, READ_PAGE):
            stop = min(end, page + READ_PAGE)
            yield from self.client.query(
                collection,
                filter=f"row >= {page} and row < {stop}{extra}",
                output_fields=list(fields),
                limit=stop - page,
            )


_TEXT = {"max_length": MAX_VARCHAR}
_OPTIONAL_TEXT = {"max_length": MAX_VARCHAR, "nullable": True}
_PASSAGE_FIELDS: list[tuple[str, DataType, dict[str, Any]]] = [
    ("row", DataType.INT64, {"is_primary": True}),
    ("article_row", DataType.INT64, {}),
    ("article_id", DataType.VARCHAR, _TEXT),
    ("ordinal", DataType.INT64, {}),
    ("start", DataType.INT64, {}),
    ("end", DataType.INT64, {}),
    ("tokens", DataType.INT64, {}),
    ("text", DataType.VARCHAR, _TEXT),
    ("title", DataType.VARCHAR, _TEXT),
    ("url", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("source", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("published", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("first_indexed_at", DataType.VARCHAR, _TEXT),
    ("passages_in_article", DataType.INT64, {}),
    ("sentence_first", DataType.INT64, {}),
    ("sentence_starts", DataType.ARRAY, {"element_type": DataType.INT64, "max_capacity": MAX_ARRAY}),
    ("sentence_ends", DataType.ARRAY, {"element_type": DataType.INT64, "max_capacity": MAX_ARRAY}),
    ("story_id", DataType.VARCHAR, {"max_length": STORY_ID_CHARS}),
    ("moment", DataType.INT64, {}),
]  # fmt: skip
"""Citation fields are copied onto each passage, so a search reads its candidates in one call;
`moment` (format 4: the article's story moment, seconds) is what a window in time filters on."""
_ARTICLE_FIELDS: list[tuple[str, DataType, dict[str, Any]]] = [
    ("row", DataType.INT64, {"is_primary": True}),
    ("id", DataType.VARCHAR, _TEXT),
    ("title", DataType.VARCHAR, _TEXT),
    ("url", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("source", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("published", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("language", DataType.VARCHAR, _OPTIONAL_TEXT),
    ("origin", DataType.VARCHAR, _TEXT),
    ("content_hash", DataType.VARCHAR, _TEXT),
    ("first_indexed_at", DataType.VARCHAR, _TEXT),
    ("first_row", DataType.INT64, {}),
    ("passages", DataType.INT64, {}),
    ("text", DataType.ARRAY, {"element_type": DataType.VARCHAR, "max_capacity": MAX_ARRAY,
                              "max_length": MAX_VARCHAR}),
]  # fmt: skip


def _nested(params: dict[str, Any]) -> dict[str, Any]:
    """Index parameters as one JSON `params` entry, the form both Milvus servers and Milvus
    Lite read (Lite ignores them given one by one, and BM25 would fall back to k1 1.5, b 0.75)."""
    return {"params": params}


def manifest_from_json(text: str, collection: str) -> Manifest:
    """A manifest read back from a collection property, refused as Manifest.load refuses one."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise IndexCorruptError(
            f"the manifest of the Milvus collection {collection} cannot be read ({exc}): "
            f"{REBUILD_HINT}"
        ) from None
    if not isinstance(data, dict) or data.get("format_version") not in READABLE_FORMATS:
        found = data.get("format_version") if isinstance(data, dict) else None
        raise IndexMismatchError(
            f"the Milvus collection {collection} has format version {found}, this program "
            f"reads {' and '.join(map(str, sorted(READABLE_FORMATS)))}: {REBUILD_HINT}"
        )
    try:
        return Manifest(**data)
    except TypeError as exc:
        raise IndexCorruptError(
            f"the Milvus collection {collection} has no valid manifest ({exc}): {REBUILD_HINT}"
        ) from None
