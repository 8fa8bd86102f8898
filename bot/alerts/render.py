"""Pure rendering of alerts, digests and subscription lists as Telegram HTML.

An alert is about a story: its first article cited, the other outlets that reported it named
("Also reported by …", each linked to its article), and, for a new development of a story the
chat was alerted to, what it follows ("Update on: …"). A digest lists stories the same way.

Same rules as `bot.answers.rendering`, and passages cited the same way (`bot.citations`): every
outside string escaped, lengths counted in UTF-16 units, every message under Telegram's limit (a
long digest becomes several messages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.citations import (
    EXCERPT_MAX_CHARS,
    excerpt_html,
    meta_line,
    passage_position,
    relevance,
    title_html,
)
from bot.escaping import escape
from bot.excerpts import excerpt, fold, shorten, utf16_len
from bot.html_split import TELEGRAM_LIMIT, split_message, visible_len

if TYPE_CHECKING:
    from bot.alerts.model import DigestTime, Outlet, Subscription
    from index.search.news_index import Hit

ALERT_TITLE_CHARS = 200
DIGEST_TITLE_CHARS = 120
DIGEST_EXCERPT_CHARS = 220  # a digest is a list to skim: the matching sentence, not the passage
MIN_DIGEST_EXCERPT_CHARS = 60
TOPIC_SHOWN_CHARS = 60
BUTTON_TOPIC_CHARS = 40
UNSUBSCRIBE_PREFIX = "unsub"
FOLLOWS_TITLE_CHARS = 120
OUTLET_NAME_CHARS = 40
ALSO_REPORTED_SHOWN = 10
"""Outlets an alert names at most; the rest are counted ("and 3 more")."""
DIGEST_OUTLETS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class ArticleAlert:
    """One article to announce in a chat, with the chat's subscriptions it matched."""

    hit: Hit
    topics: tuple[str, ...]
    """Topics of the matched subscriptions; empty when only "every new article" matched."""
    also: tuple[Outlet, ...] = ()
    """Other outlets that reported the article's story, in the order they did."""
    follows: str | None = None
    """The title of the earlier story (alerted in the chat) that this one develops."""


def _topics_html(topics: Sequence[str]) -> list[str]:
    return [escape(shorten(t, TOPIC_SHOWN_CHARS)) for t in topics]


def also_reported_html(outlets: Sequence[Outlet], shown: int = ALSO_REPORTED_SHOWN) -> str:
    """ "Also reported by Reuters, BBC" (each linked to its article), or "" for no outlets."""
    if not outlets:
        return ""
    names = [title_html(o.name, o.url, OUTLET_NAME_CHARS) for o in outlets[:shown]]
    if not names:
        return ""
    line = texts.ALSO_REPORTED_BY(names, len(outlets) - len(names))
    return line[:1].upper() + line[1:]  # the answers' wording, as a line of its own


def _follows_html(title: str | None) -> str:
    return texts.UPDATE_ON(escape(shorten(title, FOLLOWS_TITLE_CHARS))) if title else ""


def format_alert(alert: ArticleAlert, *, max_chars: int = TELEGRAM_LIMIT) -> str:
    """One new story: which topic it matched, what it follows, title (linked), source and date,
    the passage, and the other outlets that reported it.

    The outlets come last, so naming one more is an edit at the end of the message; they are
    counted rather than named as far as the message's limit requires, and the passage gives way
    first.
    """
    hit = alert.hit
    head = texts.ALERT_HEADER(_topics_html(alert.topics))
    if follows := _follows_html(alert.follows):
        head = f"{head}\n{follows}"
    extra = (passage_position(hit), relevance(hit)) if alert.topics else (passage_position(hit),)
    frame = (
        f"{title_html(hit.title, hit.url, ALERT_TITLE_CHARS)}\n"
        f"<i>{escape(meta_line(hit.source, hit.published, *extra))}</i>\n"
    )
    used = visible_len(f"{head}\n\n{frame}")
    tail = ""
    for shown in (ALSO_REPORTED_SHOWN, 5, 2, 1, 0):
        also = also_reported_html(alert.also, shown)
        tail = f"\n\n<i>{also}</i>" if also else ""
        if used + visible_len(tail) <= max_chars:
            break
    room = max_chars - used - visible_len(tail)
    budget = max(0, min(room, EXCERPT_MAX_CHARS, utf16_len(fold(hit.text).strip())))
    body = f"{head}\n\n{frame}{excerpt_html(excerpt(hit.text, hit.bold_sentence, budget))}"
    return body.rstrip() + tail


