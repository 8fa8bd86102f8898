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


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{1,6} (.+)$", line)
        if heading:
            text = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def test_relative_links_point_to_files_and_headings_that_exist() -> None:
    broken = []
    for page in _markdown_files():
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == [], "broken links:\n" + "\n".join(broken)
