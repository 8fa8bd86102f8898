"""One alert per story, decided and rendered without I/O: which pending alerts make a new
message, which edit an alert the chat has, which need nothing, and what the reader sees."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.delivery import plan_messages, readable
from bot.alerts.model import Outlet, PendingAlert, StoryAlert
from bot.alerts.render import ArticleAlert, format_alert, format_digest
from bot.alerts.stories import (
    added_outlets,
    edited_alert,
    outlet_of,
    plan_stories,
    shown_record,
    story_alert,
)
from index import hit_record
from tests.bot.rendering_helpers import entity_texts, make_hit, tricky_text, visible
from tests.emulator import parse_html, utf16_len

CHAT = -7
STRIKE = "Dock workers walk out at Antwerp"


def pending(
    article: str,
    story: str = "",
    *,
    source: str | None = "BBC",
    sub_id: int = 1,
    topic: str = "dock strike",
    follows: str | None = None,
    title: str | None = None,
    thread_id: int = 0,
) -> PendingAlert:
    hit = make_hit(
        article_id=article, title=title or f"Title {article}", source=source,
        url=f"https://{(source or 'site').lower().replace(' ', '')}.example/{article}",
    )  # fmt: skip
    return PendingAlert(
        CHAT, sub_id, topic, False, article, 0.6, hit_record(hit), f"t-{article}", thread_id,
        story, follows,
    )  # fmt: skip


def decoded(*alerts: PendingAlert) -> list:
    found, problems = readable(alerts)
    assert problems == []
    return found


def sent_alert(
    story: str,
    *,
    source: str = "BBC",
    outlets: tuple[Outlet, ...] = (),
    message_id: int | None = 10,
    editable: bool = True,
    title: str = STRIKE,
) -> StoryAlert:
    """A story alert the chat has, as the log keeps it."""
    (first,) = plan_stories(decoded(pending("first", story, source=source, title=title)), {}).new
    record = story_alert(CHAT, 0, first, [(1, "dock strike")], message_id=message_id)
    return replace(record, outlets=outlets, editable=editable)


def test_an_outlet_is_its_source_or_else_its_site() -> None:
    assert outlet_of(make_hit(source=" Reuters ")) == Outlet(
        "Reuters", "https://www.bbc.com/news/1"
    )
    assert outlet_of(make_hit(source=None, url="https://www.apnews.com/x")) == Outlet(
        "apnews.com", "https://www.apnews.com/x"
    )
    assert outlet_of(make_hit(source="", url=None)) is None
    assert outlet_of(make_hit(source=None, url="http://[bad")) is None


def test_outlets_are_added_once_each_and_never_the_alerts_own() -> None:
    hits = [make_hit(source=s) for s in ("bbc", "Reuters", "AP", "reuters", None)]
    named = (Outlet("AP"),)
    added = added_outlets(Outlet("BBC"), named, hits)
    assert [o.name for o in added] == ["Reuters", "bbc.com"]  # the last: no source, its site


def test_two_outlets_copies_in_one_round_make_one_alert_naming_the_second() -> None:
    plan = plan_stories(
        decoded(
            pending("bbc-1", "s1", source="BBC"),
            pending("rtr-1", "s1", source="Reuters"),
            pending("rtr-1", "s1", source="Reuters", sub_id=2, topic="Antwerp"),
            pending("other", "s2", source="AP"),
        ),
        {},
    )
    assert [s.story_id for s in plan.new] == ["s1", "s2"] and not plan.edits
    first = plan.new[0]
    assert first.alert.hit.article_id == "bbc-1" and first.alert.topics == (
        "dock strike",
        "Antwerp",
    )
    assert first.alert.also == (Outlet("Reuters", "https://reuters.example/rtr-1"),)
    assert len(first.keys) == 3
    (message, other) = plan_messages(plan.new, digest_after=3, daily=False)
    shown = visible(message.text)
    assert shown.endswith("\n\nAlso reported by Reuters")
    assert entity_texts(message.text, "text_link")[-1] == "Reuters"
    assert 'href="https://reuters.example/rtr-1"' in message.text
    assert message.stories == [first] and "Also reported" not in visible(other.text)


def test_rows_logged_before_stories_are_stories_of_their_own() -> None:
    plan = plan_stories(decoded(pending("a"), pending("b"), pending("a", sub_id=2)), {})
    assert [s.story_id for s in plan.new] == ["a", "b"]


def test_a_late_copy_of_an_alerted_story_edits_its_alert() -> None:
    sent = sent_alert("s1", outlets=(Outlet("AP", "https://ap.example/1"),))
    plan = plan_stories(decoded(pending("rtr-1", "s1", source="Reuters")), {"s1": sent})
    assert not plan.new and not plan.settled
    (edit,) = plan.edits
    assert [o.name for o in edit.story.outlets] == ["AP", "Reuters"]
    assert edit.keys == [(CHAT, 1, "rtr-1")] and edit.story.message_id == 10
    text, buttons = edited_alert(edit.story)
    assert visible(text).endswith("\n\nAlso reported by AP, Reuters")
    assert entity_texts(text, "text_link")[-2:] == ["AP", "Reuters"]
    assert buttons == [(1, "dock strike")]
    assert edited_alert(edit.story) == (text, buttons), "the same edit, the same text"


def test_an_outlet_named_already_or_the_alerts_own_needs_nothing() -> None:
    sent = sent_alert("s1", source="BBC", outlets=(Outlet("Reuters"),))
    plan = plan_stories(
        decoded(pending("bbc-2", "s1", source="bbc"), pending("rtr-2", "s1", source="Reuters")),
        {"s1": sent},
    )
    assert plan.settled == [(CHAT, 1, "bbc-2"), (CHAT, 1, "rtr-2")]
    assert not (plan.new or plan.edits or plan.unshown)


def test_a_story_in_a_digest_or_a_deleted_alert_is_never_sent_again() -> None:
    for sent in (sent_alert("s1", message_id=None), sent_alert("s1", editable=False)):
        plan = plan_stories(decoded(pending("rtr-1", "s1", source="Reuters")), {"s1": sent})
        assert plan.unshown == [(CHAT, 1, "rtr-1")]
        assert not (plan.new or plan.edits or plan.settled)


def test_a_new_development_of_an_alerted_story_says_what_it_follows() -> None:
    earlier = sent_alert("strike-start")
    plan = plan_stories(
        decoded(pending("end-1", "strike-end", follows="strike-start", title="Strike ends")),
        {"strike-start": earlier},
    )
    (new,) = plan.new
    assert new.alert.follows == STRIKE
    shown = visible(format_alert(new.alert))
    assert shown.startswith(
        f"🔔 New article on “dock strike”\n↪️ Update on: {STRIKE}\n\nStrike ends"
    )
    # Not alerted here: a plain new alert.
    alone = plan_stories(decoded(pending("end-1", "strike-end", follows="strike-start")), {})
    assert alone.new[0].alert.follows is None


def test_a_development_of_a_story_new_in_the_same_round_follows_it() -> None:
    plan = plan_stories(
        decoded(
            pending("start", "s-start", title="Strike starts"),
            pending("end", "s-end", follows="s-start", title="Strike ends"),
        ),
        {},
    )
    assert [s.alert.follows for s in plan.new] == [None, "Strike starts"]


def test_a_digest_lists_stories_with_their_outlets() -> None:
    plan = plan_stories(
        decoded(
            *(pending(f"bbc-{i}", f"s{i}", source="BBC") for i in range(4)),
            pending("rtr-0", "s0", source="Reuters"),
            pending("ap-0", "s0", source="AP"),
        ),
        {},
    )
    (digest,) = plan_messages(plan.new, digest_after=3, daily=False)
    shown = visible(digest.text)
    assert shown.startswith("🗞 Alert digest: 4 new stories")
    assert shown.count("Also reported by") == 1 and "Also reported by Reuters, AP" in shown
    assert len(digest.keys) == 6 and digest.digest and len(digest.stories) == 4


def test_a_story_alert_records_what_an_edit_renders_again() -> None:
    (new,) = plan_stories(decoded(pending("a", "s", source="BBC")), {}).new
    record = story_alert(CHAT, 3, new, [(1, "dock strike")], message_id=5)
    assert (record.thread_id, record.story_id, record.message_id, record.title) == (
        3, "s", 5, "Title a",
    )  # fmt: skip
    assert record.shown == shown_record(new.alert, [(1, "dock strike")])
    text, _ = edited_alert(record)
    assert text == format_alert(new.alert), "unchanged outlets: the very text that was sent"


outlet_lists = st.lists(
    st.builds(
        Outlet, tricky_text.filter(str.strip), st.sampled_from([None, "https://x.example/&<"])
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(outlet_lists, st.one_of(st.none(), tricky_text), st.lists(tricky_text, max_size=5))
def test_any_outlets_keep_an_alert_valid_and_within_the_limit(
    outlets: list[Outlet], follows: str | None, topics: list[str]
) -> None:
    hit = make_hit(title="T" * 300, text="word " * 2000, end=10_000, bold_sentence=(0, 400))
    alert = ArticleAlert(hit, tuple(topics), tuple(outlets), follows)
    for max_chars in (4096, 900):
        text = format_alert(alert, max_chars=max_chars)
        plain, _ = parse_html(text)
        assert utf16_len(plain) <= max_chars
        if outlets and max_chars == 4096:
            assert "Also reported by" in plain
    for part in format_digest([alert] * 30, daily=True):
        assert utf16_len(parse_html(part)[0]) <= 4096
