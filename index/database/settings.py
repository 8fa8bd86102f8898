"""The product's database settings: DATABASE_URL (PostgreSQL) or the SQLite file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from sqlalchemy.exc import ArgumentError

from index.database.engine import database_url
from index.errors import DatabaseError
from index.settings import DataSettings


class DatabaseSettings(DataSettings):
    """Where the bot's chats and alerts and the feed list are kept."""

    database_url: SecretStr | None = Field(
        default=None,
        description="The product's database (chats, subscriptions, alert log, feeds): "
        "`postgresql://user:password@host:5432/database` to share it between replicas. Default: "
        "the SQLite file SUBSCRIPTIONS_DB. The password is never logged.",
    )
    subscriptions_db: Path | None = Field(
        default=None,
        description="The SQLite file used when DATABASE_URL is empty. "
        "Default: `$DATA_DIR/subscriptions.sqlite`.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty DATABASE_URL means the default; another kind of database is refused."""
        if value is None or not value.get_secret_value().strip():
            return None
        try:
            database_url(value.get_secret_value().strip())
        except (DatabaseError, ArgumentError) as exc:
            raise ValueError(
                "must be postgresql://user:password@host:5432/database or sqlite:///path/to/file"
            ) from exc
        return SecretStr(value.get_secret_value().strip())

    @model_validator(mode="after")
    def _derive_database_path(self) -> DatabaseSettings:
        if self.subscriptions_db is None:
            object.__setattr__(self, "subscriptions_db", self.data_dir / "subscriptions.sqlite")
        return self

    @property
    def resolved_subscriptions_db(self) -> Path:
        assert self.subscriptions_db is not None
        return self.subscriptions_db

    @property
    def database(self) -> Path | str:
        """The product's database: a `DATABASE_URL`, or the SQLite file (a path)."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.resolved_subscriptions_db
