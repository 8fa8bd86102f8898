"""The `index` package's public names, loaded on first use (`index/__init__.py`): the table that
loads them, the imports type checkers read and `__all__` name the same things, and importing the
package alone loads none of the write side."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys

import pytest

import index
from tests.conftest import PROJECT_ROOT


def _type_checking_imports() -> dict[str, str]:
    """Each name the `if TYPE_CHECKING:` block of index/__init__.py imports, with its module."""
    tree = ast.parse((PROJECT_ROOT / "index" / "__init__.py").read_text("utf-8"))
    (block,) = [n for n in tree.body if isinstance(n, ast.If)]
    return {
        alias.name: node.module or ""
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_loading_table_the_typed_imports_and_all_agree() -> None:
    assert _type_checking_imports() == index._MODULE_OF
    assert sorted(index.__all__) == sorted(index._MODULE_OF)


@pytest.mark.parametrize("name", sorted(index._MODULE_OF))
def test_each_name_is_its_modules_own(name: str) -> None:
    module = importlib.import_module(index._MODULE_OF[name])
    assert getattr(index, name) is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        index.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_importing_the_package_loads_no_write_side() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, index; print(sorted(sys.modules))"],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
    ).stdout  # fmt: skip
    for heavy in ("index.writer", "index.feeds.registry", "trafilatura", "alembic", "torch"):
        assert f"'{heavy}'" not in loaded, heavy