def format_digest(
    alerts: Sequence[ArticleAlert], *, daily: bool, max_chars: int = TELEGRAM_LIMIT
) -> list[str]:
    """Many new stories as one list, one entry each (its first article, its other outlets):
    titles always, quotes as long as one message allows.

    Quotes share what room the titles leave (none below MIN_DIGEST_EXCERPT_CHARS each); only a
    list whose titles alone overflow a message is split into several.
    """
    head = texts.DIGEST_HEADER(len(alerts), daily)
    frames = []
    for number, alert in enumerate(alerts, 1):
        hit = alert.hit
        meta = escape(meta_line(hit.source, hit.published))
        topics = texts.DIGEST_TOPICS(_topics_html(alert.topics))
        frame = (
            f"{number}. {title_html(hit.title, hit.url, DIGEST_TITLE_CHARS)}\n"
            f"<i>{meta + ' · ' if meta else ''}{topics}</i>"
        )
        if follows := _follows_html(alert.follows):
            frame += f"\n{follows}"
        if also := also_reported_html(alert.also, DIGEST_OUTLETS_SHOWN):
            frame += f"\n<i>{also}</i>"
        frames.append(frame)
    room = max_chars - visible_len("\n\n".join([head, *frames])) - len(frames)  # one \n each
    budget = min(DIGEST_EXCERPT_CHARS, room // max(1, len(frames)))
    if budget >= MIN_DIGEST_EXCERPT_CHARS:
        frames = [
            f"{frame}\n{excerpt_html(excerpt(alert.hit.text, alert.hit.bold_sentence, budget))}"
            for frame, alert in zip(frames, alerts, strict=True)
        ]
    return split_message("\n\n".join([head, *frames]), max_chars)


def format_subscriptions(
    subscriptions: Sequence[Subscription],
    *,
    where_html: str,
    delivery: str,
    digest_at: str = "",
    note: str = "",
    max_chars: int = TELEGRAM_LIMIT,
) -> list[str]:
    """The numbered list /subscriptions shows (numbers are what /unsubscribe takes), then
    `note`, in as many messages as it takes: a row stored before filters were bounded can hold
    hundreds of them."""
    if not subscriptions:
        lines = [texts.NO_SUBSCRIPTIONS(where_html)]
    else:
        lines = [texts.SUBSCRIPTIONS_HEADER(where_html, len(subscriptions), delivery, digest_at)]
        for number, sub in enumerate(subscriptions, 1):
            filters = filters_html(sub.required_words, sub.excluded_words)
            tail = f" · {filters}" if filters else ""
            if sub.every_article:
                lines.append(f"{number}. <i>{texts.EVERY_ARTICLE}</i>{tail}")
            else:
                shown = f"{escape(sub.topic)} · <i>{sub.sensitivity.value}</i>"
                lines.append(f"{number}. {shown}{tail}")
        lines += ["", texts.SUBSCRIPTIONS_FOOTER]
    if note:
        lines += ["", note]
    return split_message("\n".join(lines), max_chars)


def filters_html(required: Sequence[str], excluded: Sequence[str]) -> str:
    """A subscription's +word / -word filters in words ("" without any)."""
    return texts.FILTERS([escape(w) for w in required], [escape(w) for w in excluded])


def digest_time_text(digest: DigestTime) -> str:
    """ "07:30 Europe/Paris", as replies name a digest time."""
    return f"{digest.at.strftime('%H:%M')} {digest.zone}"


def unsubscribe_label(topic: str | None) -> str:
    """Button text (plain, not HTML) for one subscription."""
    return texts.BUTTON_UNSUBSCRIBE(shorten(topic or texts.EVERY_ARTICLE, BUTTON_TOPIC_CHARS))


def unsubscribe_keyboard(buttons: Sequence[tuple[int, str | None]]) -> InlineKeyboardMarkup | None:
    """An alert's "🔕 Unsubscribe" buttons, one per (subscription id, topic or None for every
    article). An edit sends them again: without them Telegram would remove the keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    unsubscribe_label(topic), callback_data=f"{UNSUBSCRIBE_PREFIX}:{sub_id}"
                )
            ]
            for sub_id, topic in buttons
        ]
    )
