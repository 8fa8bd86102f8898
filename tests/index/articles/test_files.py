"""Reading articles from files and folders: every format, ids, titles, dates and bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

import pytest

from index.articles import files as ingest
from index.articles.article import Article, derive_title, file_id, source_from_url, stable_id
from index.articles.files import SUPPORTED_SUFFIXES, Skipped, find_article_files, read_articles
from index.articles.formats import normalise_published
from index.errors import UnreadableArticleError

EVAL_DIR = (Path(__file__).resolve().parents[3] / "../shared/eval").resolve()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def write(path: Path, content: str | bytes) -> Path:
    """Write exactly these characters or bytes (no newline translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def read_all(*paths: Path | str, strict: bool = False) -> list[Article | Skipped]:
    return list(read_articles(list(paths), strict=strict))


def named_id(path: Path) -> str:
    """The default id of a file named on its own: its stem and a hash of its real path."""
    return file_id(path.stem, os.fsencode(os.path.realpath(path)))


def only_article(path: Path) -> Article:
    items = read_all(path)
    assert len(items) == 1, items
    assert isinstance(items[0], Article), items[0]
    return items[0]


def only_skipped(path: Path) -> Skipped:
    items = read_all(path)
    assert len(items) == 1, items
    assert isinstance(items[0], Skipped), items[0]
    return items[0]


def articles(items: list[Article | Skipped]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def skipped(items: list[Article | Skipped]) -> list[Skipped]:
    return [item for item in items if isinstance(item, Skipped)]


# --- plain text and Markdown -------------------------------------------------------------

BODY = (
    "The council voted 7 to 2 on Thursday.  Two spaces stay.\n"
    "A second line of the same paragraph.\n"
    "\n"
    "\n"
    "  An indented paragraph after two blank lines, with <b>markup</b> & symbols.\t\n"
    "Last line."
)


def test_txt_without_front_matter_keeps_the_body_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path / "000_73da1f60caab5eee.txt", "\n \n" + BODY + "\n\n  \n")

    article = only_article(path)

    assert article.text == BODY
    assert article.title == "The council voted 7 to 2 on Thursday"
    assert article.title == derive_title(BODY)
    assert article.id == named_id(path)
    assert article.origin == path.as_posix()
    assert only_article(tmp_path).id == "000_73da1f60caab5eee"  # in a folder given, as the seed
    assert (article.url, article.source, article.published, article.language) == (None,) * 4


def test_only_blank_lines_are_stripped_from_the_start(tmp_path: Path) -> None:
    path = write(tmp_path / "poem.txt", " \t\n\n    Indented first line.\n  Second.  \n\n")

    assert only_article(path).text == "    Indented first line.\n  Second."


def test_txt_line_endings_and_bom_are_normalised(tmp_path: Path) -> None:
    raw = "\ufeffFirst line.\r\nSecond line.\r\rThird.\r\n"
    path = write(tmp_path / "crlf.txt", raw.encode("utf-8"))

    assert only_article(path).text == "First line.\nSecond line.\n\nThird."


def test_txt_with_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path / "story.txt",
        "---\n"
        "title: '  Council approves\n  new bike lanes '\n"
        "url: https://www.dailyexample.com/news/bike-lanes\n"
        "source: The Daily Example\n"
        "published: 2022-06-17\n"
        "language: en\n"
        "id: bike-lanes-2022\n"
        "tags: [city, transport]\n"
        "---\n"
        "\n" + BODY + "\n",
    )

    article = only_article(path)

    assert article.text == BODY
    assert article.title == "Council approves new bike lanes"
    assert article.id == "bike-lanes-2022"
    assert article.url == "https://www.dailyexample.com/news/bike-lanes"
    assert article.source == "The Daily Example"
    assert article.published == "2022-06-17"
    assert article.language == "en"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("date", "2022-06-17 09:30:00", "2022-06-17T09:30:00"),
        ("publish_date", "'June 17, 2022'", "2022-06-17"),
        ("published", "'sometime in June'", "sometime in June"),
    ],
)
def test_front_matter_date_aliases(tmp_path: Path, field: str, value: str, expected: str) -> None:
    path = write(tmp_path / "a.md", f"---\n{field}: {value}\n---\nBody text here.\n")

    assert only_article(path).published == expected


