"""Read articles from files and folders: the only part of indexing that touches article files.

Folders are walked in a stable order and every supported file is decoded and handed to a pure
parser in `index.articles.formats`. Articles without an id or url are named after their file: inside a folder given, by the
path relative to it (`sub/story`), which stays the same as long as the file does, so an edited
file is an update; a file named on its own, by its stem and a short hash of its real path
(`named_ids="path"`) or of its bytes (`"content"`, for an inbox whose files are all new), so
two different `story.txt` never share an id. Nor do `story.md` and `story.txt` of one folder:
the last read keeps `story`, which it had when the others were dropped as its duplicates, and
each other takes a hash of its name in the folder (`story-1a2b3c4d`).

Bad data never aborts a build: each unreadable file or record
becomes one `Skipped` with a one-line reason (or, with `strict=True`, an
`UnreadableArticleError`). An exception a parser still raises (a bug, here or in a library)
is logged with its traceback and becomes that file's `Skipped` too. A path that does not exist
is a user mistake and always raises.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from index.articles.article import Article, file_id
from index.articles.formats import Skipped, parse_html, parse_json, parse_jsonl, parse_text
from index.errors import UnreadableArticleError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "NamedIds",
    "Skipped",
    "find_article_files",
    "path_origin",
    "read_articles",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
MAX_FILE_BYTES = 256 * 1024 * 1024
"""Larger files are skipped rather than read whole into memory."""
BINARY_SNIFF_BYTES = 8 * 1024

_HTML_SUFFIXES = (".html", ".htm")
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)

PathArg = Path | str
Paths = Iterable[PathArg] | PathArg
NamedIds = Literal["path", "content"]
"""What tells a file named on its own from another of the same name: where it is, or its bytes."""


@dataclass(frozen=True)
class _Entry:
    """A file to read: where it is, how it is named in results, and its default article id
    (None for a file named on its own: its id is derived when it is read)."""

    path: Path
    origin: str
    default_id: str | None
    problem: str | None = None  # set when the walk itself failed here (an unlistable folder)
    name_in_folder: str = ""
    """Its path inside the folder given (`sub/story.md`); "" for a file named on its own."""
    twins: tuple[Path, str] | None = None
    """The folder given and the default id, when another file of that folder has the same
    one (`story.md`, `story.txt`); None when its default id is its own."""


def read_articles(
    paths: Paths, *, strict: bool = False, named_ids: NamedIds = "path"
) -> Iterator[Article | Skipped]:
    """Every article in the given files and folders, and a `Skipped` for each that is unreadable.

    Missing paths raise `UnreadableArticleError` at once, before anything is read. With
    `strict`, the first unreadable file or record raises it too, while iterating.
    `named_ids` says how files named on their own get their default ids (see the module).
    """
    entries = _collect(paths)
    return _read_all(entries, strict, named_ids)


def find_article_files(paths: Paths) -> list[Path]:
    """The files `read_articles` would read, in its order.

    Folders are walked recursively (sorted; hidden names and unsupported types left out);
    a file named directly is always taken, so an unsupported one can be reported.
    """
    return [entry.path for entry in _collect(paths) if entry.problem is None]


def path_origin(path: PathArg) -> str:
    """How results name a file: its path, a byte that is not UTF-8 written `\\xff`.

    Such a name decodes to lone surrogates, which SQLite (and a terminal) cannot take.
    """
    return _printable(Path(path).as_posix())


def _printable(name: str) -> str:
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _read_all(
    entries: list[_Entry], strict: bool, named_ids: NamedIds
) -> Iterator[Article | Skipped]:
    """Lazily, so a large corpus never has to be held twice in memory; files of one folder
    that share a default id are read together, when the first of them is reached."""
    twins: dict[tuple[Path, str], list[_Entry]] = {}
    for entry in entries:
        if entry.twins is not None:
            twins.setdefault(entry.twins, []).append(entry)
    for entry in entries:
        if entry.twins is None:
            items: Iterable[Article | Skipped] = _read_entry(entry, named_ids)
        elif (group := twins[entry.twins])[0] is entry:
            items = _read_twins(group, named_ids)
        else:
            continue  # read with the first of its group
        for item in items:
            if strict and isinstance(item, Skipped):
                raise UnreadableArticleError(str(item))
            yield item


def _read_twins(entries: Sequence[_Entry], named_ids: NamedIds) -> list[Article | Skipped]:
    """The articles of files that share a default id, each under an id of its own.

    Of the articles that took the shared id (a JSON list's records are named by number, a
    record's own id or url names it otherwise), the last keeps it: before files were told
    apart it replaced the others, so an index built then keeps that article under its id.
    Each other is named by a hash of its file's name in the folder, which stays the same as
    long as the file does.
    """
    shared = entries[0].default_id or ""
    read = [(entry, item) for entry in entries for item in _read_entry(entry, named_ids)]
    taking = [
        i for i, (_, item) in enumerate(read) if isinstance(item, Article) and item.id == shared
    ]
    for i in taking[:-1]:
        entry, item = read[i]
        assert isinstance(item, Article)
        read[i] = entry, replace(item, id=file_id(shared, os.fsencode(entry.name_in_folder)))
    return [item for _, item in read]


# --- finding files -----------------------------------------------------------------------


def _collect(paths: Paths) -> list[_Entry]:
    """The entries for all paths, in the order given; a file reached twice is read once."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    entries: list[_Entry] = []
    seen: set[str] = set()
    for given in paths:
        for entry in _entries_for(Path(given)):
            real = os.path.realpath(entry.path)
            if entry.problem is None and real in seen:
                continue
            seen.add(real)
            entries.append(entry)
    return entries


def _entries_for(path: Path) -> list[_Entry]:
    """One named file, or every supported file below a folder."""
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):
        raise UnreadableArticleError(f"no such file or folder: {path}") from None
    except OSError as err:
        return [_Entry(path, path_origin(path), None, f"cannot read: {_os_reason(err)}")]
    if not is_dir:
        return [_Entry(path, path_origin(path), None)]
    found = sorted(_scan(path, (), set()))
    entries = [_folder_entry(path, rel, problem) for rel, problem in found]
    ids = Counter(entry.default_id for entry in entries if entry.problem is None)
    return [
        replace(entry, twins=(path, entry.default_id))
        if entry.problem is None and entry.default_id is not None and ids[entry.default_id] > 1
        else entry
        for entry in entries
    ]


