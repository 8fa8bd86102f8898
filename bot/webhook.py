"""Webhook mode's secret: what makes a POST to the webhook come from Telegram.

Telegram sends the `secret_token` given to `setWebhook` back in the
`X-Telegram-Bot-Api-Secret-Token` header of every update it posts, and the webhook server
refuses (403) any POST without it. Without a secret anyone who can reach the port could post
updates: a forged `channel_post` is trusted as the channel's admin, so it could subscribe a
channel and make the bot post there. When WEBHOOK_SECRET_TOKEN is not set, a random secret is
made for the run: only Telegram needs to know it, and it learns it from `setWebhook`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.settings import BotSettings

GENERATED_BYTES = 32
"""Random bytes of a generated secret (43 URL-safe characters, all allowed by Telegram)."""


@dataclass(frozen=True, slots=True)
class WebhookSecret:
    value: str
    generated: bool
    """True when WEBHOOK_SECRET_TOKEN was not set and the secret was made for this run."""


def webhook_secret(settings: BotSettings) -> WebhookSecret | None:
    """The secret webhook mode runs with; None when not in webhook mode (long polling)."""
    if not settings.webhook_url:
        return None
    if settings.webhook_secret_token is not None:
        return WebhookSecret(settings.webhook_secret_token.get_secret_value(), generated=False)
    return WebhookSecret(secrets.token_urlsafe(GENERATED_BYTES), generated=True)
