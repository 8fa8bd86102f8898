"""An entry's page → the article's text and metadata, with trafilatura (as `.html` files are read).

Navigation, ads and comments are left out. What the page lacks (title, date, site name) comes
from the feed. The page's `<link rel=canonical>` (or trafilatura's reading of it) is its URL
for deduplication, so the same story linked with different tracking parameters is one article.
"""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from trafilatura.settings import Document, set_date_params

from index.articles.formats import MIN_HTML_WORDS, _html_paragraphs, clean_field, clean_title


@dataclass(frozen=True, slots=True)
class Page:
    text: str
    title: str | None
    published: str | None
    source: str | None
    canonical: str | None
    language: str | None


def extract_page(markup: str, *, url: str) -> Page | None:
    """The article of a web page; None when trafilatura finds no article text in it."""
    doc = trafilatura.bare_extraction(
        markup,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=set_date_params(extensive=False),
    )
    if not isinstance(doc, Document):
        return None
    title = clean_title(doc.title)
    text = _html_paragraphs(doc.text or "", title)
    if len(text.split()) < MIN_HTML_WORDS:
        return None
    return Page(
        text=text,
        title=title,
        published=clean_field(doc.date),
        source=clean_field(doc.sitename),
        canonical=clean_field(doc.url),
        language=clean_field(doc.language),
    )


def decode(body: bytes, content_type: str) -> str:
    """A page's bytes as text: the charset the server named, else UTF-8 (bad bytes replaced)."""
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")
