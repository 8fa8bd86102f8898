"""Feeds and article pages as publishers serve them: RSS 2.0, Atom, RDF, and pages whose story
sits among navigation, ads and comments."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

STORIES = {
    "drones": (
        "Estonia reports Russian drones over its eastern border",
        [
            "Estonia's border guard said on Tuesday that Russian military drones crossed into "
            "Estonian airspace near Narva three times this week.",
            "The Estonian defence minister called the flights a deliberate provocation and said "
            "Russia was testing how the Baltic states respond to incursions.",
        ],
    ),
    "harvest": (
        "Kenyan farmers expect a record tea harvest after long rains",
        [
            "Tea growers in Kericho said the long rains had arrived on time for the first year "
            "since 2019, and estates expect a record harvest of green leaf.",
            "Exporters in Mombasa warned that auction prices could fall if the crop floods a "
            "market already weakened by lower demand from Pakistan and Egypt.",
        ],
    ),
    "bridge": (
        "Lisbon opens a cycling bridge across the Tagus estuary",
        [
            "Lisbon's mayor opened a two-kilometre cycling and walking bridge across the Tagus "
            "estuary on Sunday, linking the city to the southern bank.",
            "Planners expect twelve thousand daily crossings by bicycle within a year, taking "
            "cars off the congested April 25th Bridge.",
        ],
    ),
}
OLD_STORIES = {
    "patrols": (
        "Baltic navies step up patrols after Russian drone incursions",
        [
            "Estonia, Latvia and Lithuania said their navies would patrol the Gulf of Finland "
            "together after Russian military drones crossed into Estonian airspace near Narva.",
            "The Baltic defence ministers called the incursions a provocation and asked Nato "
            "allies for more air-defence systems in the region.",
        ],
    ),
}
"""Stories a feed still lists from long ago: its backlog (kept apart, so loops over STORIES
do not meet them)."""
EVENT_STORIES = {
    "antwerp-bbc": (
        "Antwerp dock workers strike over pay, halting Europe's second-biggest port",
        [
            "About 4,000 dock workers at the port of Antwerp walked off the job on Monday after "
            "the ABVV union rejected a 3 percent pay offer from the port employers' federation "
            "Cepa, leaving container ships queuing in the Scheldt.",
            "ABVV leader Marc Peeters said the strike at Antwerp would last until Cepa returned "
            "to talks with an offer that matched inflation.",
        ],
    ),
    "antwerp-reuters": (
        "Strike by 4,000 Antwerp dockers over 3% pay offer idles Belgian port",
        [
            "Some 4,000 dockers at Antwerp, Europe's second-largest port, stopped work on Monday "
            "after their union ABVV turned down a 3% wage offer from employers' group Cepa; "
            "container vessels were left waiting in the Scheldt estuary.",
            "Union chief Marc Peeters told reporters the Antwerp walkout would go on until Cepa "
            "came back to the table with a pay rise in line with inflation.",
        ],
    ),
    "rotterdam-ap": (
        "Rotterdam crane operators stage a safety strike after an accident at the Maasvlakte",
        [
            "Crane operators at Rotterdam's Maasvlakte terminals stopped work for 24 hours on "
            "Monday after a colleague was injured by a falling container, the FNV Havens union "
            "said, demanding an inspection of every crane on the quay.",
            "Terminal operator ECT said 12 ships were delayed and that the Dutch labour "
            "inspectorate had opened an investigation into the accident.",
        ],
    ),
}
"""One event reported by two outlets, and a near miss: the same topic (a strike at a European
port) on the same day, another event (kept apart, as OLD_STORIES)."""
PUB_DATE = "Tue, 05 Mar 2024 10:00:00 GMT"
"""Every RSS item's pubDate unless `rss(..., dates=...)` gives it another."""
BOILERPLATE = "Subscribe now for unlimited access to premium journalism and exclusive offers"
COMMENT = "First! This comment section is the best part of the website honestly"


def article_page(key: str, *, canonical: str | None = None) -> str:
    """A news page: the story in <article>, nav, an ad, a footer and comments around it."""
    title, paragraphs = _story(key)
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | Daily Wire</title>{link}
<meta property="og:site_name" content="Daily Wire"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<div class="ad banner">{BOILERPLATE}</div>
<main><article><h1>{escape(title)}</h1>{body}</article></main>
<section id="comments" class="comments"><h3>Comments</h3><div class="comment"><p>{COMMENT}</p>
</div></section>
<footer><p>Copyright Daily Wire. All rights reserved. Privacy policy. Cookie settings.</p></footer>
</body></html>"""


def rss(
    items: list[tuple[str, str, str]],
    *,
    full: dict[str, str] | None = None,
    dates: Mapping[str, str] | None = None,
) -> str:
    """RSS 2.0; items are (guid, link, story key); `full` gives content:encoded by key, `dates`
    an item's pubDate (RFC 822) by guid, else PUB_DATE."""
    out = []
    for guid, link, key in items:
        title = _story(key)[0]
        pub_date = (dates or {}).get(guid, PUB_DATE)
        encoded = ""
        if full and key in full:
            encoded = f"<content:encoded><![CDATA[{full[key]}]]></content:encoded>"
        out.append(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(guid)}</guid>'
            f"<pubDate>{pub_date}</pubDate>"
            f"<description>{escape(title)}: a short teaser.</description>{encoded}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Wire RSS</title><link>http://example.com/</link><description>News</description>"
        + "".join(out)
        + "</channel></rss>"
    )


def atom(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<entry><id>{escape(guid)}</id><title>{escape(STORIES[key][0])}</title>"
        f'<link rel="alternate" href="{escape(link)}"/><updated>2024-03-06T08:30:00Z</updated>'
        f"<summary>Teaser.</summary></entry>"
        for guid, link, key in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Wire Atom</title><id>urn:wire:atom</id><updated>2024-03-06T08:30:00Z</updated>"
        + entries
        + "</feed>"
    )


def rdf(items: list[tuple[str, str]]) -> str:
    """RSS 1.0 (RDF): items are (link, story key); RDF items have no GUID but their about."""
    lis = "".join(f'<rdf:li rdf:resource="{escape(link)}"/>' for link, _ in items)
    out = "".join(
        f'<item rdf:about="{escape(link)}"><title>{escape(STORIES[key][0])}</title>'
        f"<link>{escape(link)}</link><dc:date>2024-03-07T12:00:00Z</dc:date></item>"
        for link, key in items
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="http://example.com/rdf"><title>Wire RDF</title>'
        f"<link>http://example.com/</link><items><rdf:Seq>{lis}</rdf:Seq></items></channel>"
        + out
        + "</rdf:RDF>"
    )


def _story(key: str) -> tuple[str, list[str]]:
    for stories in (STORIES, OLD_STORIES, EVENT_STORIES):
        if key in stories:
            return stories[key]
    raise KeyError(key)
