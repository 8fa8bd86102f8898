"""The one place that builds the Telegram Application."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import core_handlers, monitoring, texts, time_zones
from bot.alerts import commands as alert_commands
from bot.alerts.delivery import AlertSender
from bot.alerts.jobs import schedule_alert_jobs
from bot.alerts.leader import LeaderLease
from bot.alerts.render import UNSUBSCRIBE_PREFIX
from bot.alerts.scan import AlertScanner, ShortTopics, Thresholds
from bot.alerts.subscriptions import SubscriptionStore
from bot.answers import handlers as answer_handlers
from bot.answers import voting
from bot.answers.answer_buttons import MORE_PATTERN, VOTE_PATTERN
from bot.answers.budget import PerUserLimiter, QuestionBudget, SharedQuestionBudget
from bot.answers.conversation import ConversationStore
from bot.answers.sent_answers import SentAnswers
from bot.answers.service import AnswerService
from bot.answers.shared_keys import SharedAnswerKeys
from bot.answers.votes import AnswerVotes
from bot.context import BotData, NewsApp, Services
from bot.database import database_url
from bot.database_outage import DatabaseOutage
from bot.feeds import commands as feed_commands
from bot.feeds.jobs import close_feeds, open_feeds
from bot.message_rate_limiter import MessageRateLimiter
from bot.metrics_server import MetricsServer
from bot.settings import BotSettings
from bot.startup import open_index
from bot.webhook import WebhookSecret, webhook_secret
from bot.webhook_server import ReadinessReport, serve_webhook
from index import NewsIndex

log = logging.getLogger(__name__)

RETRY_AFTER_ATTEMPTS = 5
"""How many times AIORateLimiter waits out a RetryAfter before giving up on a request."""


def build_application(
    settings: BotSettings,
    index: NewsIndex | None = None,
    store: SubscriptionStore | None = None,
) -> NewsApp:
    """The bot, configured from settings; the index and the store are opened in post_init
    unless given."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(app: NewsApp) -> None:
        # The store first: a damaged database stops the start before the model is loaded.
        subscriptions = store if store is not None else SubscriptionStore(settings.database)
        try:
            opened = index if index is not None else await asyncio.to_thread(open_index, settings)
        except BaseException:
            subscriptions.close()
            raise
        # Replicas on PostgreSQL share "More ▸" keys and budgets; one process keeps them in memory.
        outage = DatabaseOutage()
        shared_keys = None
        limiter: QuestionBudget = PerUserLimiter(settings.user_questions_per_minute)
        if subscriptions.shared:
            shared_keys = SharedAnswerKeys(
                subscriptions.engine, remembered=settings.remembered_answers, outage=outage
            )
            limiter = SharedQuestionBudget(
                subscriptions.engine, settings.user_questions_per_minute, outage
            )
        votes = AnswerVotes(
            subscriptions.engine, kept=settings.feedback_answers_kept, outage=outage
        )
        conversation = ConversationStore(
            subscriptions.engine, followup=settings.followup_timedelta, outage=outage
        )
        app.bot_data.services = Services(
            settings=settings,
            answers=AnswerService(
                opened,
                per_page=settings.search_top_k,
                remembered=settings.remembered_answers,
                shared=shared_keys,
            ),
            limiter=limiter,
            subscriptions=subscriptions,
            scanner=AlertScanner(
                opened,
                subscriptions,
                thresholds(settings),
                settings.alert_max_age_timedelta,
                short_topics(settings),
            ),
            sender=AlertSender(
                subscriptions,
                digest_after=settings.alert_digest_after,
                closed_topic_hours=settings.alert_closed_topic_hours,
            ),
            leader=LeaderLease(subscriptions.engine, outage),
            votes=votes,
            conversation=conversation,
            sent_answers=SentAnswers(subscriptions.engine, votes, conversation, outage),
            outage=outage,
        )
        schedule_alert_jobs(app, settings)
        await open_feeds(app, settings)
        await app.bot.set_my_commands(
            [BotCommand(name, description) for name, description in texts.COMMANDS]
        )
        if metrics is not None:
            await metrics.start()
        log.info("ready as @%s", app.bot.username)

    async def post_shutdown(app: NewsApp) -> None:
        if metrics is not None:
            await metrics.stop()
        if app.bot_data.is_open:
            shared = app.bot_data.services
            await asyncio.to_thread(shared.leader.release)
            shared.subscriptions.close()
        close_feeds(app)

    builder = (
        ApplicationBuilder()
        .context_types(ContextTypes(bot_data=BotData))
        .token(settings.token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A question deleted before its answer arrives still gets the answer.
                allow_sending_without_reply=True,
            )
        )
        .concurrent_updates(settings.concurrent_updates)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    app: NewsApp = (
        builder.rate_limiter(MessageRateLimiter(max_retries=RETRY_AFTER_ATTEMPTS)).build()
        if settings.telegram_rate_limit
        else builder.build()
    )
    metrics = (
        MetricsServer(app, host=settings.metrics_host, port=settings.metrics_port)
        if settings.metrics_port
        else None
    )
    add_handlers(app)
    return app


