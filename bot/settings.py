"""The bot's settings: the index settings plus Telegram, read once from the environment / `.env`."""

from __future__ import annotations

import json
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from index.errors import FeedError
from index.feeds.schedule import parse_interval
from index.feeds.settings import FeedSettings

WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as a webhook's `secret_token`."""


class BotSettings(FeedSettings):
    """Everything a bot process is configured with; the one settings object of that process."""

    telegram_bot_token: SecretStr | None = Field(
        default=None,
        description="Token from @BotFather. Without it, `make run` / `python -m bot` starts a chat "
        "in the terminal. Never logged.",
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API endpoint in python-telegram-bot's base_url form (the token is "
        "appended): a self-hosted Bot API server, or a test server.",
    )
    telegram_api_file_url: str = Field(
        default="https://api.telegram.org/file/bot",
        description="File endpoint, in the same form.",
    )

    webhook_url: str | None = Field(
        default=None,
        description="Public https URL Telegram posts updates to: enables webhook mode instead "
        "of long polling.",
    )
    webhook_listen: str = Field(
        default="0.0.0.0",
        description="Address the webhook server listens on (put a TLS proxy in front of it).",
    )
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, description="Port the webhook server listens on."
    )
    webhook_secret_token: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends back with every update, so only Telegram can post "
        "them (1-256 characters: A-Z a-z 0-9 _ -). Empty: a random one at each start. "
        "Replicas behind one URL must share one.",
    )

    telegram_rate_limit: bool = Field(
        default=True,
        description="Keep sent messages under Telegram's flood limits (AIORateLimiter); off only "
        "against a test server.",
    )

    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of a server of its own that serves Prometheus metrics at /metrics "
        "(in webhook mode the webhook server serves them too). Empty: no such server.",
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the metrics server listens on: this machine only by default; "
        "0.0.0.0 offers the metrics to every network.",
    )

    question_max_chars: int = Field(
        default=500,
        ge=20,
        le=4096,
        description="Longer questions are cut to this many characters before searching (the "
        "user is told).",
    )
    user_questions_per_minute: int = Field(
        default=12,
        ge=1,
        description="Questions one user may ask per minute before a polite “slow down”.",
    )
    concurrent_updates: int = Field(
        default=64, ge=1, description="Updates handled at the same time."
    )
    admin_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Telegram user ids with admin rights over the bot (/feeds; the readers' "
        "votes in /stats), comma-separated: 12345,67890.",
    )
    remembered_answers: int = Field(
        default=2000,
        ge=10,
        description="How many recent answers keep a working “More ▸” button.",
    )
    feedback_answers_kept: int = Field(
        default=10_000,
        ge=10,
        description="How many recent answers keep working 👍 / 👎 buttons (each page of an "
        "answer counts once). Older ones are deleted from the database, except those someone "
        "voted on: they are kept for `python -m bot feedback export`.",
    )
    typing_after_seconds: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description='"typing…" is shown under a question whose answer is not ready after this '
        "many seconds (0: under every question). Telegram recommends it only for replies that "
        "take noticeable time; most answers take a few hundredths of a second.",
    )
    followup_minutes: float = Field(
        default=30,
        gt=0,
        le=7 * 24 * 60,
        description="How long a reply to one of the bot's answers is read as a follow-up "
        "question (with the question before it and the articles the answer cited); later "
        "replies are new questions. Each chat's last few answers are kept in the database "
        "this long.",
    )
    log_level: str = Field(
        default="INFO",
        description="DEBUG, INFO, WARNING or ERROR. The token is never logged.",
    )

    inbox_dir: Path | None = Field(
        default=None,
        description="Article files dropped here are indexed by the running bot. "
        "Default: `$DATA_DIR/inbox`.",
    )
    alert_interval_seconds: float = Field(
        default=30,
        gt=0,
        description="How often the bot looks for new articles and posts alerts (seconds); "
        "replicas not holding the alert lease try to take it this often.",
    )
    # An article matches a topic when its best passage's cosine similarity to the topic, plus
    # ALERT_LEXICAL_WEIGHT times the share of the topic's words it contains, clears the
    # sensitivity's threshold. Calibrated on RealTimeQA: benchmarks/alert_calibration.py.
    alert_threshold_strict: float = Field(
        default=0.675,
        ge=-1.0,
        le=2.0,
        description="Score an article's best passage needs for a strict subscription.",
    )
    alert_threshold_normal: float = Field(
        default=0.525,
        ge=-1.0,
        le=2.0,
        description="Score an article's best passage needs for a normal subscription.",
    )
    alert_threshold_broad: float = Field(
        default=0.425,
        ge=-1.0,
        le=2.0,
        description="Score an article's best passage needs for a broad subscription.",
    )
    alert_lexical_weight: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="A passage's score is its cosine similarity to the topic plus this weight × "
        "the share of the topic's words in it.",
    )
    # Short topics ("floods", "Ukraine grain"): an article's lead passage alone is scored,
    # against thresholds of their own. Measured on RealTimeQA (benchmarks/alert_topic_length.py,
    # printed by benchmarks/alert_calibration.py): a one- or two-word topic lands near some
    # passage of too many articles, while the lead says what the story is about.
    alert_short_topic_words: int = Field(
        default=2,
        ge=0,
        le=20,
        description="A topic with at most this many words it is about (question and news filler "
        "left out) is a short topic, matched by an article's lead passage alone. 0 turns it off.",
    )
    alert_short_threshold_strict: float = Field(
        default=0.45,
        ge=-1.0,
        le=2.0,
        description="Score an article's lead passage needs for a strict subscription to a short "
        "topic.",
    )
    alert_short_threshold_normal: float = Field(
        default=0.315,
        ge=-1.0,
        le=2.0,
        description="Score an article's lead passage needs for a normal subscription to a short "
        "topic.",
    )
    alert_short_threshold_broad: float = Field(
        default=0.22,
        ge=-1.0,
        le=2.0,
        description="Score an article's lead passage needs for a broad subscription to a short "
        "topic.",
    )
    alert_short_lexical_weight: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="For a short topic, a lead passage's score is its cosine similarity to the "
        "topic plus this weight × the share of the topic's words in it.",
    )
    alert_max_age: str = Field(
        default="48h",
        pattern=r"^\s*\d+(\.\d+)?\s*[smhd]?\s*$",
        description="Only articles published this recently are alerted (or put in a digest): "
        "90m, 48h, 2d. Older ones, such as a new feed's backlog, are indexed and searchable but "
        "not alerted. Without a published date (or with one over a day in the future), an "
        "article's age counts from when it was first indexed.",
    )
    alert_digest_after: int = Field(
        default=3,
        ge=1,
        description="More new articles than this for one chat in one round become one digest "
        "message.",
    )
    alert_closed_topic_hours: float = Field(
        default=24.0,
        ge=0.0,
        description="How long alerts for a closed forum topic wait for it to reopen (hours); "
        "older ones are dropped.",
    )
    daily_digest_time: time = Field(
        default=time(8, 0),
        description="When chats that chose /digest daily without a time of their own get their "
        "digest (HH:MM, UTC).",
    )
    max_subscriptions_per_chat: int = Field(
        default=20, ge=1, description="Topics one chat may follow."
    )
    topic_max_chars: int = Field(
        default=200, ge=10, le=1000, description="The longest topic kept, in characters."
    )
    # With the topic, the most and longest filters still make one confirmation message:
    # 1,000 + 50 x (50 + 4) characters is well under Telegram's 4,096.
    max_filters_per_subscription: int = Field(
        default=20,
        ge=1,
        le=50,
        description="+word and -word filters one subscription may have; more are refused.",
    )
    filter_max_chars: int = Field(
        default=40,
        ge=5,
        le=50,
        description="The longest word of a +word or -word filter, in characters; longer is "
        "refused.",
    )

    @model_validator(mode="after")
    def _derive_bot_paths(self) -> BotSettings:
        if self.inbox_dir is None:
            object.__setattr__(self, "inbox_dir", self.data_dir / "inbox")
        return self

    @property
    def resolved_inbox_dir(self) -> Path:
        assert self.inbox_dir is not None
        return self.inbox_dir

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

    @field_validator("alert_max_age")
    @classmethod
    def _duration(cls, value: str) -> str:
        """Refuse at start a duration the alert rounds could not use (under a minute, too long)."""
        try:
            timedelta(seconds=parse_interval(value))
        except FeedError as err:
            raise ValueError(str(err)) from None
        except OverflowError:
            raise ValueError(f"{value.strip()} is too long: write e.g. 48h or 2d") from None
        return value

    @property
    def followup_timedelta(self) -> timedelta:
        """`FOLLOWUP_MINUTES` as a duration."""
        return timedelta(minutes=self.followup_minutes)

    @property
    def alert_max_age_timedelta(self) -> timedelta:
        """`ALERT_MAX_AGE` as a duration."""
        return timedelta(seconds=parse_interval(self.alert_max_age))

    @field_validator("webhook_secret_token")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse at start what `setWebhook` would refuse later, saying what is allowed."""
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must be 1 to 256 characters, each a letter A-Z or a-z, a digit, _ or - "
                "(Telegram's rule); leave it empty to have one generated at each start"
            )
        return value

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