def test_front_matter_url_gives_id_and_source(tmp_path: Path) -> None:
    url = "https://www.bbc.co.uk/news/world-1"
    path = write(tmp_path / "a.txt", f"---\nurl: {url}\n---\nBody text here.\n")

    article = only_article(path)

    assert article.id == stable_id(None, url, "a") != "a"
    assert article.source == "bbc.co.uk" == source_from_url(url)


def test_empty_front_matter_block(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\n---\n# Heading\n\nBody.\n")

    article = only_article(path)

    assert (article.title, article.text) == ("Heading", "Body.")


def test_md_heading_becomes_the_title(tmp_path: Path) -> None:
    path = write(tmp_path / "note.md", "\n# Storm closes schools #\n\n" + BODY + "\n")

    article = only_article(path)

    assert article.title == "Storm closes schools"
    assert article.text == BODY


def test_md_heading_stays_when_front_matter_has_a_title(tmp_path: Path) -> None:
    path = write(tmp_path / "note.markdown", "---\ntitle: Given\n---\n# Heading\n\nBody.\n")

    article = only_article(path)

    assert article.title == "Given"
    assert article.text == "# Heading\n\nBody."


def test_heading_is_not_special_in_txt(tmp_path: Path) -> None:
    path = write(tmp_path / "note.txt", "# Not a heading in text\n\nBody.\n")

    assert only_article(path).text == "# Not a heading in text\n\nBody."


def test_md_with_only_a_heading_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.md", "# Just a title\n\n")

    assert "no article text" in only_skipped(path).reason


def test_leading_rule_without_closing_line_is_text(tmp_path: Path) -> None:
    path = write(tmp_path / "rule.md", "---\nA paragraph after a rule.\n")

    assert only_article(path).text == "---\nA paragraph after a rule."


def test_bad_yaml_front_matter_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.md", "---\ntitle: [unclosed\n---\nBody.\n")

    found = only_skipped(path)

    assert found.origin == path.as_posix()
    assert found.reason.startswith("invalid YAML front matter:")
    assert "\n" not in found.reason


def test_front_matter_that_is_not_fields_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "list.md", "---\n- one\n- two\n---\nBody.\n")

    assert "not `key: value` fields" in only_skipped(path).reason


def test_html_inside_text_is_kept(tmp_path: Path) -> None:
    text = "<p>Tags & <script>alert(1)</script> stay as text.</p>"
    path = write(tmp_path / "a.txt", text)

    assert only_article(path).text == text


# --- HTML --------------------------------------------------------------------------------

PARAGRAPHS = [
    "The city council voted 7 to 2 on Thursday to build twelve kilometres of protected bike "
    "lanes along Main Street and the river path, ending a debate that had lasted two years.",
    "Construction will start in September and is expected to cost 4.2 million euros, most of "
    "it paid by a regional mobility grant. The mayor said the first section would open soon.",
    "Shop owners on Main Street had opposed the plan because it removes forty parking spaces, "
    "but the council added a delivery zone at each crossing after a public consultation.",
]
PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Council approves new bike lanes | The Daily Example</title>
<meta property="og:title" content="Council approves new bike lanes">
<meta property="og:site_name" content="The Daily Example">
<link rel="canonical" href="https://www.dailyexample.com/news/2022/06/17/bike-lanes">
<meta property="article:published_time" content="2022-06-17T09:30:00Z">
</head>
<body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<header><nav><ul>
<li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe now</a></li>
</ul></nav></header>
<main><article>
<h1>Council approves new bike lanes</h1>
<p class="byline">By Jane Doe</p>
<p>{PARAGRAPHS[0]}</p>
<p>{PARAGRAPHS[1]}</p>
<p>{PARAGRAPHS[2]}</p>
</article></main>
<aside><h3>Most read</h3><ul>
<li><a href="/a">Cat rescued from tree</a></li><li><a href="/b">Local team wins cup</a></li>
</ul></aside>
<footer><p>© 2022 The Daily Example. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/cookies">Cookie settings</a></p></footer>
</body></html>
"""


def test_html_article_without_boilerplate(tmp_path: Path) -> None:
    path = write(tmp_path / "site" / "bike-lanes.html", PAGE)

    article = only_article(path)

    assert article.text == "\n\n".join(PARAGRAPHS)
    for boilerplate in ("cookies", "Subscribe now", "Most read", "Cat rescued", "rights reserved"):
        assert boilerplate not in article.text
    assert article.title == "Council approves new bike lanes"
    assert article.url == "https://www.dailyexample.com/news/2022/06/17/bike-lanes"
    assert article.id == stable_id(None, article.url, "bike-lanes")
    assert article.source == "The Daily Example"
    assert article.published == "2022-06-17"
    assert article.language == "en-GB"


def test_html_date_is_not_guessed_from_a_copyright_line(tmp_path: Path) -> None:
    page = PAGE.replace(
        '<meta property="article:published_time" content="2022-06-17T09:30:00Z">', ""
    )
    page = page.replace("/2022/06/17/", "/").replace("© 2022", "© 2021")
    path = write(tmp_path / "undated.html", page)

    assert only_article(path).published is None


def test_html_with_a_declared_legacy_charset(tmp_path: Path) -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("Jane", "José")
    page = page.replace(PARAGRAPHS[0], PARAGRAPHS[0].replace("council", "conseil élu"))
    path = write(tmp_path / "latin.htm", page.encode("latin-1", "replace"))

    assert "conseil élu" in only_article(path).text


def test_html_table_rows_become_paragraphs(tmp_path: Path) -> None:
    table = (
        "<p>Rainfall by day, as measured by the regional weather service this week.</p>"
        "<table><tr><th>Day</th><th>Rain</th></tr><tr><td>Monday</td><td>80 mm</td></tr></table>"
    )
    path = write(tmp_path / "rain.html", PAGE.replace(f"<p>{PARAGRAPHS[2]}</p>", table))

    text = only_article(path).text

    assert "---" not in text
    assert text.endswith("this week.\n\n| Day | Rain |\n\n| Monday | 80 mm |")


def test_html_without_article_text_is_skipped(tmp_path: Path) -> None:
    page = "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"
    path = write(tmp_path / "nav.html", page)

    assert only_skipped(path).reason == "no article text found in the HTML"


# --- JSON and JSON Lines -----------------------------------------------------------------


def test_json_object(tmp_path: Path) -> None:
    record = {
        "id": 42,
        "title": "Storm",
        "body": "Rain.\r\nMore rain.",
        "url": "https://news.example.org/storm",
        "date": "2022/06/17",
        "language": "en",
    }
    path = write(tmp_path / "storm.json", json.dumps(record))

    article = only_article(path)

    assert (article.id, article.title, article.text) == ("42", "Storm", "Rain.\nMore rain.")
    assert article.source == "news.example.org"
    assert article.published == "2022-06-17"
    assert article.language == "en"
    assert article.origin == path.as_posix()


def test_json_list_ids_and_origins(tmp_path: Path) -> None:
    records = [
        {"_id": "4983", "title": " With\n  _id ", "text": "One."},
        {"title": "With url", "content": "Two.", "url": "https://a.example/x"},
        {"text": "Three has no title. It is derived."},
        {"title": "No text"},
        "not an object",
    ]
    path = write(tmp_path / "batch.json", json.dumps(records))

    items = read_all(path)

    found = articles(items)
    by_url = stable_id(None, "https://a.example/x", "")
    assert [a.id for a in found] == ["4983", by_url, f"{named_id(path)}:3"]
    assert [a.origin for a in found] == [f"{path.as_posix()}:{n}" for n in (1, 2, 3)]
    assert [found[0].title, found[2].title] == ["With _id", "Three has no title"]
    assert [str(s) for s in skipped(items)] == [
        f"{path.as_posix()}:4: record has no text",
        f"{path.as_posix()}:5: record is a string, not a JSON object",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"title": "x", ', "invalid JSON: Expecting property name enclosed in double quotes"),
        ("[]", "the JSON list has no records"),
        ("3", "JSON must be an object or a list of objects, not a number"),
        ('{"title": "x", "text": ["a", "b"]}', "record text is a list, not a string"),
    ],
)
def test_bad_json_files(tmp_path: Path, content: str, reason: str) -> None:
    assert only_skipped(write(tmp_path / "bad.json", content)).reason.startswith(reason)


def test_jsonl_with_a_bad_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "title": "First", "text": "Alpha text."}),
        "",
        "{not json",
        json.dumps({"title": "No id or url", "text": "Gamma\u2028text with a line separator."}),
        json.dumps({"id": "d4", "text": "   "}),
        "   ",
        json.dumps({"url": "https://www.example.com/e", "text": "Epsilon."}),
    ]
    path = write(tmp_path / "sub" / "feed.jsonl", "\n".join(lines) + "\n")

    items = read_all(tmp_path)

    found = articles(items)
    assert [a.id for a in found] == [
        "a1",
        "sub/feed:4",
        stable_id(None, "https://www.example.com/e", ""),
    ]
    assert found[1].text == "Gamma\u2028text with a line separator."
    assert [a.origin for a in found] == [f"{path.as_posix()}:{n}" for n in (1, 4, 7)]
    assert found[2].source == "example.com"
    bad = skipped(items)
    assert [s.origin for s in bad] == [f"{path.as_posix()}:3", f"{path.as_posix()}:5"]
    assert bad[0].reason.startswith("invalid JSON: Expecting property name")
    assert str(bad[1]) == f"{path.as_posix()}:5: record has no text"


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-06-17", "2022-06-17"),
        ("2022-06-17T09:30:00Z", "2022-06-17T09:30:00+00:00"),
        ("2022/06/17", "2022-06-17"),
        ("2022.6.7", "2022-06-07"),
        ("June 17, 2022", "2022-06-17"),
        ("Fri, 17 Jun 2022 10:00:00 EDT", "2022-06-17T10:00:00"),
        (dt.date(2022, 6, 17), "2022-06-17"),
        (dt.datetime(2022, 6, 17, 8, 5), "2022-06-17T08:05:00"),
        ("June 17", "June 17"),  # no year: not guessed
        ("2022", "2022"),
        ("2022/13/40", "2022/13/40"),
        ("last week", "last week"),
        ("", None),
        (None, None),
    ],
)
def test_published_is_normalised_when_it_parses(value: object, expected: str | None) -> None:
    assert normalise_published(value) == expected


def test_published_from_a_record(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", json.dumps({"text": "x", "publish_date": "June 17, 2022"}))

    assert only_article(path).published == "2022-06-17"


# --- ids and titles ----------------------------------------------------------------------


def test_ids_from_walked_paths_do_not_depend_on_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "seeds" / "000_x.txt", "Top.")
    write(tmp_path / "seeds" / "sub" / "name.md", "Nested.")
    monkeypatch.chdir(tmp_path)

    relative = articles(read_all("seeds"))
    absolute = articles(read_all(tmp_path / "seeds"))

    assert [a.id for a in relative] == ["000_x", "sub/name"] == [a.id for a in absolute]
    assert [a.origin for a in relative] == ["seeds/000_x.txt", "seeds/sub/name.md"]
    assert absolute[1].origin == (tmp_path / "seeds/sub/name.md").as_posix()


def test_files_named_on_their_own_never_share_an_id(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "story.txt", "Lava reached the town on Saturday.")
    second = write(tmp_path / "b" / "story.txt", "The council approved new bike lanes.")

    ids = [a.id for a in articles(read_all(first, second))]

    assert ids == [named_id(first), named_id(second)] and ids[0] != ids[1]
    assert all(i.startswith("story-") for i in ids)
    write(first, "Lava reached the town on Saturday night.")  # edited in place: the same article
    assert only_article(first).id == ids[0]
    assert [a.id for a in articles(read_all(tmp_path))] == ["a/story", "b/story"]  # walked


def test_files_of_one_stem_in_a_folder_never_share_an_id(tmp_path: Path) -> None:
    """`story.md` and `story.txt` would both be `sub/story`: the last keeps it, as it did when
    the others were dropped as duplicates (an index built then keeps its article), and each
    other takes a hash of its name in the folder. Ids nothing else claims stay as they were."""
    folder = tmp_path / "news"
    write(folder / "sub" / "story.md", "# Iceland volcano\n\nLava flowed towards Grindavik.\n")
    write(folder / "sub" / "story.txt", "European leaders met in Paris on Monday.")
    write(folder / "sub" / "story.json", json.dumps([{"text": "A record."}, {"text": "Another."}]))
    write(folder / "other.md", "The council approved new bike lanes.")

    found = {a.id: Path(a.origin).name for a in articles(read_all(folder))}

    assert found == {
        "other": "other.md",
        "sub/story": "story.txt",
        file_id("sub/story", b"sub/story.md"): "story.md",
        "sub/story:1": "story.json:1",  # records are named by number: not a second `sub/story`
        "sub/story:2": "story.json:2",
    }
    assert [a.id for a in articles(read_all(folder / "sub" / "story.md"))] == [
        named_id(folder / "sub" / "story.md")
    ], "a file named on its own is named as before"


def test_inbox_files_are_named_by_their_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "inbox" / "story.txt", "Lava reached the town on Saturday.")

    def content_id() -> str:
        (article,) = articles(list(read_articles([path], named_ids="content")))
        return article.id

    first = content_id()
    assert first == file_id("story", path.read_bytes()) and content_id() == first
    write(path, "The council approved new bike lanes.")  # a new file dropped under the same name
    assert content_id() not in (first, named_id(path))


def test_a_missing_title_is_derived(tmp_path: Path) -> None:
    text = "“Squid Game” is officially coming back. Netflix announced it on Sunday."
    path = write(tmp_path / "a.jsonl", json.dumps({"id": "s", "title": " ", "text": text}))

    title = only_article(path).title

    assert title == derive_title(text)
    assert "Squid Game" in title and "Netflix" not in title


# --- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("bom-only.md", b"\xef\xbb\xbf", "empty file"),
        ("blank.txt", b" \n\t\r\n  ", "contains only whitespace"),
        ("blank.jsonl", b"\n\n", "contains only whitespace"),
        ("image.txt", b"GIF89a\x01\x00\x00\x00", "binary file (NUL byte at offset 7), not text"),
        (
            "latin.txt",
            "Caf\u00e9 au lait".encode("latin-1"),
            "not valid UTF-8 (byte 0xe9 at offset 3)",
        ),
        ("bom.md", b"\xef\xbb\xbfCaf\xe9", "not valid UTF-8 (byte 0xe9 at offset 6)"),
        ("latin.html", b"<p>Caf\xe9</p>", "not valid UTF-8 (byte 0xe9 at offset 6)"),
        ("report.pdf", b"%PDF-1.7", "unsupported file type '.pdf' (supported: .txt, .md,"),
        ("README", b"text", "unsupported file type without an extension"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = write(tmp_path / name, content)

    found = only_skipped(path)

    assert found.origin == path.as_posix()
    assert found.reason.startswith(reason)


def test_bad_files_do_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path / "a_good.txt", "Good one.")
    write(tmp_path / "b_empty.txt", "")
    write(tmp_path / "c_binary.md", b"\x00\x01")
    write(tmp_path / "d_good.md", "Good two.")

    items = read_all(tmp_path)

    assert [type(i).__name__ for i in items] == ["Article", "Skipped", "Skipped", "Article"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        # PyYAML raises ValueError, not YAMLError, for values it cannot build.
        ("date.md", "---\npublished: 2024-13-45\n---\nBody.", "invalid value in the YAML front "
         "matter: month must be in 1..12"),
        ("time.md", "---\ndate: 2024-02-30 10:00:00\n---\nBody.", "invalid value in the YAML "
         "front matter: day is out of range for month"),
        ("float.txt", "---\nscore: !!float abc\n---\nBody.", "invalid value in the YAML front "
         "matter: could not convert string to float: 'abc'"),
        ("huge.json", '{"text": "Body.", "n": ' + "9" * 5000 + "}", "invalid JSON: Exceeds the "
         "limit (4300 digits) for integer string conversion: value has 5000 digits"),
    ],
)  # fmt: skip
def test_values_a_library_cannot_build_skip_the_file(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    assert only_skipped(write(tmp_path / name, content)).reason == reason


def test_a_jsonl_line_with_a_huge_number_is_skipped_alone(tmp_path: Path) -> None:
    path = write(
        tmp_path / "feed.jsonl", '{"text": "One."}\n{"text": "Two.", "n": ' + "9" * 5000 + "}\n"
    )

    items = read_all(path)

    assert [a.text for a in articles(items)] == ["One."]
    assert [s.origin for s in skipped(items)] == [f"{path.as_posix()}:2"]


def test_a_broken_url_is_no_site_name(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\nurl: http://[broken/story\n---\nBody text.\n")

    article = only_article(path)

    assert article.url == "http://[broken/story" and article.source is None


def test_lone_surrogates_from_json_escapes_become_replacement_characters(tmp_path: Path) -> None:
    record = '{"id": "x\\ud800", "title": "T\\udfff", "text": "Caf\\ud83d is \\ud83d\\ude00 open."}'
    article = only_article(write(tmp_path / "a.json", record))

    assert (article.id, article.title) == ("x\ufffd", "T\ufffd")
    assert article.text == "Caf\ufffd is \U0001f600 open."  # a valid pair stays one emoji
    for value in (article.id, article.title, article.text, article.origin):
        value.encode("utf-8")


def test_a_file_name_that_is_not_utf8_is_read_with_an_escaped_origin(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "corpus")
    os.mkdir(folder)
    with open(folder + b"/bad\xffname.txt", "wb") as handle:
        handle.write(b"Lava reached the town on Saturday.")
    named = Path(os.fsdecode(folder + b"/bad\xffname.txt"))

    walked = only_article(tmp_path / "corpus")
    direct = only_article(named)

    assert walked.id == "bad\\xffname"
    assert walked.origin == (tmp_path / "corpus").as_posix() + "/bad\\xffname.txt"
    assert direct.origin == walked.origin == ingest.path_origin(named)
    for value in (walked.id, walked.title, walked.origin, direct.id):
        value.encode("utf-8")


@pytest.mark.skipif(IS_ROOT, reason="root reads a chmod 000 file anyway; see the symlink test")
def test_permission_denied_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", "Hidden text.")
    path.chmod(0)
    try:
        assert only_skipped(path).reason == "cannot read: Permission denied"
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(IS_ROOT, reason="root lists a chmod 000 folder anyway")
def test_unlistable_folder_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "Fine.")
    locked = tmp_path / "locked"
    write(locked / "inside.txt", "Unreachable.")
    locked.chmod(0)
    try:
        items = read_all(tmp_path)
    finally:
        locked.chmod(0o755)

    assert [str(s) for s in skipped(items)] == [
        f"{locked.as_posix()}: cannot list folder: Permission denied"
    ]
    assert len(articles(items)) == 1


def test_unreadable_file_in_a_folder_is_skipped(tmp_path: Path) -> None:
    """A dangling symlink cannot be read whoever runs the test (unlike chmod 000 under root)."""
    write(tmp_path / "a.txt", "Fine.")
    (tmp_path / "b.txt").symlink_to(tmp_path / "gone.txt")

    items = read_all(tmp_path)

    assert len(articles(items)) == 1
    assert [str(s) for s in skipped(items)] == [
        f"{(tmp_path / 'b.txt').as_posix()}: cannot read: No such file or directory"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_named_pipe_is_skipped_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    # Should the reader ever open the pipe, a writer arrives after 5 s so the test fails, not hangs.
    watchdog = threading.Timer(5, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    watchdog.start()
    try:
        assert only_skipped(fifo).reason == "not a regular file"
    finally:
        watchdog.cancel()


def test_a_folder_where_a_file_was_expected_is_skipped(tmp_path: Path) -> None:
    """A file replaced by a folder between the walk and the read (the walk itself descends)."""
    folder = tmp_path / "story.txt"
    folder.mkdir()
    entry = ingest._Entry(folder, "story.txt", "story")

    assert list(ingest._read_entry(entry)) == [Skipped("story.txt", "is a folder, not a file")]


# --- strict mode and missing paths -------------------------------------------------------


def test_strict_raises_on_the_first_problem(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Fine.")
    bad = write(tmp_path / "b.txt", b"\xff\xfe")
    write(tmp_path / "c.txt", "Never reached.")
    found: list[Article | Skipped] = []

    with pytest.raises(UnreadableArticleError) as raised:
        for item in read_articles([tmp_path], strict=True):
            found.append(item)

    assert [a.text for a in articles(found)] == ["Fine."]
    assert str(raised.value) == f"{bad.as_posix()}: not valid UTF-8 (byte 0xff at offset 0)"


def test_strict_raises_on_a_bad_record(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"text": "ok"}\n{"title": "none"}\n')

    with pytest.raises(UnreadableArticleError, match=r"a\.jsonl:2: record has no text"):
        list(read_articles([path], strict=True))
    assert len(read_all(path, strict=False)) == 2


def test_a_missing_path_raises_before_anything_is_read(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Fine.")
    missing = tmp_path / "nope"

    with pytest.raises(UnreadableArticleError, match=r"^no such file or folder: .*nope$"):
        read_articles([tmp_path, missing])
    with pytest.raises(UnreadableArticleError, match="no such file or folder"):
        find_article_files([missing])


# --- folder walking ----------------------------------------------------------------------


def test_folders_are_walked_sorted_skipping_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in [
        "b.md",
        "a.txt",
        "sub/z.json",
        "sub/deeper/y.jsonl",
        "sub/x.HTML",
        "notes.txt/inside.markdown",  # a folder named like a file is still a folder
        ".hidden.txt",
        ".git/config.txt",
        "sub/.cache/c.txt",
        "image.png",
        "sub/data.csv",
    ]:
        write(tmp_path / name, "Text.")

    found = find_article_files([tmp_path])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.txt",
        "b.md",
        "notes.txt/inside.markdown",
        "sub/deeper/y.jsonl",
        "sub/x.HTML",
        "sub/z.json",
    ]


def test_named_files_are_taken_whatever_their_type(tmp_path: Path) -> None:
    hidden = write(tmp_path / ".hidden.txt", "Named, so read.")
    png = write(tmp_path / "image.png", b"\x89PNG")

    assert find_article_files([hidden, str(png)]) == [hidden, png]
    assert isinstance(read_all(hidden)[0], Article)


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Once.")

    assert len(read_all(tmp_path, path, tmp_path)) == 1


def test_a_single_path_is_not_iterated_character_by_character(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Fine.")

    assert find_article_files(str(path)) == [path]
    assert [a.text for a in articles(list(read_articles(path)))] == ["Fine."]


def test_symlinked_folders_are_followed(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "x.txt", "Linked.")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    assert [a.id for a in articles(read_all(tmp_path / "corpus"))] == ["linked/x"]


def test_symlink_cycles_do_not_loop(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.txt", "Fine.")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)

    assert [p.name for p in find_article_files([tmp_path])] == ["x.txt"]
    assert [type(item).__name__ for item in read_all(tmp_path)] == ["Article"]


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")


# --- the real evaluation corpora ---------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "count", "first_id"),
    [
        ("realtimeqa-news/articles.jsonl", 3636, "rtqa-fdc0d4949c12"),
        ("scifact/corpus.jsonl", 5183, "4983"),
        ("xquad-en/passages.jsonl", 240, "xq-a000-p00"),
    ],
)
def test_real_corpora_load_as_they_are(relative: str, count: int, first_id: str) -> None:
    path = EVAL_DIR / relative
    if not path.is_file():
        pytest.skip(f"{path} is not here: the shared evaluation data is not checked out")

    items = read_all(path)

    assert skipped(items) == []
    assert len(items) == count
    assert items[0].id == first_id
    assert len({a.id for a in articles(items)}) == count
    assert all(a.title and a.text for a in articles(items))


def test_real_news_corpus_fields() -> None:
    path = EVAL_DIR / "realtimeqa-news/articles.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is not here: the shared evaluation data is not checked out")

    first = articles(read_all(path))[0]

    assert first.title == "'Squid Game': Netflix green lights season 2 - CNN"
    assert first.url == "https://www.cnn.com/2022/06/12/media/squid-game-season-2/index.html"
    assert first.source == "cnn.com"
    assert first.published == "2022-06-12"
    assert first.text.startswith("New York CNN —\n\n“Squid Game” is officially coming back.")
    assert first.origin == f"{path.as_posix()}:1"
