"""The article record shared by ingest, storage and search, and the rules that derive its fields."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from index.passages.sentences import sentence_spans

TITLE_MAX_CHARS = 90
TITLE_SCAN_CHARS = 5000
"""The first sentence is looked for in this much text: pysbd on a whole huge file takes minutes."""


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from a file or record, before it is split into passages.

    `text` is the body that passages and their character offsets refer to.
    `origin` names where it came from (a path, or `path:LINE` for a JSON Lines record) so a
    rebuild can keep the previously indexed version when that file has become unreadable.
    """

    id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    language: str | None = None
    origin: str = ""
    content_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash(self))


def content_hash(article: Article) -> str:
    """Hash of everything that changes what is indexed or shown, so `add` can skip unchanged articles."""
    parts = [
        article.title,
        article.text,
        article.url or "",
        article.source or "",
        article.published or "",
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return digest.hexdigest()[:32]


def derive_title(text: str, max_chars: int = TITLE_MAX_CHARS) -> str:
    """A title for an article that has none: its first sentence, shortened at a word boundary."""
    spans = sentence_spans(text[:TITLE_SCAN_CHARS])
    if not spans:
        return ""
    start, end = spans[0]
    sentence = text[start:end].split("\n", 1)[0].strip()
    if len(sentence) <= max_chars:
        return sentence.rstrip(".")
    cut = sentence[: max_chars - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(",;:–— ") + "…"


def stable_id(record_id: str | None, url: str | None, origin: str) -> str:
    """A stable article id: the record's own id, else one derived from its url, else from its path."""
    if record_id is not None and str(record_id).strip():
        return str(record_id).strip()
    if url:
        return "u" + hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:16]
    return origin


def file_id(stem: str, key: bytes) -> str:
    """`story-1a2b3c4d`: the default id of a file named on its own, for articles with no id or url.

    The stem alone would let `a/story.txt` silently replace `b/story.txt`; the short hash of
    `key` (the file's real path, or its bytes) tells files of the same name apart.
    """
    return f"{stem}-{hashlib.sha256(key).hexdigest()[:8]}"


def source_from_url(url: str | None) -> str | None:
    """The site name of a url (`www.bbc.co.uk` → `bbc.co.uk`), used when a record names no source."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # `http://[broken`: not a url a site name can be read from
        return None
    if not host:
        return None
    return host.removeprefix("www.")
