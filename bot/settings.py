"""The bot's settings: the index settings plus Telegram, read once from the environment / `.env`."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from index import IndexSettings


class BotSettings(IndexSettings):
    """Everything a bot process is configured with; the one settings object of that process."""

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"

    webhook_url: str | None = Field(
        default=None, description="Public https URL: enables webhook mode."
    )
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret_token: SecretStr | None = None

    question_max_chars: int = Field(default=500, ge=20, le=4096)
    user_questions_per_minute: int = Field(default=12, ge=1)
    concurrent_updates: int = Field(default=64, ge=1)
    admin_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    remembered_answers: int = Field(default=2000, ge=10)
    log_level: str = "INFO"

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `ADMIN_USER_IDS=1,2,3` as well as a JSON list."""
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [int(part) for part in value.replace(" ", "").split(",") if part]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
