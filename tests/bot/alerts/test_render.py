"""The pure side of alerts: command arguments, message planning and Telegram-valid rendering."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.arguments import (
    SubscribeRequest,
    parse_delivery,
    parse_subscribe,
    parse_unsubscribe,
    split_channel,
)
from bot.alerts.delivery import plan_messages, readable
from bot.alerts.model import Delivery, PendingAlert, Sensitivity, Subscription
from bot.alerts.render import ArticleAlert, format_alert, format_digest, format_subscriptions
from bot.alerts.stories import plan_stories
from index import hit_record
from tests.bot.rendering_helpers import SENTENCE, entity_texts, hit_lists, make_hit, tricky_text
from tests.emulator import parse_html, utf16_len


def pending(article: str, sub_id: int = 1, topic: str = "Estonia", **hit: object) -> PendingAlert:
    fields: dict[str, object] = {"title": f"Title {article}", **hit}
    citation = hit_record(make_hit(article_id=article, **fields))
    return PendingAlert(-7, sub_id, topic, topic == "all", article, 0.6, citation, "t")


def test_subscribe_arguments() -> None:
    assert parse_subscribe("Russian attacks on the Baltic states", 200) == SubscribeRequest(
        None, "Russian attacks on the Baltic states", Sensitivity.NORMAL
    )
    assert parse_subscribe("  STRICT   Estonia\n", 200) == SubscribeRequest(
        None, "Estonia", Sensitivity.STRICT
    )
    assert parse_subscribe("@baltic_news broad Estonia", 200) == SubscribeRequest(
        "@baltic_news", "Estonia", Sensitivity.BROAD
    )
    assert parse_subscribe("all", 200) == SubscribeRequest(None, None, Sensitivity.NORMAL)
    assert parse_subscribe("@baltic_news All", 200) == SubscribeRequest(
        "@baltic_news", None, Sensitivity.NORMAL
    )
    cut = parse_subscribe("word " * 100, 30)
    assert cut is not None and cut.cut and cut.topic == "word word word word word word"
    for nothing in ("", "   ", "strict", "@baltic_news", "👍 !!", "@baltic_news strict"):
        assert parse_subscribe(nothing, 200) is None, nothing
    # "@x" is too short for a username, so it is part of the topic.
    assert parse_subscribe("@x marks", 200) == SubscribeRequest(
        None, "@x marks", Sensitivity.NORMAL
    )


def test_other_command_arguments() -> None:
    assert split_channel("@baltic_news 2").channel == "@baltic_news"
    assert split_channel("@baltic_news 2").rest == "2"
    assert split_channel("2").channel is None
    assert parse_unsubscribe("2") == 2 and parse_unsubscribe(" ALL ") == "all"
    assert parse_unsubscribe("two") is None and parse_unsubscribe("") is None
    assert parse_delivery("daily") is Delivery.DAILY and parse_delivery("off") is Delivery.INSTANT
    assert parse_delivery("weekly") is None


def decoded(alerts: list[PendingAlert]) -> list:
    found, problems = readable(alerts)
    assert problems == []
    return found


def new_stories(alerts: list[PendingAlert]) -> list:
    """The stories of a chat that has none yet (each article its own story here)."""
    return plan_stories(decoded(alerts), {}).new


def test_an_unreadable_citation_stays_out_of_the_messages_and_is_named() -> None:
    good, newer = pending("a"), pending("b")
    newer = PendingAlert(*[getattr(newer, f) for f in ("chat_id", "subscription_id", "topic",
                           "every_article", "article_id", "score")],
                         {**newer.citation, "format": 99}, newer.matched_at)  # fmt: skip
    found, problems = readable([good, newer])
    assert [a.article_id for a, _ in found] == ["a"]
    assert len(problems) == 1 and "format 99" in problems[0] and "'b'" in problems[0]


def test_an_alert_names_topic_article_source_date_and_bolds_the_sentence() -> None:
    text = format_alert(ArticleAlert(make_hit(), ("Estonia & <Nato>",)))
    plain, _ = parse_html(text)
    assert plain.startswith("🔔 New article on “Estonia & <Nato>”")
    assert "BBC · 26 Feb 2024" in plain
    assert entity_texts(text, "bold")[-1] == SENTENCE
    assert entity_texts(text, "text_link") == ["Macron says sending troops is not ruled out"]
    every = parse_html(format_alert(ArticleAlert(make_hit(), ())))[0]
    assert every.startswith("🔔 New article\n") and "match" not in every


@settings(max_examples=60, deadline=None)
@given(hit_lists(), st.lists(tricky_text, max_size=3))
def test_alerts_and_digests_are_valid_telegram_html(
    found: tuple[list, list[str]], topics: list[str]
) -> None:
    hits, _ = found
    alerts = [ArticleAlert(hit, tuple(topics)) for hit in hits]
    for alert in alerts:
        plain, _ = parse_html(format_alert(alert))
        assert utf16_len(plain) <= 4096
    for daily in (False, True):
        for message in format_digest(alerts * 5, daily=daily):
            plain, _ = parse_html(message)
            assert utf16_len(plain) <= 4096


def test_twenty_articles_fit_one_digest_and_hundreds_split() -> None:
    alerts = [ArticleAlert(make_hit(title=f"Harbour {i} " * 8), ("Ports",)) for i in range(20)]
    (single,) = format_digest(alerts, daily=False)
    plain, _ = parse_html(single)
    assert plain.startswith("🗞 Alert digest: 20 new stories")
    assert all(f"Harbour {i} " in plain for i in range(20)) and SENTENCE[:40] in plain
    many = format_digest(alerts * 15, daily=True)
    assert len(many) > 1
    assert all(utf16_len(parse_html(m)[0]) <= 4096 for m in many)


def test_a_few_alerts_go_one_by_one_and_an_article_matching_twice_once() -> None:
    planned = plan_messages(
        new_stories([pending("a"), pending("a", 2, "Baltic states"), pending("b")]),
        digest_after=3,
        daily=False,
    )
    assert len(planned) == 2
    first = parse_html(planned[0].text)[0]
    assert first.startswith("🔔 New article on “Estonia”, “Baltic states”")
    assert [k[1] for k in planned[0].keys] == [1, 2] and planned[0].buttons == [
        (1, "Estonia"),
        (2, "Baltic states"),
    ]


def test_a_burst_or_a_daily_chat_gets_one_digest_settling_every_alert() -> None:
    burst = [pending(str(i)) for i in range(4)] + [pending("0", 9, "all")]
    (digest,) = plan_messages(new_stories(burst), digest_after=3, daily=False)
    assert parse_html(digest.text)[0].startswith("🗞 Alert digest: 4 new stories")
    assert len(digest.keys) == 5 and digest.buttons == [(1, "Estonia"), (9, None)]
    (daily,) = plan_messages(new_stories(burst[:1]), digest_after=3, daily=True)
    assert parse_html(daily.text)[0].startswith("🗞 Daily digest: 1 new story ")


def test_a_split_digest_settles_its_alerts_with_the_last_part() -> None:
    long_text = "A sentence about ports. " * 40
    alerts = [
        pending(str(i), text=long_text, title="T" * 100, bold_sentence=(0, 10)) for i in range(120)
    ]
    parts = plan_messages(new_stories(alerts), digest_after=3, daily=False)
    assert len(parts) > 1
    assert all(not p.keys and not p.buttons for p in parts[:-1])
    assert len(parts[-1].keys) == 120 and parts[-1].buttons


def test_the_subscription_list_is_numbered_with_sensitivities() -> None:
    vector = np.zeros(2, dtype=np.float32)
    subs = [
        Subscription(1, -7, "Estonia <b>", False, Sensitivity.STRICT, "t", True, vector),
        Subscription(2, -7, "all", True, Sensitivity.NORMAL, "t", True, vector[:0]),
    ]
    (text,) = format_subscriptions(subs, where_html="@news", delivery="daily")
    plain, _ = parse_html(text)
    assert "2 followed topics of @news · alerts once a day" in plain
    assert "1. Estonia <b> · strict" in plain and "2. every new article" in plain
    (empty,) = format_subscriptions([], where_html="", delivery="instant", note="Usage.")
    assert parse_html(empty)[0].startswith("This chat follows no topics yet")
    assert empty.endswith("\n\nUsage.")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 300), st.integers(1, 60)),
        min_size=1,
        max_size=4,
    ),
    st.text(max_size=60),
)
def test_a_subscription_list_of_any_size_is_sent_in_valid_parts_within_the_limit(
    shapes: list[tuple[int, int, int]], topic: str
) -> None:
    """Filters stored before they were bounded (hundreds of them, long ones) still list."""
    vector = np.zeros(2, dtype=np.float32)
    subs = [
        Subscription(
            n,
            -7,
            topic or "all",
            not topic,
            Sensitivity.NORMAL,
            "t",
            True,
            vector,
            required_words=tuple(f"r{n}.{i}&" + "w" * size for i in range(required)),
            excluded_words=tuple(f"<e{n}.{i}>" + "v" * size for i in range(excluded)),
        )
        for n, (required, excluded, size) in enumerate(shapes, 1)
    ]
    parts = format_subscriptions(subs, where_html="", delivery="instant", note="The note.")
    shown = [parse_html(part)[0] for part in parts]
    assert all(utf16_len(text) <= 4096 for text in shown)
    whole = "".join("".join(text.split()) for text in shown)
    for sub in subs:
        assert all(w in whole for w in sub.required_words + sub.excluded_words)
    assert shown[-1].endswith("The note.")


@pytest.mark.parametrize("field", ["title", "source", "url"])
def test_html_in_an_article_is_escaped_in_alerts(field: str) -> None:
    hit = make_hit(**{field: "<script>alert(1)</script>&"})
    for text in (
        format_alert(ArticleAlert(hit, ("x",))),
        *format_digest([ArticleAlert(hit, ())], daily=False),
    ):
        parse_html(text)
        assert "<script>" not in text
