"""The long-lived objects handlers share, opened once in post_init and kept in `bot_data`."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from bot.alerts.delivery import AlertSender
from bot.alerts.leader import LeaderLease
from bot.alerts.problems import AlertProblems
from bot.alerts.scan import AlertScanner
from bot.alerts.subscriptions import SubscriptionStore
from bot.answers.budget import QuestionBudget
from bot.answers.service import AnswerService
from bot.database_outage import DatabaseOutage
from bot.settings import BotSettings

SERVICES_KEY = "services"


@dataclass(slots=True)
class Services:
    settings: BotSettings
    answers: AnswerService
    limiter: QuestionBudget
    subscriptions: SubscriptionStore
    scanner: AlertScanner
    sender: AlertSender
    leader: LeaderLease
    """Whether this replica runs the alert jobs (`bot.alerts.leader`)."""
    problems: AlertProblems = field(default_factory=AlertProblems)
    outage: DatabaseOutage = field(default_factory=DatabaseOutage)
    """Whether the database answers, shared by everything that needs it (logged once)."""


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The shared services of the running application."""
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
