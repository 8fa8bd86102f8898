"""Turn the text of one article file (or one JSON record) into an `Article`, or say why not.

Pure: every function takes already-decoded text and the names to give the result; only
`index.articles.files` touches the file system. Bad input gives a `Skipped`, never an exception, so
one bad file cannot stop a whole build (and `index.articles.files` turns any exception that still
escapes into that file's `Skipped`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import frontmatter
import trafilatura
import yaml
from dateutil import parser as dateparser
from trafilatura.settings import Document, set_date_params

from index.articles.article import Article, derive_title, source_from_url, stable_id

TEXT_FIELDS = ("text", "body", "content")
ID_FIELDS = ("id", "_id")
PUBLISHED_FIELDS = ("published", "publish_date", "date")
MIN_HTML_WORDS = 5
"""Fewer words than this from a page is navigation debris, not an article."""

_LEADING_BLANK_LINES = re.compile(r"\A(?:[^\S\n]*\n)+")
_MD_HEADING = re.compile(r"\A#[ \t]+(?P<title>[^\n]*?)(?:[ \t]+#+)?[ \t]*(?:\n|\Z)")
_SLASHED_DATE = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_TABLE_RULE = re.compile(r"\|[-|: ]*")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)", re.I)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_YAML = frontmatter.YAMLHandler()
# Two far-apart defaults: a field dateutil fills from the default differs between the two parses.
_DEFAULTS = (datetime(2000, 1, 1, 0, 0, 0), datetime(2001, 2, 2, 1, 1, 1))


@dataclass(frozen=True)
class Skipped:
    """A file or record that could not be read, and why (one human line)."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


# --- text and fields ---------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """The article body as passages will cite it: unified line ends, outer blank lines gone.

    Only the edges change; every character between the first and last visible one is kept,
    so offsets computed later stay meaningful against the original wording.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _LEADING_BLANK_LINES.sub("", text).rstrip()


def valid_text(text: str) -> str:
    """The text with lone surrogates (JSON can escape them: `"\\ud800"`) as U+FFFD.

    They cannot be written as UTF-8, so one would otherwise fail the whole write to SQLite.
    One character for one, so offsets into the text are unchanged.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def _valid(value: str | None) -> str | None:
    return None if value is None else valid_text(value)


def clean_field(value: object) -> str | None:
    """A metadata value as a stripped string; None for missing, empty or structured values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None


def clean_title(value: object) -> str | None:
    """A title on one line: titles are shown, never cited by offset, so whitespace may collapse."""
    title = clean_field(value)
    return " ".join(title.split()) if title else None


def first_field(record: Mapping[str, object], names: tuple[str, ...]) -> object:
    """The first of `names` that the record fills (not None, not an empty string)."""
    for name in names:
        value = record.get(name)
        if value is not None and value != "":
            return value
    return None


def normalise_published(value: object) -> str | None:
    """An ISO date (or datetime) when the value parses as a full date, else the value as given."""
    raw = clean_field(value)
    if raw is None or isinstance(value, datetime | date):
        return raw
    for parse in (_slashed_date, date.fromisoformat, datetime.fromisoformat):
        try:
            return parse(raw).isoformat()
        except ValueError:
            pass
    return _parse_human_date(raw) or raw


def _slashed_date(raw: str) -> date:
    """`2022/06/17` or `2022.06.17`: common in corpora, and 40x faster than asking dateutil."""
    match = _SLASHED_DATE.fullmatch(raw)
    if match is None:
        raise ValueError(raw)
    return date(int(match[1]), int(match[3]), int(match[4]))


