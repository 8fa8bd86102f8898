"""The layers hold: `bot` → `index`, never back; the read side never imports the write side; the
product never imports `evaluation`, `benchmarks` or `tests`. Read from the source (every import
statement, at module level or inside a function), so a lazy import counts too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache

import pytest

from tests.conftest import PROJECT_ROOT

READ_SIDE = (
    "index.search",
    "index.store.version",
    "index.store.live_version",
    "index.store.factory",
    "index.store.faiss.version",
    "index.store.milvus.version",
)
"""What answers a question: loading the live version and searching it."""
WRITE_SIDE = (
    "index.writer",
    "index.store.faiss.writer",
    "index.store.milvus.writer",
    "index.store.milvus.in_place",
    "index.store.milvus.named",
    "index.store.milvus.whole_version",
    "index.articles.files",
    "index.passages.parallel",
    "index.embedding.cache",
)
"""What changes an index: reading articles, embedding them into the cache, publishing versions."""
NOT_THE_PRODUCT = ("evaluation", "benchmarks", "tests")


def modules(package: str) -> dict[str, ast.Module]:
    """Every module of a top-level package, by dotted name, parsed."""
    found = {}
    for path in (PROJECT_ROOT / package).rglob("*.py"):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text("utf-8"), str(path))
    return found


@cache
def product() -> dict[str, ast.Module]:
    return {**modules("index"), **modules("bot")}


def imported(name: str, tree: ast.Module) -> Iterator[str]:
    """The modules an import statement of `name` names (`from a import b` may name a.b)."""
    package = name if name in _packages() else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def _packages() -> frozenset[str]:
    return frozenset(
        ".".join(p.relative_to(PROJECT_ROOT).parts[:-1])
        for top in ("index", "bot")
        for p in (PROJECT_ROOT / top).rglob("__init__.py")
    )


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@cache
def reached(name: str) -> frozenset[str]:
    """Every product module `name` imports, directly or through others."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        for target in imported(current, product()[current]):
            if target in product() and target not in seen:
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


def test_the_product_is_found() -> None:
    assert "index.search.news_index" in product() and "bot.application" in product()
    assert {m for m in product() if within(m, READ_SIDE)} >= set(READ_SIDE[1:])


@pytest.mark.parametrize("name", sorted(m for m in modules("index")))
def test_index_never_imports_bot_or_telegram(name: str) -> None:
    wrong = [t for t in imported(name, product()[name]) if within(t, ("bot", "telegram"))]
    assert not wrong, f"{name} imports {wrong}: `index` must not know about the bot"


@pytest.mark.parametrize("name", sorted(m for m in product() if within(m, READ_SIDE)))
def test_the_read_side_never_imports_the_write_side(name: str) -> None:
    wrong = sorted(m for m in reached(name) if within(m, WRITE_SIDE))
    assert not wrong, f"{name} reaches the write side: {wrong}"


@pytest.mark.parametrize("name", sorted(product()))
def test_the_product_never_imports_evaluation_benchmarks_or_tests(name: str) -> None:
    wrong = [t for t in imported(name, product()[name]) if within(t, NOT_THE_PRODUCT)]
    assert not wrong, f"{name} imports {wrong}"


METRICS_MODULES = ("index.monitoring", "bot.monitoring", "bot.metrics_server")
"""Where metrics are defined and served; the rest of the product records them through these."""


@pytest.mark.parametrize("name", sorted(product()))
def test_only_the_metrics_modules_import_prometheus(name: str) -> None:
    uses = [t for t in imported(name, product()[name]) if within(t, ("prometheus_client",))]
    assert name in METRICS_MODULES or not uses, f"{name} imports {uses}: use index.monitoring"


def test_the_index_metrics_import_nothing_of_the_product() -> None:
    """`index.monitoring` is imported by the read side and the write side alike: it must not
    bring either along."""
    assert reached("index.monitoring") == frozenset()