def add_handlers(app: NewsApp) -> None:
    """Commands in every chat; free text in private chats; mentions and replies in groups."""
    new_messages = filters.UpdateType.MESSAGE  # edited messages are ignored on purpose
    private = filters.ChatType.PRIVATE & new_messages
    groups = filters.ChatType.GROUPS & new_messages
    app.add_handler(TypeHandler(Update, monitoring.count_update), group=-1)  # counts, then on
    app.add_handler(CommandHandler("start", core_handlers.start, filters=new_messages))
    app.add_handler(CommandHandler("help", core_handlers.help_command, filters=new_messages))
    app.add_handler(CommandHandler("ask", answer_handlers.ask, filters=new_messages))
    app.add_handler(CommandHandler("sources", answer_handlers.sources, filters=new_messages))
    app.add_handler(CommandHandler("stats", answer_handlers.stats, filters=new_messages))
    app.add_handler(CommandHandler("feeds", feed_commands.feeds_command, filters=new_messages))
    app.add_handler(CommandHandler("timezone", time_zones.timezone_command, filters=new_messages))
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, answer_handlers.private_text)
    )
    app.add_handler(
        MessageHandler(
            groups & filters.TEXT & ~filters.COMMAND & (filters.Entity("mention") | filters.REPLY),
            answer_handlers.group_text,
        )
    )
    app.add_handler(
        MessageHandler(
            private & ~filters.TEXT & ~filters.StatusUpdate.ALL, answer_handlers.non_text
        )
    )
    app.add_handler(CallbackQueryHandler(answer_handlers.more, pattern=MORE_PATTERN))
    app.add_handler(CallbackQueryHandler(voting.vote, pattern=VOTE_PATTERN))
    app.add_handler(
        CallbackQueryHandler(answer_handlers.sources_page, pattern=answer_handlers.SOURCES_PATTERN)
    )
    add_subscription_handlers(app)
    # Last: any button data the handlers above did not take still gets an answer.
    app.add_handler(CallbackQueryHandler(core_handlers.stale_button))
    app.add_error_handler(core_handlers.error_handler)


def add_subscription_handlers(app: NewsApp) -> None:
    """Subscription commands work in every chat, channel posts included."""
    commands = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    for name, callback in (
        ("subscribe", alert_commands.subscribe),
        ("unsubscribe", alert_commands.unsubscribe),
        ("subscriptions", alert_commands.subscriptions),
        ("digest", alert_commands.digest),
    ):
        app.add_handler(CommandHandler(name, callback, filters=commands))
    app.add_handler(
        CallbackQueryHandler(
            # Subscription ids: ASCII digits, few enough for SQLite's 64-bit integers.
            alert_commands.unsubscribe_button,
            pattern=rf"^{UNSUBSCRIBE_PREFIX}:[0-9]{{1,18}}$",
        )
    )
    app.add_handler(
        ChatMemberHandler(alert_commands.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, alert_commands.chat_migrated))


def thresholds(settings: BotSettings) -> Thresholds:
    return Thresholds(
        strict=settings.alert_threshold_strict,
        normal=settings.alert_threshold_normal,
        broad=settings.alert_threshold_broad,
        lexical_weight=settings.alert_lexical_weight,
    )


def short_topics(settings: BotSettings) -> ShortTopics:
    return ShortTopics(
        most_words=settings.alert_short_topic_words,
        thresholds=Thresholds(
            strict=settings.alert_short_threshold_strict,
            normal=settings.alert_short_threshold_normal,
            broad=settings.alert_short_threshold_broad,
            lexical_weight=settings.alert_short_lexical_weight,
        ),
    )


async def readiness(app: NewsApp) -> ReadinessReport:
    """Why this process cannot serve yet (for /readyz): still starting, or the index out of
    reach; the database out of reach is reported as degraded (questions are answered without
    it). Reasons name the kind of failure, never a path or an address."""
    if not app.bot_data.is_open:
        return ReadinessReport(["starting: the index and the database are being opened"])
    shared = app.bot_data.services
    report = ReadinessReport()
    try:
        await asyncio.to_thread(shared.subscriptions.ping)
    except Exception as exc:
        report.degraded.append(f"database: {type(exc).__name__}")
    try:
        await asyncio.to_thread(shared.answers.index.snapshot)
    except Exception as exc:
        report.problems.append(f"index: {type(exc).__name__}")
    return report


def run(settings: BotSettings, secret: WebhookSecret | None = None) -> None:
    """Serve until stopped: webhook mode when WEBHOOK_URL is set, long polling otherwise.

    Webhook mode always has a secret (`secret`, else WEBHOOK_SECRET_TOKEN, else a generated
    one): POSTs without it are refused, so only Telegram can post updates. Its server also
    answers GET /healthz and /readyz for a load balancer, and /metrics (`bot.webhook_server`).
    """
    # The database first: a damaged one is the error to show, even when Telegram cannot be
    # reached (PTB asks Telegram who the bot is before post_init runs). Opened once, here, and
    # handed to post_init.
    app = build_application(settings, store=SubscriptionStore(settings.database))
    if not settings.webhook_url:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    secret = secret or webhook_secret(settings)
    assert secret is not None
    if secret.generated:
        log.info(
            "WEBHOOK_SECRET_TOKEN is not set: generated a random secret for this run and "
            "gave it to Telegram with setWebhook; posts without it are refused"
        )
        if database_url(settings.database).get_backend_name() == "postgresql":
            log.warning(
                "replicas sharing DATABASE_URL behind one webhook need one WEBHOOK_SECRET_TOKEN: "
                "with a generated secret each, only the last replica to start takes updates"
            )
    asyncio.run(
        serve_webhook(
            app,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=urlsplit(settings.webhook_url).path,
            url=settings.webhook_url,
            secret=secret.value,
            readiness=lambda: readiness(app),
            set_webhook_options={"allowed_updates": Update.ALL_TYPES},
        )
    )
