"""What every handler and job is given: a typed `context` whose `bot_data` holds the long-lived
objects, opened once in post_init and closed in post_shutdown (PTB's `ContextTypes(bot_data=…)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.alerts.delivery import AlertSender
from bot.alerts.leader import LeaderLease
from bot.alerts.problems import AlertProblems
from bot.alerts.scan import AlertScanner
from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.budget import QuestionBudget
from bot.answers.conversation import ConversationStore
from bot.answers.sent_answers import SentAnswers
from bot.answers.service import AnswerService
from bot.answers.votes import AnswerVotes
from bot.database_outage import DatabaseOutage
from bot.settings import BotSettings
from index.feeds.registry import FeedStore


@dataclass(slots=True)
class Services:
    """The long-lived objects handlers and jobs share, opened once in post_init."""

    settings: BotSettings
    answers: AnswerService
    limiter: QuestionBudget
    subscriptions: SubscriptionStore
    scanner: AlertScanner
    sender: AlertSender
    leader: LeaderLease
    """Whether this replica runs the alert jobs (`bot.alerts.leader`)."""
    votes: AnswerVotes
    """Readers' 👍 / 👎 on answers (`bot.answers.votes`)."""
    conversation: ConversationStore
    """Each chat's last answered questions, for follow-ups (`bot.answers.conversation`)."""
    sent_answers: SentAnswers
    """An answer just sent made votable and kept as a turn, in one transaction."""
    problems: AlertProblems = field(default_factory=AlertProblems)
    outage: DatabaseOutage = field(default_factory=DatabaseOutage)
    """Whether the database answers, shared by everything that needs it (logged once)."""


class BotData:
    """What `context.bot_data` holds: the services and the feed store that post_init opens.

    PTB makes it empty with the application (`ContextTypes(bot_data=BotData)`). Handlers and
    jobs only run once post_init has opened everything, so they read `services` and `feeds` as
    they are; reading one before it is opened is a bug, and says so."""

    __slots__ = ("_feeds", "_services")

    def __init__(self) -> None:
        self._services: Services | None = None
        self._feeds: FeedStore | None = None

    @property
    def services(self) -> Services:
        """The shared services of the running application."""
        if self._services is None:
            raise RuntimeError("the services are opened in post_init, which has not run yet")
        return self._services

    @services.setter
    def services(self, services: Services) -> None:
        self._services = services

    @property
    def is_open(self) -> bool:
        """Whether post_init has opened the services (readiness and shutdown ask)."""
        return self._services is not None

    @property
    def feeds(self) -> FeedStore:
        """The feeds to fetch (`bot.feeds.jobs`)."""
        if self._feeds is None:
            raise RuntimeError("the feed store is opened in post_init, which has not run yet")
        return self._feeds

    @feeds.setter
    def feeds(self, store: FeedStore) -> None:
        self._feeds = store

    def take_feeds(self) -> FeedStore | None:
        """The feed store, no longer kept here, for the caller to close; None if never opened."""
        store, self._feeds = self._feeds, None
        return store


NewsContext: TypeAlias = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]
"""The `context` of every handler and job: `context.bot_data` is a `BotData`."""

NewsApp: TypeAlias = Application[
    ExtBot[Any], NewsContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]
]
"""The bot's Application (`bot.application.build_application`). Its bot is an `ExtBot[int]` with
Telegram's rate limiter and an `ExtBot[None]` without, its job queue PTB's default one."""