def _folder_entry(folder: Path, rel: tuple[str, ...], problem: str | None) -> _Entry:
    """Origin `folder/rel` (as given, so results do not depend on the cwd); id `rel` sans suffix."""
    path = folder.joinpath(*rel)
    default_id = Path(*rel).with_suffix("").as_posix() if rel else folder.name
    name = _printable(Path(*rel).as_posix()) if rel else ""
    return _Entry(path, path_origin(path), _printable(default_id), problem, name)


def _scan(
    folder: Path, rel: tuple[str, ...], seen: set[tuple[int, int]]
) -> Iterator[tuple[tuple[str, ...], str | None]]:
    """(relative parts, problem) of every supported file below `folder`.

    Symlinked folders are followed once each, so a link cycle cannot loop forever. A folder
    that cannot be listed is reported with its problem instead of aborting the walk.
    """
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(folder) as listing:
            children = list(listing)
    except OSError as err:
        yield rel, f"cannot list folder: {_os_reason(err)}"
        return
    for child in children:
        if child.name.startswith("."):
            continue
        if _is_dir(child):
            yield from _scan(Path(child.path), (*rel, child.name), seen)
        elif Path(child.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield (*rel, child.name), None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether to descend: symlinked folders count (cycles are caught by `_scan`)."""
    try:
        return entry.is_dir()
    except OSError:  # e.g. a symlink loop: treat as a file, whose read then reports the problem
        return False


# --- reading one file --------------------------------------------------------------------


class _Unreadable(Exception):
    """Why a file's bytes cannot become text; `_read_entry` turns it into a `Skipped`."""


def _read_entry(entry: _Entry, named_ids: NamedIds = "path") -> Iterator[Article | Skipped]:
    """The articles of one file, or one `Skipped` saying why there are none."""
    suffix = entry.path.suffix.lower()
    try:
        if entry.problem is not None:
            raise _Unreadable(entry.problem)
        if suffix not in SUPPORTED_SUFFIXES:
            raise _Unreadable(_unsupported(entry.path))
        raw = _read_bytes(entry.path)
        text = _decode(raw, suffix)
    except _Unreadable as problem:
        yield Skipped(entry.origin, str(problem))
        return
    default_id = entry.default_id
    if default_id is None:
        default_id = _named_file_id(entry.path, raw, named_ids)
    try:
        yield from _parse(text, suffix, entry.origin, default_id)
    except Exception as err:  # a bug: this file's warning, never the end of the whole batch
        log.warning("unexpected error reading %s (please report it)", entry.origin, exc_info=True)
        yield Skipped(entry.origin, f"unexpected error: {type(err).__name__}: {err}")


def _named_file_id(path: Path, raw: bytes, named_ids: NamedIds) -> str:
    """`story-1a2b3c4d`, the hash of the real path (an edited file keeps it) or of the bytes."""
    key = raw if named_ids == "content" else os.fsencode(os.path.realpath(path))
    return file_id(_printable(path.stem), key)


def _unsupported(path: Path) -> str:
    shown = f"'{path.suffix}'" if path.suffix else "without an extension"
    return f"unsupported file type {shown} (supported: {', '.join(SUPPORTED_SUFFIXES)})"


def _parse(text: str, suffix: str, origin: str, default_id: str) -> Iterator[Article | Skipped]:
    """Dispatch decoded text to the parser for its file type."""
    if suffix in _HTML_SUFFIXES:
        yield parse_html(text, origin, default_id)
    elif suffix == ".json":
        yield from parse_json(text, origin, default_id)
    elif suffix == ".jsonl":
        yield from parse_jsonl(text, origin, default_id)
    else:
        yield parse_text(text, origin, default_id, markdown=suffix != ".txt")


def _read_bytes(path: Path) -> bytes:
    """The bytes of a readable regular file of sane size."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _Unreadable("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read forever
            raise _Unreadable("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            mib = f"{info.st_size // 2**20} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB"
            raise _Unreadable(f"too large ({mib})")
        return path.read_bytes()
    except OSError as err:
        raise _Unreadable(f"cannot read: {_os_reason(err)}") from None


def _decode(raw: bytes, suffix: str) -> str:
    """The text of a UTF-8 file (a BOM is dropped) that has something in it.

    HTML that declares another charset in a `<meta>` tag is decoded with it, as a browser would.
    """
    if not raw:
        raise _Unreadable("empty file")
    nul = raw.find(b"\x00", 0, BINARY_SNIFF_BYTES)
    if nul >= 0:
        raise _Unreadable(f"binary file (NUL byte at offset {nul}), not text")
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        declared = _declared_charset(raw) if suffix in _HTML_SUFFIXES else None
        decoded = _decode_as(raw, declared) if declared else None
        if decoded is None:
            offset = err.start + bom
            reason = f"not valid UTF-8 (byte 0x{raw[offset]:02x} at offset {offset})"
            raise _Unreadable(reason) from None
        text = decoded
    if not text.strip():
        raise _Unreadable("contains only whitespace" if text else "empty file")
    return text


def _declared_charset(raw: bytes) -> str | None:
    """The `<meta charset>` of a page, which browsers honour, so a saved page reads as it looked."""
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii") if match else None


def _decode_as(raw: bytes, charset: str) -> str | None:
    """None when the declared charset is unknown or wrong: the file is then reported as not UTF-8."""
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def _os_reason(err: OSError) -> str:
    """`Permission denied` rather than `[Errno 13] Permission denied: '/long/path'`."""
    return (err.strerror or str(err)).strip()
