"""The documentation that is made from the code, and the links between pages, match the code."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    """docs/configuration.py, loaded by path: `docs/` is a folder of pages, not a package."""
    spec = importlib.util.spec_from_file_location("docs_configuration", DOCS / "configuration.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env_example_variables() -> list[str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return [line.split("=", 1)[0].strip() for line in lines if re.match(r"^[A-Z0-9_]+=", line)]


def test_configuration_page_is_rendered_from_the_settings() -> None:
    committed = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert _generator().render() == committed, (
        "docs/configuration.md differs from the settings classes: run `python docs/configuration.py`"
    )


def test_env_example_lists_every_setting_once_and_nothing_else() -> None:
    listed = _env_example_variables()
    settings = {name.upper() for name in BotSettings.model_fields}
    assert sorted({name for name in listed if listed.count(name) > 1}) == [], "listed twice"
    assert sorted(set(listed) - settings) == [], "in .env.example but not a setting"
    assert sorted(settings - set(listed)) == [], "settings missing from .env.example"
