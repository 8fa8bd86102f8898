"""Alerts end to end: the real Application and JobQueue on the Bot API emulator, a real index on
disk written by the command line in another process (or by the bot's inbox), a real SQLite log.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.alerts.model import NewAlert, Sensitivity, now_iso
from bot.alerts.subscriptions import SubscriptionStore
from bot.citations import format_date
from bot.settings import BotSettings
from index import Embedder, IndexWriter
from tests.bot.alerts.conftest import OTHER_USER, ROUND_SECONDS
from tests.bot.conftest import GROUP_ID, USER_ID, bot_settings, running_bot
from tests.conftest import fill_disk, today, write_article
from tests.emulator import BotApiEmulator
from tests.index.search.test_hits import FORMAT_1

pytestmark = pytest.mark.slow

CHANNEL_ID = -100999
BALTIC_TOPIC = "Russian military threats to Estonia and the Baltic states"
CAKE_TOPIC = "chocolate cake baking recipes"


ESTONIA_TITLE = "Estonia reports Russian military drones over its eastern border"
ESTONIA_BODY = (
    "Estonia's border guard said on Tuesday that Russian military drones crossed into Estonian "
    "airspace near Narva three times this week. The Estonian defence minister called the flights "
    "a deliberate provocation and said Russia was testing how the Baltic states respond.\n\n"
    "Latvia and Lithuania said they would raise defence spending and asked Nato allies to "
    "station more air-defence systems in the Baltic region, warning that Russian pressure on "
    "the three countries has grown since the start of the war in Ukraine."
)


def add_with_cli(inbox: Path, *paths: Path, index_dir: Path) -> None:
    """`python -m index add` in its own process, as an editor would run it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "index",
            "-q",
            "add",
            *map(str, paths),
            "--index-dir",
            str(index_dir),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )


def texts_in(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in emulator.sent_messages(chat_id)]


async def command(
    emulator: BotApiEmulator, chat_id: int, user_id: int, text: str
) -> dict[str, Any]:
    """Send a command and wait for the bot's reply in that chat."""
    before = len(emulator.sent_messages(chat_id))
    emulator.send_message(chat_id, user_id, text)
    return (await emulator.wait_for_messages(chat_id, before + 1))[-1]


async def rounds(count: int = 4) -> None:
    """Let a few alert rounds pass (to see that something does *not* happen)."""
    await asyncio.sleep(count * ROUND_SECONDS + 0.5)


async def test_group_admins_subscribe_and_others_are_refused(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder
) -> None:
    async with running_bot(alert_settings, embedder):
        refused = await command(emulator, GROUP_ID, OTHER_USER, f"/subscribe {BALTIC_TOPIC}")
        assert "Only the administrators" in refused["text"]
        done = await command(emulator, GROUP_ID, USER_ID, f"/subscribe strict {BALTIC_TOPIC}")
        assert "Subscribed" in done["text"] and BALTIC_TOPIC in done["text"]
        listed = await command(emulator, GROUP_ID, OTHER_USER, "/subscriptions")
        assert f"1. {BALTIC_TOPIC} · strict" in listed["text"]
        refused = await command(emulator, GROUP_ID, OTHER_USER, "/unsubscribe 1")
        assert "Only the administrators" in refused["text"]
        stopped = await command(emulator, GROUP_ID, USER_ID, "/unsubscribe 1")
        assert "Unsubscribed" in stopped["text"]
        usage = await command(emulator, GROUP_ID, USER_ID, "/subscribe")
        assert "/subscribe all" in usage["text"]


