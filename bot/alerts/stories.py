"""One alert per story: which of a chat's pending alerts make a new message, which add an outlet
to an alert the chat already has, and which need nothing.

Articles of several outlets about one event share a story (`index.stories`). A chat (one forum
topic of it) is sent one alert per story; when another outlet's article joins a story that was
alerted there, that alert is edited to name the outlet ("Also reported by …") instead of a new
message. A new story that develops one alerted there (its `predecessor`) is a new alert that
says what it follows. What was sent is kept as `StoryAlert`s in the alert log.

Pure: no I/O, no Telegram. `bot.alerts.delivery` carries the plan out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.alerts.model import Outlet, PendingAlert, StoryAlert
from bot.alerts.render import ArticleAlert, format_alert
from index import CitationRecordError, hit_from_record, hit_record

if TYPE_CHECKING:
    from index.search.news_index import Hit

AlertKey = tuple[int, int, str]


def outlet_of(hit: Hit) -> Outlet | None:
    """The outlet an article is named by: its source, else its site; None without either."""
    name = (hit.source or "").strip()
    if not name and hit.url:
        try:
            name = (urlsplit(hit.url).hostname or "").removeprefix("www.")
        except ValueError:
            name = ""
    return Outlet(name, hit.url) if name else None


def _same(a: Outlet, b: Outlet) -> bool:
    return a.name.casefold() == b.name.casefold()


def added_outlets(
    own: Outlet | None, named: Sequence[Outlet], hits: Iterable[Hit]
) -> tuple[Outlet, ...]:
    """The outlets of `hits` that an alert whose article is `own`'s, already naming `named`,
    does not name yet; each once, in the order given."""
    added: list[Outlet] = []
    for hit in hits:
        outlet = outlet_of(hit)
        if outlet is None or (own is not None and _same(outlet, own)):
            continue
        if not any(_same(outlet, o) for o in (*named, *added)):
            added.append(outlet)
    return tuple(added)


@dataclass(slots=True)
class NewStory:
    """A story not alerted in the chat yet: one message (or one digest entry)."""

    story_id: str
    alert: ArticleAlert
    alerts: list[PendingAlert]
    """Every pending alert the message settles (several articles, several subscriptions)."""

    @property
    def keys(self) -> list[AlertKey]:
        return [a.key for a in self.alerts]


@dataclass(slots=True)
class StoryEdit:
    """An alert the chat has, to be edited so it names more outlets."""

    story: StoryAlert
    """As it will be once edited: `outlets` holds the new ones too."""
    keys: list[AlertKey]


@dataclass(slots=True)
class StoryPlan:
    new: list[NewStory] = field(default_factory=list)
    edits: list[StoryEdit] = field(default_factory=list)
    settled: list[AlertKey] = field(default_factory=list)
    """Articles whose outlet the chat's alert of their story names already: nothing to send."""
    unshown: list[AlertKey] = field(default_factory=list)
    """Articles of stories alerted where they cannot be added (a digest, a message Telegram
    refused to edit): never resent as a new message."""


def plan_stories(
    alerts: Sequence[tuple[PendingAlert, Hit]], known: Mapping[str, StoryAlert]
) -> StoryPlan:
    """What to do with one chat's (one forum topic's) pending alerts, given the story alerts it
    has (`known`, by story id: those of the pending alerts' stories and of the stories they
    follow).

    Stories come in the order of their first pending alert; a story's first article is the one
    cited, the others' outlets are named. A story that follows one alerted here, or one that
    is new in this same plan, says so.
    """
    groups: dict[str, list[tuple[PendingAlert, Hit]]] = {}
    for alert, hit in alerts:
        groups.setdefault(alert.story, []).append((alert, hit))
    titles = {story_id: story.title for story_id, story in known.items()}
    plan = StoryPlan()
    for story_id, group in groups.items():
        keys = [a.key for a, _ in group]
        sent = known.get(story_id)
        if sent is None:
            new = _new_story(story_id, group, titles)
            titles[story_id] = new.alert.hit.title
            plan.new.append(new)
            continue
        added = added_outlets(_own_outlet(sent), sent.outlets, (hit for _, hit in group))
        if not added:
            plan.settled.extend(keys)
        elif sent.message_id is None or not sent.editable:
            plan.unshown.extend(keys)
        else:
            plan.edits.append(StoryEdit(replace(sent, outlets=(*sent.outlets, *added)), keys))
    return plan


def _own_outlet(sent: StoryAlert) -> Outlet | None:
    """The outlet of the article a story alert cites (None if its record cannot be read: the
    edit then fails where it is tried, and is reported there)."""
    try:
        return outlet_of(hit_from_record(sent.shown["citation"]))
    except (CitationRecordError, KeyError, TypeError):
        return None


def _new_story(
    story_id: str, group: Sequence[tuple[PendingAlert, Hit]], titles: Mapping[str, str]
) -> NewStory:
    hit = group[0][1]
    topics = tuple(dict.fromkeys(a.topic for a, _ in group if not a.every_article))
    also = added_outlets(outlet_of(hit), (), (h for _, h in group[1:]))
    follows = next((titles[a.follows] for a, _ in group if a.follows and a.follows in titles), None)
    article = ArticleAlert(hit, topics, also, follows)
    return NewStory(story_id, article, [a for a, _ in group])


def shown_record(alert: ArticleAlert, buttons: Sequence[tuple[int, str | None]]) -> dict[str, Any]:
    """What a story alert was rendered from, kept so an edit renders it again (JSON-ready)."""
    return {
        "citation": hit_record(alert.hit),
        "topics": list(alert.topics),
        "follows": alert.follows,
        "buttons": [[sub_id, topic] for sub_id, topic in buttons],
    }


def story_alert(
    chat_id: int,
    thread_id: int,
    story: NewStory,
    buttons: Sequence[tuple[int, str | None]],
    *,
    message_id: int | None,
) -> StoryAlert:
    """The record of a new story's alert, once sent (`message_id` None: in a digest)."""
    return StoryAlert(
        chat_id, thread_id, story.story_id, message_id, story.alert.hit.title,
        story.alert.also, shown_record(story.alert, buttons),
    )  # fmt: skip


def edited_alert(story: StoryAlert) -> tuple[str, list[tuple[int, str | None]]]:
    """The text and buttons of a story alert as it is to be edited: the same message, naming
    every outlet in `story.outlets`. Raises `index.CitationRecordError` for a record this
    program cannot read."""
    shown = story.shown
    alert = ArticleAlert(
        hit_from_record(shown["citation"]),
        tuple(shown.get("topics") or ()),
        story.outlets,
        shown.get("follows"),
    )
    buttons = [(int(sub_id), topic) for sub_id, topic in shown.get("buttons") or ()]
    return format_alert(alert), buttons
