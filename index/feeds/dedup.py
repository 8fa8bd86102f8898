"""The keys an entry is known by, so nothing is indexed twice, whichever feed brings it.

In order of how cheaply they are known: the entry's GUID (before anything is fetched), the
canonical URL of its link (tracking parameters and fragments dropped), the canonical URL its
page declares (`<link rel=canonical>`), and a hash of its text (the same wire story on two
sites). A GUID that is a URI (`urn:…`, `https://…`) is global; a bare one (`1234`) is only
unique within its feed, so it is keyed with the feed's id.
"""

from __future__ import annotations

import hashlib

from index.feeds.urls import canonical_url


def guid_key(feed_id: int, guid: str | None) -> str | None:
    if not guid:
        return None
    return f"guid:{guid}" if ":" in guid else f"guid:{feed_id}:{guid}"


def url_key(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return f"url:{canonical_url(url)}"
    except ValueError:
        return None


def text_key(text: str) -> str:
    """The same words in the same order, whatever the whitespace and letter case."""
    normal = " ".join(text.casefold().split())
    return "text:" + hashlib.sha256(normal.encode("utf-8")).hexdigest()[:32]


def keys(*found: str | None) -> list[str]:
    return list(dict.fromkeys(k for k in found if k))


def entry_id(feed_id: int, guid: str | None, text: str) -> str:
    """The id of an article without a link: from its GUID (or text), stable across fetches."""
    key = guid_key(feed_id, guid) or text_key(text)
    return "feed-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