async def test_an_article_added_by_the_cli_is_alerted_once_where_it_matches(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    async with running_bot(alert_settings, embedder):
        await command(emulator, GROUP_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        await command(emulator, USER_ID, USER_ID, f"/subscribe {CAKE_TOPIC}")
        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(
            add_with_cli, tmp_path, article, index_dir=alert_settings.resolved_index_dir
        )
        messages = await emulator.wait_for_messages(GROUP_ID, 2, timeout=60)
        alert = messages[-1]
        assert alert["text"].startswith(f"🔔 New article on “{BALTIC_TOPIC}”")
        assert ESTONIA_TITLE in alert["text"]
        assert f"Test Wire · {format_date(today())}" in alert["text"]
        bold = [e for e in alert["entities"] if e["type"] == "bold"]
        assert len(bold) >= 2  # the header and the matching sentence
        buttons = alert["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["text"].startswith("🔕 Unsubscribe")
        await rounds()
        assert len(emulator.sent_messages(GROUP_ID)) == 2
        assert not any(ESTONIA_TITLE in t for t in texts_in(emulator, USER_ID))

    # A restart, and the same article added again: no second alert.
    async with running_bot(alert_settings, embedder):
        await asyncio.to_thread(
            add_with_cli, tmp_path, article, index_dir=alert_settings.resolved_index_dir
        )
        await rounds()
    assert sum(ESTONIA_TITLE in t for t in texts_in(emulator, GROUP_ID)) == 1


async def test_articles_added_while_the_bot_was_down_are_alerted_once_on_start(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    async with running_bot(alert_settings, embedder):
        await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
    article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
    await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [article])
    hourly = alert_settings.model_copy(update={"alert_interval_seconds": 3600})
    async with running_bot(hourly, embedder):  # the first round runs at start, not an hour on
        messages = await emulator.wait_for_messages(USER_ID, 2, timeout=30)
        assert ESTONIA_TITLE in messages[-1]["text"]
        await rounds()
    async with running_bot(alert_settings, embedder):
        await rounds()
    assert sum(ESTONIA_TITLE in t for t in texts_in(emulator, USER_ID)) == 1


async def test_a_channel_is_subscribed_by_its_own_post_or_by_an_admin_in_private(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    emulator.channel(CHANNEL_ID, "Baltic Watch", username="balticwatch")
    emulator.set_admins(CHANNEL_ID, [USER_ID])
    async with running_bot(alert_settings, embedder):
        emulator.channel_post(CHANNEL_ID, "/subscribe all")
        confirmed = await emulator.wait_for_messages(CHANNEL_ID, 1)
        assert "every new article" in confirmed[0]["text"]
        refused = await command(
            emulator, OTHER_USER, OTHER_USER, f"/subscribe @balticwatch {BALTIC_TOPIC}"
        )
        assert "Only admins of that channel" in refused["text"]
        missing = await command(emulator, USER_ID, USER_ID, "/subscribe @nosuchchannel Estonia")
        assert "cannot find" in missing["text"]
        done = await command(
            emulator, USER_ID, USER_ID, f"/subscribe @balticwatch broad {BALTIC_TOPIC}"
        )
        assert "Subscribed in @balticwatch" in done["text"]
        listed = await command(emulator, USER_ID, USER_ID, "/subscriptions @balticwatch")
        assert "2 followed topics" in listed["text"] and "every new article" in listed["text"]

        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [article])
        messages = await emulator.wait_for_messages(CHANNEL_ID, 2, timeout=30)
        alert = messages[-1]["text"]
        # One message for the article, naming the topic it matched.
        assert ESTONIA_TITLE in alert and f"“{BALTIC_TOPIC}”" in alert
        await rounds()
        assert len(emulator.sent_messages(CHANNEL_ID)) == 2


TWENTY_EVENTS = [
    (
        "Aberdeen opens a new harbour terminal",
        "The port authority opened a container terminal that doubles the harbour's capacity.",
    ),
    (
        "Kericho tea growers expect a record harvest",
        "Estates in the highlands say the long rains came on time for the first year since 2019.",
    ),
    (
        "Lisbon opens a cycling bridge over the Tagus",
        "The two-kilometre bridge links the city centre to the southern bank for bicycles.",
    ),
    (
        "Norwegian teenager wins the Oslo chess open",
        "A sixteen-year-old from Bergen beat three grandmasters in the final rounds.",
    ),
    (
        "Malaria vaccine trial in Ghana reports strong results",
        "Researchers said the vaccine cut cases among children by seventy percent in two years.",
    ),
    (
        "Vienna's natural history museum reopens after repairs",
        "The museum's dinosaur hall was closed for four years while its roof was rebuilt.",
    ),
    (
        "Lyon bakery wins the national croissant prize",
        "Judges praised the butter and the layering of a family bakery founded in 1952.",
    ),
    (
        "India launches a weather satellite from Sriharikota",
        "The satellite will track monsoon clouds and cyclones over the Bay of Bengal.",
    ),
    (
        "Wildfire forces evacuations on the Greek island of Evia",
        "Firefighters and water-bombing planes fought flames driven by strong northern winds.",
    ),
    (
        "Biologists describe a new frog species in Ecuador",
        "The tiny frog was found in cloud forest on a single mountain ridge in the Andes.",
    ),
    (
        "Kenyan runner breaks the Berlin marathon record",
        "She finished in two hours and eleven minutes, a minute faster than the old record.",
    ),
    (
        "Busan film festival opens with a Korean thriller",
        "Two hundred films from seventy countries will be shown over ten days.",
    ),
    (
        "Swiss central bank leaves interest rates unchanged",
        "The bank said inflation had fallen back within its target range this year.",
    ),
    (
        "Tokyo schools hold a city-wide earthquake drill",
        "Two million pupils practised sheltering under desks and leaving buildings calmly.",
    ),
    (
        "Helsinki's new central library lends its millionth book",
        "The library, opened in 2018, has become the city's most visited public building.",
    ),
    (
        "Berlin Philharmonic sets off on an Asian tour",
        "The orchestra will play in Seoul, Taipei and Shanghai over three weeks.",
    ),
    (
        "Bordeaux winemakers start an early grape harvest",
        "A hot, dry summer ripened the grapes two weeks earlier than usual.",
    ),
    (
        "Storks return early to Alsace as winters warm",
        "Ornithologists counted twice as many nesting pairs as a decade ago.",
    ),
    (
        "Reykjavik opens a geothermal greenhouse for bananas",
        "The greenhouse uses hot springs to grow tropical fruit all year round.",
    ),
    (
        "Montreal approves a new metro line to the east end",
        "The city council voted for twelve new stations to be built over eight years.",
    ),
]
"""Twenty events, each its own story (a burst of copies of one event would be one alert)."""


async def test_a_burst_of_twenty_stories_becomes_one_digest(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    folder = tmp_path / "burst"
    for number, (title, body) in enumerate(TWENTY_EVENTS):
        write_article(folder, f"event-{number}.md", title, body)
    async with running_bot(alert_settings, embedder):
        await command(emulator, GROUP_ID, USER_ID, "/subscribe all")
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [folder])
        messages = await emulator.wait_for_messages(GROUP_ID, 2, timeout=60)
        await rounds()
        assert len(emulator.sent_messages(GROUP_ID)) == 2
    digest = messages[-1]["text"]
    assert digest.startswith("🗞 Alert digest: 20 new stories")
    assert all(title in digest for title, _ in TWENTY_EVENTS)
    assert len(digest) <= 4096


async def test_a_chat_that_removed_the_bot_is_not_alerted_any_more(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    other_group = -100555
    emulator.group(other_group, "Quiet readers", type="supergroup")
    emulator.set_admins(other_group, [USER_ID])
    async with running_bot(alert_settings, embedder):
        await command(emulator, GROUP_ID, USER_ID, "/subscribe all")
        await command(emulator, other_group, USER_ID, "/subscribe all")
        emulator.bot_removed_from_chat(GROUP_ID, USER_ID)  # the bot sees my_chat_member
        emulator.bot_removed_from_chat(other_group, USER_ID, deliver="none")  # it does not
        await rounds(2)
        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [article])
        await emulator.wait_for_call(
            "sendMessage",
            lambda params: int(params["chat_id"]) == other_group and "Estonia" in params["text"],
        )
        await rounds()
        second = write_article(
            tmp_path / "more", "latvia.md", "Latvia " + ESTONIA_TITLE, ESTONIA_BODY
        )
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [second])
        await rounds()
    alert_calls = [
        c for c in emulator.calls("sendMessage") if "New article" in c["params"].get("text", "")
    ]
    # One attempt in the chat that removed the bot silently (403), none in the one that said so.
    assert [int(c["params"]["chat_id"]) for c in alert_calls] == [other_group]
    store = SubscriptionStore(alert_settings.resolved_subscriptions_db)
    assert store.of_chat(GROUP_ID) == [] and store.of_chat(other_group) == []
    assert store.chat(other_group).disabled_reason is not None
    store.close()


@pytest.mark.parametrize("bot_sees_it", [True, False], ids=["service-message", "send-error"])
async def test_alerts_follow_a_group_that_became_a_supergroup(
    emulator: BotApiEmulator,
    alert_settings: BotSettings,
    embedder: Embedder,
    tmp_path: Path,
    bot_sees_it: bool,
) -> None:
    """Via the migration service message, or via the error when posting to the old id."""
    old_id, new_id = -4321, -1004321
    emulator.group(old_id, "Small group", type="group")
    emulator.set_admins(old_id, [USER_ID])
    async with running_bot(alert_settings, embedder):
        await command(emulator, old_id, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        emulator.migrate_group(old_id, new_id, deliver="auto" if bot_sees_it else "none")
        await rounds(2)
        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [article])
        messages = await emulator.wait_for_messages(new_id, 1, timeout=30)
        assert ESTONIA_TITLE in messages[0]["text"]


async def test_flood_control_delays_an_alert_and_never_drops_it(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    async with running_bot(alert_settings, embedder):
        await command(emulator, USER_ID, USER_ID, "/subscribe all")
        # More 429s than the rate limiter retries: the round gives up, a later one sends it.
        emulator.fail_next("sendMessage", 429, retry_after=1, times=7)
        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [article])
        messages = await emulator.wait_for_messages(USER_ID, 2, timeout=60)
        assert ESTONIA_TITLE in messages[-1]["text"]
        await rounds()
    assert sum(ESTONIA_TITLE in t for t in texts_in(emulator, USER_ID)) == 1


async def test_the_unsubscribe_button_and_the_inbox_folder(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    inbox = alert_settings.resolved_inbox_dir
    async with running_bot(alert_settings, embedder):
        await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        draft = write_article(tmp_path, "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "broken.json").write_text("{not json", "utf-8")
        draft.rename(inbox / "estonia.md")
        messages = await emulator.wait_for_messages(USER_ID, 2, timeout=60)
        alert = messages[-1]
        assert ESTONIA_TITLE in alert["text"]
        assert (inbox / "done" / "estonia.md").exists()
        assert (inbox / "failed" / "broken.json").exists()

        button = alert["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        emulator.press_button(alert, button, USER_ID)
        await emulator.wait_for_call("answerCallbackQuery")
        listed = await command(emulator, USER_ID, USER_ID, "/subscriptions")
        assert "follows no topics" in listed["text"]


async def test_a_daily_digest_chat_gets_its_alerts_at_its_own_local_time(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """`/digest daily HH:MM Asia/Tokyo`: the digest goes out once that Tokyo time has come since
    the last digest, and not at that hour UTC."""
    database = alert_settings.resolved_subscriptions_db
    async with running_bot(alert_settings, embedder):
        await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        switched = await command(emulator, USER_ID, USER_ID, "/digest daily")
        assert "once a day" in switched["text"] and "08:00 UTC" in switched["text"]
        article = write_article(tmp_path / "new", "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        await asyncio.to_thread(IndexWriter(alert_settings, embedder).add, [article])
        await rounds()
        assert len(emulator.sent_messages(USER_ID)) == 2  # nothing yet: no digest time came
        # Two hours pass since the digest clock started, and the chat picks the current minute
        # in Tokyo: that time came one to sixty seconds ago there (nine hours ahead of UTC, so
        # read as UTC it would be hours away).
        two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
        with sqlite3.connect(database) as db:
            db.execute("UPDATE chats SET digest_sent_at = ?", (two_hours_ago,))
        tokyo = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
        emulator.send_message(USER_ID, USER_ID, f"/digest daily {tokyo} asia/tokyo")
        # The reply and the digest, in either order: a round may run before the reply is sent.
        reply, digest = sorted(
            (m["text"] for m in (await emulator.wait_for_messages(USER_ID, 4))[2:]),
            key=lambda text: text.startswith("🗞 Daily digest"),
        )
        assert f"at {tokyo} Asia/Tokyo" in reply
        assert digest.startswith("🗞 Daily digest: 1 new story") and ESTONIA_TITLE in digest
        await rounds(3)
        assert len(emulator.sent_messages(USER_ID)) == 4  # once
        shown = await command(emulator, USER_ID, USER_ID, "/digest")
        assert f"once a day, at {tokyo} Asia/Tokyo" in shown["text"]
        listed = await command(emulator, USER_ID, USER_ID, "/subscriptions")
        assert f"alerts once a day at {tokyo} Asia/Tokyo" in listed["text"]
        for wrong, said in (("25:00", "is not a time of day"), ("07:30 Mars/Olympus", "time zone")):
            refused = await command(emulator, USER_ID, USER_ID, f"/digest daily {wrong}")
            assert said in refused["text"]


async def test_a_file_that_breaks_a_library_goes_to_failed_and_the_round_goes_on(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    """PyYAML's ValueError for a date that does not exist once stopped every round for good."""
    inbox = alert_settings.resolved_inbox_dir
    async with running_bot(alert_settings, embedder):
        await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        inbox.mkdir(parents=True, exist_ok=True)
        (tmp_path / "bad-date.md").write_text("---\npublished: 2024-13-45\n---\nA story.\n")
        with open(os.fsencode(tmp_path) + b"/odd\xffname.txt", "wb") as handle:
            handle.write(b"The bakery on the corner sold out of bread by nine in the morning.")
        draft = write_article(tmp_path, "estonia.md", ESTONIA_TITLE, ESTONIA_BODY)
        for name in (b"bad-date.md", b"odd\xffname.txt", b"estonia.md"):  # all in one round
            os.rename(os.fsencode(tmp_path) + b"/" + name, os.fsencode(inbox) + b"/" + name)
        assert draft.name == "estonia.md"
        messages = await emulator.wait_for_messages(USER_ID, 2, timeout=60)
        assert ESTONIA_TITLE in messages[-1]["text"]
        assert (inbox / "failed" / "bad-date.md").exists()
        assert sorted(os.listdir(os.fsencode(inbox / "done"))) == [
            b"estonia.md",
            b"odd\xffname.txt",
        ]
        await rounds()
        assert sum(ESTONIA_TITLE in t for t in texts_in(emulator, USER_ID)) == 1


async def test_two_different_files_of_one_name_dropped_in_the_inbox_are_both_alerted(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder, tmp_path: Path
) -> None:
    inbox = alert_settings.resolved_inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    harbour = "Tallinn opens a new harbour terminal"
    async with running_bot(alert_settings, embedder):
        await command(emulator, USER_ID, USER_ID, "/subscribe all")
        write_article(tmp_path / "one", "story.md", ESTONIA_TITLE, ESTONIA_BODY).rename(
            inbox / "story.md"
        )
        await emulator.wait_for_messages(USER_ID, 2, timeout=60)
        write_article(
            tmp_path / "two", "story.md", harbour,
            "The port authority of Tallinn opened a new container terminal on Monday, doubling "
            "the harbour's capacity.",
        ).rename(inbox / "story.md")  # fmt: skip
        await emulator.wait_for_messages(USER_ID, 3, timeout=60)
        await rounds()
    texts = texts_in(emulator, USER_ID)
    assert sum(ESTONIA_TITLE in t for t in texts) == 1 and sum(harbour in t for t in texts) == 1
    assert len(list((inbox / "done").iterdir())) == 2


async def test_a_full_disk_is_logged_once_and_the_inbox_waits_for_room(
    emulator: BotApiEmulator,
    seed_index_dir: Path,
    small_disk: Path,
    embedder: Embedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data_dir = small_disk / "data"
    shutil.copytree(seed_index_dir, data_dir / "index", symlinks=True)
    settings = bot_settings(emulator, data_dir, alert_interval_seconds=ROUND_SECONDS)
    inbox = settings.resolved_inbox_dir
    inbox.mkdir(parents=True)
    write_article(inbox, ".estonia.md", ESTONIA_TITLE, ESTONIA_BODY)  # hidden: not taken yet
    async with running_bot(settings, embedder):
        await command(emulator, USER_ID, USER_ID, f"/subscribe {BALTIC_TOPIC}")
        filler = fill_disk(small_disk)
        os.utime(inbox / ".estonia.md", (1, 1))  # settled long ago
        (inbox / ".estonia.md").rename(inbox / "estonia.md")  # no new space needed
        with caplog.at_level("INFO", logger="bot.alerts.jobs"):
            await rounds(8)
            full = [r for r in caplog.records if "inbox: the disk is full" in r.getMessage()]
            assert len(full) == 1, "said once, not every round"
            assert (inbox / "estonia.md").exists(), "the article waits in the inbox, not failed/"
            filler.unlink()
            messages = await emulator.wait_for_messages(USER_ID, 2, timeout=60)
            assert ESTONIA_TITLE in messages[-1]["text"]
            assert (inbox / "done" / "estonia.md").exists()
            assert any("inbox: working again" in r.getMessage() for r in caplog.records)


async def test_a_pending_alert_written_by_an_older_version_is_delivered_after_an_upgrade(
    emulator: BotApiEmulator, alert_settings: BotSettings, embedder: Embedder
) -> None:
    """The log holds a citation in the first record format (no `format` key), as the bot wrote
    it before an upgrade stopped it mid-round; the upgraded bot sends it, once."""
    store = SubscriptionStore(alert_settings.resolved_subscriptions_db)
    subscription = store.add(GROUP_ID, "all", Sensitivity.NORMAL, None, chat_title="Readers")
    old = NewAlert(GROUP_ID, subscription.id, FORMAT_1["article_id"], 1.0, dict(FORMAT_1))
    assert store.record_matches([old], now_iso()) == 1
    store.close()
    async with running_bot(alert_settings, embedder):
        await emulator.wait_for_call(
            "sendMessage",
            lambda params: (
                int(params["chat_id"]) == GROUP_ID and FORMAT_1["title"] in params["text"]
            ),
        )
        await rounds(3)
    sent = [t for t in texts_in(emulator, GROUP_ID) if FORMAT_1["title"] in t]
    assert len(sent) == 1 and "Narva" in sent[0]
    store = SubscriptionStore(alert_settings.resolved_subscriptions_db)
    assert store.alert_counts() == {"sent": 1}
    store.close()
