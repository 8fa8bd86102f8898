"""Story alerts delivered to the Bot API emulator from a real alert log (SQLite and PostgreSQL):
one message per story, edited when another outlet's article joins it, left alone once deleted,
and nothing twice across restarts, crashes between Telegram and the log, or flood control."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
from telegram import Bot
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.alerts.delivery import AlertSender
from bot.alerts.model import Delivery, NewAlert, Sensitivity, Subscription
from bot.alerts.subscriptions import SubscriptionStore
from index import hit_record
from tests.bot.rendering_helpers import make_hit
from tests.emulator import BotApiEmulator

CHAT = -100321
ADMIN = 4242
VECTOR = np.ones(4, dtype=np.float32)


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator() as emulator:
        emulator.user(ADMIN, "Ann")
        emulator.group(CHAT, "Port watch", type="supergroup")
        emulator.set_admins(CHAT, [ADMIN])
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """As the application builds it: HTML by default."""
    html = Defaults(parse_mode=ParseMode.HTML)
    async with ExtBot(emu.token, base_url=emu.base_url, defaults=html) as tg_bot:
        yield tg_bot


@pytest.fixture
def store(database: Path | str) -> Iterator[SubscriptionStore]:
    opened = SubscriptionStore(database)
    yield opened
    opened.close()


def arrive(
    store: SubscriptionStore,
    sub: Subscription,
    article: str,
    story: str,
    source: str,
    *,
    follows: str | None = None,
    title: str | None = None,
) -> None:
    """An article of `source` about `story` was indexed and matched the subscription."""
    hit = make_hit(
        article_id=article, source=source, title=title or f"Dock strike, by {source}",
        url=f"https://{source.lower()}.example/{article}",
    )  # fmt: skip
    match = NewAlert(CHAT, sub.id, article, 0.7, hit_record(hit), story, follows)
    assert store.record_matches([match], "") == 1


def texts(emu: BotApiEmulator) -> list[str]:
    return [m["text"] for m in emu.sent_messages(CHAT)]


def calls(emu: BotApiEmulator, method: str) -> list[dict]:
    return emu.calls(method)


async def test_a_late_outlet_edits_the_storys_alert_once_and_a_restart_does_nothing(
    emu: BotApiEmulator, bot: Bot, store: SubscriptionStore, database: Path | str
) -> None:
    sub = store.add(CHAT, "dock strike", Sensitivity.NORMAL, VECTOR)
    sender = AlertSender(store, digest_after=3)
    arrive(store, sub, "bbc-1", "strike", "BBC")
    assert await sender.deliver(bot, Delivery.INSTANT) == 1
    (alert,) = emu.sent_messages(CHAT)
    assert "Also reported" not in alert["text"]

    arrive(store, sub, "rtr-1", "strike", "Reuters")
    arrive(store, sub, "bbc-2", "strike", "BBC")  # the same outlet again: nothing to add
    assert await sender.deliver(bot, Delivery.INSTANT) == 0, "no new message"
    (edited,) = emu.sent_messages(CHAT)
    assert edited["message_id"] == alert["message_id"]
    assert edited["text"] == alert["text"] + "\n\nAlso reported by Reuters"
    link = edited["entities"][-1]
    assert (link["type"], link["url"]) == ("text_link", "https://reuters.example/rtr-1")
    assert edited["reply_markup"] == alert["reply_markup"], "the unsubscribe button stays"
    assert store.alert_counts() == {"sent": 3}

    arrive(store, sub, "ap-1", "strike", "AP")
    await sender.deliver(bot, Delivery.INSTANT)
    assert texts(emu) == [alert["text"] + "\n\nAlso reported by Reuters, AP"]

    store.close()  # a restart: a new process, the same log
    reopened = SubscriptionStore(database)
    try:
        assert await AlertSender(reopened, digest_after=3).deliver(bot, Delivery.INSTANT) == 0
    finally:
        reopened.close()
    assert len(calls(emu, "editMessageText")) == 2 and len(calls(emu, "sendMessage")) == 1


async def test_an_edit_made_but_not_recorded_is_not_modified_the_next_time_and_counts_as_done(
    emu: BotApiEmulator,
    bot: Bot,
    store: SubscriptionStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sub = store.add(CHAT, "dock strike", Sensitivity.NORMAL, VECTOR)
    sender = AlertSender(store, digest_after=3)
    arrive(store, sub, "bbc-1", "strike", "BBC")
    await sender.deliver(bot, Delivery.INSTANT)
    arrive(store, sub, "rtr-1", "strike", "Reuters")

    def crash(*_: object) -> None:
        raise RuntimeError("the process died after Telegram accepted the edit")

    with monkeypatch.context() as patched:
        patched.setattr(store, "story_edited", crash)
        with pytest.raises(RuntimeError):
            await sender.deliver(bot, Delivery.INSTANT)
    assert store.alert_counts() == {"sent": 1, "pending": 1}

    assert await sender.deliver(bot, Delivery.INSTANT) == 0
    first, again = calls(emu, "editMessageText")
    assert first["ok"] and not again["ok"]
    assert again["description"].startswith("Bad Request: message is not modified")
    assert store.alert_counts() == {"sent": 2}, "not modified: done"
    assert len(emu.sent_messages(CHAT)) == 1 and texts(emu)[0].endswith("by Reuters")


async def test_a_deleted_alert_is_left_alone_never_resent_and_logged_once(
    emu: BotApiEmulator, bot: Bot, store: SubscriptionStore, caplog: pytest.LogCaptureFixture
) -> None:
    sub = store.add(CHAT, "dock strike", Sensitivity.NORMAL, VECTOR)
    sender = AlertSender(store, digest_after=3)
    arrive(store, sub, "bbc-1", "strike", "BBC")
    await sender.deliver(bot, Delivery.INSTANT)
    (alert,) = emu.sent_messages(CHAT)
    emu.delete_message(CHAT, alert["message_id"], by_user=ADMIN)

    with caplog.at_level("WARNING", logger="bot.alerts.story_edits"):
        arrive(store, sub, "rtr-1", "strike", "Reuters")
        assert await sender.deliver(bot, Delivery.INSTANT) == 0
        arrive(store, sub, "ap-1", "strike", "AP")
        assert await sender.deliver(bot, Delivery.INSTANT) == 0
    (warned,) = [r.getMessage() for r in caplog.records]
    assert "can no longer be edited (Message to edit not found)" in warned
    assert "not sent again" in warned
    assert len(calls(emu, "editMessageText")) == 1, "tried once; left alone after"
    assert len(calls(emu, "sendMessage")) == 1 and emu.sent_messages(CHAT) == []
    assert store.alert_counts() == {"sent": 1, "dropped": 2}


async def test_flood_control_on_an_edit_keeps_it_pending_for_the_next_round(
    emu: BotApiEmulator, bot: Bot, store: SubscriptionStore
) -> None:
    sub = store.add(CHAT, "dock strike", Sensitivity.NORMAL, VECTOR)
    sender = AlertSender(store, digest_after=3)
    arrive(store, sub, "bbc-1", "strike", "BBC")
    await sender.deliver(bot, Delivery.INSTANT)
    arrive(store, sub, "rtr-1", "strike", "Reuters")
    emu.fail_next("editMessageText", retry_after=1)
    await sender.deliver(bot, Delivery.INSTANT)
    assert store.alert_counts() == {"sent": 1, "pending": 1} and "Reuters" not in texts(emu)[0]
    await sender.deliver(bot, Delivery.INSTANT)
    assert store.alert_counts() == {"sent": 2} and texts(emu)[0].endswith("by Reuters")
    assert len(emu.sent_messages(CHAT)) == 1


async def test_a_new_development_alerts_again_saying_what_it_follows(
    emu: BotApiEmulator, bot: Bot, store: SubscriptionStore
) -> None:
    sub = store.add(CHAT, "dock strike", Sensitivity.NORMAL, VECTOR)
    sender = AlertSender(store, digest_after=3)
    arrive(store, sub, "bbc-1", "strike", "BBC", title="Dock workers walk out at Antwerp")
    await sender.deliver(bot, Delivery.INSTANT)
    arrive(store, sub, "bbc-9", "strike-ends", "BBC", follows="strike", title="Dock strike ends")
    arrive(store, sub, "bbc-7", "elsewhere", "BBC", follows="never-alerted", title="Rail strike")
    assert await sender.deliver(bot, Delivery.INSTANT) == 2
    _, update, other = texts(emu)
    assert update.startswith(
        "🔔 New article on “dock strike”\n↪️ Update on: Dock workers walk out at Antwerp\n\n"
        "Dock strike ends"
    )
    assert "Update on" not in other


async def test_a_daily_digest_lists_stories_and_a_late_copy_is_not_sent_again(
    emu: BotApiEmulator, bot: Bot, store: SubscriptionStore
) -> None:
    sub = store.add(CHAT, "dock strike", Sensitivity.NORMAL, VECTOR)
    store.set_delivery(CHAT, Delivery.DAILY)
    sender = AlertSender(store, digest_after=3)
    arrive(store, sub, "bbc-1", "strike", "BBC")
    arrive(store, sub, "rtr-1", "strike", "Reuters")
    arrive(store, sub, "bbc-5", "harbour", "BBC", title="Harbour reopens")
    assert await sender.deliver(bot, Delivery.DAILY) == 1
    (digest,) = texts(emu)
    assert digest.startswith("🗞 Daily digest: 2 new stories")
    assert digest.count("Also reported by Reuters") == 1
    arrive(store, sub, "ap-1", "strike", "AP")
    assert await sender.deliver(bot, Delivery.DAILY) == 0
    assert texts(emu) == [digest] and calls(emu, "editMessageText") == []
    assert store.alert_counts() == {"sent": 3, "dropped": 1}