def _parse_human_date(raw: str) -> str | None:
    """`2022/06/17`, `June 17, 2022`, `Fri, 17 Jun 2022 10:00 EDT` via dateutil (tz dropped).

    Parsing twice with different defaults shows which parts the string really had: a string
    without a full date (`June 17`, `2022`) is not guessed at, and one without a time gives a date.
    """
    try:
        first, second = (dateparser.parse(raw, default=d, ignoretz=True) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    if first.date() != second.date():
        return None
    return first.isoformat() if first.hour == second.hour else first.date().isoformat()


def make_article(
    *,
    record_id: str | None,
    default_id: str,
    title: str | None,
    text: str,
    url: str | None,
    source: str | None,
    published: object,
    language: str | None,
    origin: str,
) -> Article:
    """An `Article` with the project's rules for ids, titles, sources and dates applied."""
    text, url, default_id = valid_text(text), _valid(url), valid_text(default_id)
    title = _valid(title)
    return Article(
        id=stable_id(_valid(record_id), url, default_id),
        title=title or derive_title(text) or default_id,
        text=text,
        url=url,
        source=_valid(source) or source_from_url(url),
        published=_valid(normalise_published(published)),
        language=_valid(language),
        origin=valid_text(origin),
    )


# --- plain text and Markdown -------------------------------------------------------------


def parse_text(text: str, origin: str, default_id: str, *, markdown: bool) -> Article | Skipped:
    """A `.txt` or `.md` file: optional YAML front matter, then the body verbatim.

    In Markdown a leading `# Heading` is the title unless the front matter names one.
    """
    text = normalise_text(text)
    meta: Mapping[str, object] = {}
    if _YAML.detect(text):
        split = _split_front_matter(text)
        if isinstance(split, str):
            return Skipped(origin, split)
        meta, text = split
    title = clean_title(meta.get("title"))
    if markdown and title is None and (heading := _MD_HEADING.match(text)):
        title = clean_title(heading["title"])
        text = normalise_text(text[heading.end() :])
    if not text:
        return Skipped(origin, "no article text after the front matter or heading")
    url = clean_field(meta.get("url"))
    return make_article(
        record_id=clean_field(meta.get("id")),
        default_id=default_id,
        title=title,
        text=text,
        url=url,
        source=clean_field(meta.get("source")),
        published=first_field(meta, PUBLISHED_FIELDS),
        language=clean_field(meta.get("language")),
        origin=origin,
    )


def _split_front_matter(text: str) -> tuple[Mapping[str, object], str] | str:
    """(fields, body) of a text that starts with `---`, or the reason its block is unusable.

    A first `---` with no closing line is a Markdown rule, not a block, and stays in the text.
    """
    try:
        block, body = _YAML.split(text)
    except ValueError:  # a lone `---` rule, not a block: the whole text is the body
        return {}, text
    try:
        fields = _YAML.load(block)
    except yaml.YAMLError as err:
        return f"invalid YAML front matter: {_yaml_problem(err)}"
    except (ValueError, OverflowError) as err:  # PyYAML building a value: `published: 2024-13-45`
        return f"invalid value in the YAML front matter: {_first_clause(err)}"
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        return f"front matter is a YAML {type(fields).__name__}, not `key: value` fields"
    return {str(key): value for key, value in fields.items()}, normalise_text(body)


def _first_clause(err: Exception) -> str:
    """The gist of a library's message, on one line (Python's long hints after `;` dropped)."""
    return " ".join(str(err).split(";", 1)[0].split())


def _yaml_problem(err: yaml.YAMLError) -> str:
    """One line from a PyYAML error, with its line in the file (the block starts on line 2)."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem:
        mark = err.problem_mark
        where = f" (line {mark.line + 2})" if mark is not None else ""
        return f"{err.problem}{where}"
    return " ".join(str(err).split())


# --- HTML --------------------------------------------------------------------------------


def parse_html(html: str, origin: str, default_id: str) -> Article | Skipped:
    """A saved web page: trafilatura finds the article, its title, date, url and site name.

    Navigation, footers and comments are left out. Each text block becomes a paragraph
    separated by a blank line, so sentences never run from one block into the next.
    """
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=set_date_params(extensive=False),
    )
    if not isinstance(doc, Document):
        return Skipped(origin, "no article text found in the HTML")
    title = clean_title(doc.title)
    text = _html_paragraphs(doc.text or "", title)
    if len(text.split()) < MIN_HTML_WORDS:
        return Skipped(origin, "no article text found in the HTML")
    url = clean_field(doc.url)
    return make_article(
        record_id=None,
        default_id=default_id,
        title=title,
        text=text,
        url=url,
        source=clean_field(doc.sitename) or source_from_url(url) or clean_field(doc.hostname),
        published=doc.date,
        language=clean_field(doc.language) or _html_language(html),
        origin=origin,
    )


def _html_paragraphs(extracted: str, title: str | None) -> str:
    """trafilatura's one-block-per-line text as blank-line-separated paragraphs.

    A first block repeating the title (the page's `<h1>`) and Markdown table rules are dropped.
    """
    blocks = [line.strip() for line in extracted.split("\n")]
    blocks = [b for b in blocks if b and not _TABLE_RULE.fullmatch(b)]
    if blocks and title and " ".join(blocks[0].split()).casefold() == title.casefold():
        blocks = blocks[1:]
    return "\n\n".join(blocks)


def _html_language(html: str) -> str | None:
    """The `<html lang=…>` attribute, which trafilatura does not report."""
    match = _HTML_LANG.search(html[:4096])
    return match.group(1) if match else None


# --- JSON and JSON Lines -----------------------------------------------------------------


def parse_json(text: str, origin: str, default_id: str) -> Iterator[Article | Skipped]:
    """A `.json` file: one record, or a list of records (`origin:N` names the N-th)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        yield Skipped(origin, f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})")
        return
    except RecursionError:
        yield Skipped(origin, "invalid JSON: nested too deeply")
        return
    except ValueError as err:  # not a syntax error: e.g. a number of more than 4,300 digits
        yield Skipped(origin, f"invalid JSON: {_first_clause(err)}")
        return
    if isinstance(data, dict):
        yield parse_record(data, origin, default_id)
    elif isinstance(data, list) and data:
        for number, record in enumerate(data, start=1):
            yield parse_record(record, f"{origin}:{number}", f"{default_id}:{number}")
    elif isinstance(data, list):
        yield Skipped(origin, "the JSON list has no records")
    else:
        yield Skipped(origin, f"JSON must be an object or a list of objects, not {_kind(data)}")


def parse_jsonl(text: str, origin: str, default_id: str) -> Iterator[Article | Skipped]:
    """A `.jsonl` file: one record per line; a bad line is skipped and the others still load."""
    # Split on "\n" only: JSON strings may hold U+2028 and friends, which splitlines() breaks on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Skipped(where, f"invalid JSON: {err.msg} (column {err.colno})")
            continue
        except RecursionError:
            yield Skipped(where, "invalid JSON: nested too deeply")
            continue
        except ValueError as err:  # not a syntax error: e.g. a number of more than 4,300 digits
            yield Skipped(where, f"invalid JSON: {_first_clause(err)}")
            continue
        yield parse_record(record, where, f"{default_id}:{number}")


def parse_record(record: object, origin: str, default_id: str) -> Article | Skipped:
    """One JSON record: `id`/`_id`, `title`, `text`/`body`/`content`, `url`, dates, `source`."""
    if not isinstance(record, dict):
        return Skipped(origin, f"record is {_kind(record)}, not a JSON object")
    raw_text = first_field(record, TEXT_FIELDS)
    if raw_text is not None and not isinstance(raw_text, str):
        return Skipped(origin, f"record text is {_kind(raw_text)}, not a string")
    text = normalise_text(raw_text or "")
    if not text:
        return Skipped(origin, "record has no text")
    return make_article(
        record_id=clean_field(first_field(record, ID_FIELDS)),
        default_id=default_id,
        title=clean_title(record.get("title")),
        text=text,
        url=clean_field(record.get("url")),
        source=clean_field(record.get("source")),
        published=first_field(record, PUBLISHED_FIELDS),
        language=clean_field(record.get("language")),
        origin=origin,
    )


def _kind(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
