"""The feeds' settings: what may be fetched, how often, and what one feed may cost a round."""

from __future__ import annotations

from pydantic import Field

from index.database.settings import DatabaseSettings
from index.settings import IndexSettings


class FeedSettings(DatabaseSettings, IndexSettings):
    """Feeds add to the index and keep their list in the product's database: both settings,
    and their own."""

    # Feeds: every URL fetched (feed, redirect hop, article page) must be public http(s), unless
    # FEEDS_ALLOW_PRIVATE (tests and intranets) lets loopback and private addresses through.
    feeds_allow_private: bool = Field(
        default=False,
        description="Let feeds fetch loopback, private, link-local and other non-public "
        "addresses (a trusted intranet, tests).",
    )
    feeds_default_interval: str = Field(
        default="15m",
        pattern=r"^\s*\d+(\.\d+)?\s*[smhd]?\s*$",
        description="How often a feed added without --interval is fetched: 90s, 15m, 2h, 1d.",
    )
    feeds_max_bytes: int = Field(
        default=5_000_000,
        ge=1024,
        description="Longest body read from a feed or a page (bytes, after gzip); reading stops "
        "there.",
    )
    feeds_timeout_seconds: float = Field(
        default=20.0, gt=0, le=600, description="Deadline of each request, in seconds."
    )
    feeds_max_redirects: int = Field(
        default=5, ge=0, le=20, description="Redirects followed per request."
    )
    feeds_user_agent: str = Field(
        default="newsbot/0.1 (feed reader; +https://github.com/newsbot)",
        min_length=1,
        description="The User-Agent header sent with every request.",
    )
    feeds_check_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often `feeds watch` and the bot look for feeds that are due (seconds).",
    )
    # What one feed can cost a round, whatever it serves: a feed of fifty thousand items must
    # not become fifty thousand page fetches.
    feeds_max_entries: int = Field(
        default=100,
        ge=1,
        description="Entries taken from one fetch of a feed, newest first; older ones are left.",
    )
    feeds_max_pages: int = Field(
        default=30,
        ge=1,
        description="Article pages fetched for one feed in one round; the rest wait for the next.",
    )
    feeds_host_connections: int = Field(
        default=4,
        ge=1,
        le=50,
        description="Requests to one host at the same time, across all feeds of a round.",
    )
