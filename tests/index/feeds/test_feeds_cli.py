"""`python -m index feeds …` as a user runs it: subprocesses on a temporary DATA_DIR, exit codes
and output, then `python -m index query` finds what a feed brought."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from tests.feed_server import FeedServer
from tests.index.feeds.samples import STORIES, article_page, rss
from tests.index.test_cli import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE", "true")


def test_add_fetch_then_query_finds_the_article(feed_server: FeedServer) -> None:
    feed_server.serve("/story/harvest", article_page("harvest"))
    url = feed_server.serve(
        "/rss.xml", rss([("g-1", feed_server.url("/story/harvest"), "harvest")])
    )
    added = run_cli("feeds", "add", url, "--interval", "30m", "--source", "Wire")
    assert added.stdout == f"feed 1: {url}, every 30m\n"
    listed = run_cli("feeds", "list").stdout
    assert re.fullmatch(
        rf"1\tevery 30m\tnext .* UTC\tnot fetched yet\t{re.escape(url)} \[Wire\]\n", listed
    )
    fetched = run_cli("-q", "feeds", "fetch")
    assert fetched.stdout == f"feed 1 ({url}): 1 new articles\n"
    again = run_cli("-q", "feeds", "fetch", "1")
    assert again.stdout == f"feed 1 ({url}): nothing new\n"
    found = run_cli("query", "record tea harvest in Kericho", "-k", "1").stdout
    assert STORIES["harvest"][0] in found and "(Wire, 2024-03-05)" in found
    assert "ok" in run_cli("feeds", "list").stdout


def test_mistakes_are_one_error_line_and_a_nonzero_exit(feed_server: FeedServer) -> None:
    refused = run_cli("feeds", "add", "file:///etc/passwd", check_exit=1)
    assert (
        refused.stderr == "error: only http and https URLs can be fetched, not file:///etc/passwd\n"
    )
    octal = run_cli("feeds", "add", "http://0177.0.0.1:1/x", check_exit=1)
    assert octal.stderr.startswith("error: not a valid URL: http://0177.0.0.1:1/x (")
    assert octal.stderr.count("\n") == 1
    bad_interval = run_cli(
        "feeds", "add", "https://example.com/rss", "--interval", "soon", check_exit=1
    )
    assert bad_interval.stderr.startswith("error: not an interval: 'soon'")
    run_cli("feeds", "add", "https://example.com/rss")
    twice = run_cli("feeds", "add", "https://example.com/rss", check_exit=1)
    assert twice.stderr == "error: https://example.com/rss is already followed (feed 1)\n"
    assert run_cli("feeds", "remove", "7", check_exit=1).stderr.startswith(
        "error: no feed with id 7"
    )
    assert run_cli("feeds", "fetch", "7", check_exit=1).stderr.startswith(
        "error: no feed with id 7"
    )
    assert "removed" in run_cli("feeds", "remove", "1").stdout
    assert run_cli("feeds", "list").stdout.startswith("No feeds.")


def test_a_failing_feed_makes_fetch_exit_1_with_its_reason(feed_server: FeedServer) -> None:
    run_cli("feeds", "add", feed_server.url("/missing.xml"))
    failed = run_cli("feeds", "fetch", check_exit=1)
    assert (
        failed.stdout
        == f"feed 1 ({feed_server.url('/missing.xml')}): failed: HTTP 404 from {feed_server.url('/missing.xml')}\n"
    )
    assert "WARNING: feed 1 " in failed.stderr and "next try in about 30m" in failed.stderr


def test_private_addresses_are_refused_without_the_setting(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE", "false")
    url = feed_server.serve("/rss.xml", rss([]))
    run_cli("feeds", "add", url)
    failed = run_cli("feeds", "fetch", check_exit=1)
    assert "refused to connect to 127.0.0.1: a loopback address" in failed.stdout
    assert feed_server.requests == [] and os.environ["FEEDS_ALLOW_PRIVATE"] == "false"


def test_an_emptied_or_damaged_database_is_refused_and_left_as_it_is(
    isolated_environment: Path,
) -> None:
    database = isolated_environment / "subscriptions.sqlite"
    database.parent.mkdir(parents=True, exist_ok=True)
    database.write_bytes(b"")  # what a truncated database looks like
    for argv in (
        ["feeds", "list"],
        ["feeds", "add", "https://example.com/rss"],
        ["feeds", "fetch"],
    ):
        refused = run_cli(*argv, check_exit=1)
        assert refused.stderr.startswith(
            f"error: the subscriptions database {database} is an empty file (0 bytes)"
        ), refused.stderr
        assert refused.stderr.count("\n") == 1 and refused.stdout == ""
    assert database.stat().st_size == 0  # not turned into a new, empty database
    database.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 4000)
    damaged = run_cli("feeds", "list", check_exit=1)
    assert damaged.stderr.startswith(f"error: the subscriptions database {database} is damaged")


def test_the_database_the_feeds_create_is_readable_by_its_owner_only(
    isolated_environment: Path,
) -> None:
    run_cli("feeds", "add", "http://user:secret@example.com/feed.xml")
    database = isolated_environment / "subscriptions.sqlite"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    listed = run_cli("feeds", "list").stdout
    assert "secret" not in listed and "***@example.com" in listed
