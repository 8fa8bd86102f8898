"""alembic's configuration for a folder of revisions, shared by the bot's schema and the feeds'.

Both run their revisions on a connection they opened, in their own transaction (see their
`env.py`), so the configuration only names the folder and carries that connection.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection


def alembic_config(scripts: Path, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["connection"] = connection
    return config


def alembic_head(scripts: Path) -> str:
    """The newest revision in the folder."""
    revision = ScriptDirectory.from_config(alembic_config(scripts)).get_current_head()
    assert revision is not None
    return revision
