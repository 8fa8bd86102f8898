"""`python -m bot subscriptions …` in a subprocess, on the data folder the bot would use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.alerts.model import Sensitivity
from bot.alerts.subscriptions import SubscriptionStore
from tests.bot.conftest import damage_past_header

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "subscriptions", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_add_list_digest_and_remove(isolated_environment: Path) -> None:
    added = run("add", "-100123", "--sensitivity", "strict", "Russian", "attacks", "on", "Estonia")
    assert added.returncode == 0, added.stderr
    assert "subscribed to 'Russian attacks on Estonia' (strict)" in added.stdout
    assert run("add", "-100123", "all").returncode == 0
    assert run("digest", "-100123", "daily").returncode == 0

    store = SubscriptionStore(isolated_environment / "subscriptions.sqlite")
    first, every = store.of_chat(-100123)
    assert first.sensitivity is Sensitivity.STRICT and first.vector.shape == (384,)
    assert every.every_article
    store.close()

    listed = run("list")
    assert "chat -100123 (untitled) · daily" in listed.stdout
    assert "1. Russian attacks on Estonia · strict" in listed.stdout
    assert "2. every new article" in listed.stdout

    missing = run("remove", "-100123", "7")
    assert missing.returncode == 1 and "no subscription number 7" in missing.stderr
    assert run("remove", "-100123", "1").returncode == 0
    assert "1. every new article" in run("list", "--chat", "-100123").stdout
    assert run("remove", "-100123", "all").returncode == 0
    assert "no active subscriptions" in run("list").stdout
    assert run("add", "-100123", "!!").returncode == 2


def test_a_damaged_or_emptied_database_is_refused_with_one_line(isolated_environment: Path) -> None:
    database = isolated_environment / "subscriptions.sqlite"
    assert run("add", "-100123", "all").returncode == 0
    assert run("add", "4242", "all").returncode == 0
    damage_past_header(database)
    for command in (("list",), ("add", "-100123", "all"), ("remove", "-100123", "all")):
        refused = run(*command)
        assert refused.returncode == 1 and refused.stdout == ""
        (line,) = refused.stderr.splitlines()
        assert line.startswith(f"error: the subscriptions database {database} is damaged (")
        assert line.endswith("to start with no subscriptions.")
    database.write_bytes(b"")
    refused = run("list")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(
        f"error: the subscriptions database {database} is an empty file (0 bytes)"
    )
    assert len(refused.stderr.splitlines()) == 1 and database.stat().st_size == 0


def test_add_refuses_filters_beyond_the_limits_before_loading_the_model(
    isolated_environment: Path,
) -> None:
    many = [f"+defence{i:03d}" for i in range(21)]
    refused = run("add", "-100123", "Baltic", "defence", *many)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == "error: 21 filters; a subscription takes at most 20\n"
    refused = run("add", "-100123", "Baltic", "+" + "x" * 41)
    assert refused.returncode == 2
    assert refused.stderr == f"error: the filter {'x' * 41!r} is longer than 40 characters\n"
    assert "-100123" not in run("list").stdout
