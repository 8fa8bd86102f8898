"""Every sentence the bot says, in one place, so wording is reviewed together.

Constants are Telegram HTML (only `<b>`, `<i>`, `<code>` and no bare `&`, `<`, `>`), so they can
be sent as they are with `parse_mode=HTML` and turned into terminal text with
`bot.html_split.to_plain`. Functions take values that are already HTML-escaped (`…_html`) or numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

# -- Welcome and help ---------------------------------------------------------------------------

START = (
    "👋 <b>Hi! I answer questions about a collection of news articles.</b>\n"
    "\n"
    "I don't make anything up: each answer is a list of passages from the articles, with the "
    "sentence that matches your question in bold and a link to the source.\n"
    "\n"
    "<b>How to ask</b>\n"
    "• In a private chat: just type your question.\n"
    "• In a group: use /ask followed by your question, mention me with your question, "
    "or reply to one of my messages.\n"
    "\n"
    "/help shows the commands and some example questions."
)

HELP = (
    "<b>Commands</b>\n"
    "/ask <i>question</i> — search the articles (in private chats, plain text works too)\n"
    "/sources — list the indexed articles (/sources stories: the stories, each with the "
    "outlets that reported it)\n"
    "/stats — size and freshness of the index\n"
    "/subscribe <i>topic</i> — alerts here when new articles are about it "
    "(<i>all</i> for every new article; <i>+word</i> an article must contain, <i>-word</i> "
    "one it must not; in a forum topic, the alerts go to that topic)\n"
    "/subscriptions — the topics followed here · /unsubscribe <i>number</i> stops one\n"
    "/digest daily <i>07:30 Europe/Paris</i> — the alerts once a day, in one message, at your "
    "time (/digest shows the setting)\n"
    "/help — this message\n"
    "\n"
    "<b>Try for example</b>\n"
    "• Which countries signed long-term security agreements with Ukraine?\n"
    "• What did Macron say about sending troops?\n"
    "• What did Estonia's foreign minister say about Nato?\n"
    "\n"
    "Each answer shows the best passages, with the matching sentence in bold. "
    "Tap “More ▸” under an answer for further passages, and 👍 or 👎 to say whether it "
    "helped.\n"
    "\n"
    "How likely a citation is to hold the answer, as measured on test questions: "
    "<i>strong</i> 6 in 10 or more, <i>good</i> 4 in 10 or more, <i>partial</i> 2 in 10 or more, "
    "<i>weak</i> fewer."
)

COMMANDS: list[tuple[str, str]] = [
    ("start", "What this bot does"),
    ("help", "Commands and example questions"),
    ("ask", "Ask a question about the news articles"),
    ("sources", "List the indexed articles, or the stories with their outlets"),
    ("stats", "Size and freshness of the index"),
    ("subscribe", "Get alerts on new articles about a topic"),
    ("subscriptions", "Topics followed in this chat"),
    ("unsubscribe", "Stop following a topic"),
    ("digest", "Alerts once a day instead of as they arrive"),
]
"""(command, description) pairs for setMyCommands, in menu order."""

# -- Hints for questions that cannot be searched --------------------------------------------------

USAGE_HINT = (
    "Please ask a question in words, for example: <i>What did Macron say about sending troops?</i>"
)

ASK_USAGE = (
    "Add your question after the command, for example:\n"
    "/ask Which countries signed long-term security agreements with Ukraine?"
)

NON_TEXT_HINT = "I can only read text. Please type your question as a message."


def LONG_QUESTION_NOTE(max_chars: int | None) -> str:
    """Appended to an answer when the question was cut before searching.

    The first sentence does not depend on `max_chars`, which the caller may not know.
    """
    limit = f" The limit is {max_chars:,} characters." if max_chars else ""
    return (
        f"✂️ <i>Your question was long, so only its beginning was searched.{limit} "
        "Shorter questions give sharper answers.</i>"
    )


# -- Answers ----------------------------------------------------------------------------------------


def ANSWER_HEADER(question_html: str, page: int) -> str:
    """The first line of an answer; `page` counts from 0 and is shown from the second page on."""
    header = f"🔎 <b>{question_html}</b>" if question_html else "🔎"
    return f"{header} · page {page + 1}" if page > 0 else header


def ANSWER_SCOPE(
    window_html: str, outlets_html: str, excluded_html: str, newest_first: bool = False
) -> str:
    """Under the question: the window and outlets the answer was searched in, and whether the
    newest come first ("" for none of these)."""
    parts = [f"📅 {window_html}"] if window_html else []
    parts += ["🕒 newest first"] if newest_first else []
    parts += [f"📰 only {outlets_html}"] if outlets_html else []
    parts += [f"leaving out {excluded_html}"] if excluded_html else []
    return f"<i>{' · '.join(parts)}</i>" if parts else ""


def OUTSIDE_WINDOW(window_html: str) -> str:
    """Nothing inside the asked window answered: the best matches from other days follow."""
    return f"<i>Nothing from {window_html} answers this. The best matches from other days:</i>"


def UNKNOWN_OUTLETS(names_html: str) -> str:
    """The question named an outlet the index does not hold."""
    return f"<i>I have no articles from {names_html}; here is what others report.</i>"


def UNREAD_OPERATORS(operators_html: str) -> str:
    return (
        f"<i>I could not read {operators_html}: write dates as after:2024-03-01 or "
        "before:2024-03-10.</i>"
    )


ANSWER_END = "<i>That is everything the articles have on this.</i>"

UNTITLED = "Untitled article"


def PASSAGE_POSITION(number: int, total: int) -> str:
    """Where a cited passage is in its article."""
    return f"part {number} of {total}"


def ALSO_IN(names_html: Sequence[str], more: int) -> str:
    """Other sources of the same passage (names already HTML); `more` are not named."""
    tail = f" and {more} more" if more else ""
    return "also in " + ", ".join(names_html) + tail


def ALSO_REPORTED_BY(names_html: Sequence[str], more: int) -> str:
    """Other outlets' accounts of the same story (names already HTML); `more` are not named."""
    tail = f" and {more} more" if more else ""
    return "also reported by " + ", ".join(names_html) + tail


def OUTLETS(names_html: Sequence[str], more: int) -> str:
    """The outlets of a story in the story list (names already HTML); `more` are not named."""
    tail = f" and {more} more" if more else ""
    return ", ".join(names_html) + tail


# Labels of a citation's band: `index.search.confidence` measures how likely it holds the answer,
# `bot.citations` labels a hit with its band.
RELEVANCE_STRONG = "strong match"
RELEVANCE_GOOD = "good match"
RELEVANCE_PARTIAL = "partial match"
RELEVANCE_WEAK = "weak match"


def NOT_COVERED(question_html: str) -> str:
    """Nothing cleared the minimum score: say so plainly rather than pad with weak matches."""
    about = f" about <b>{question_html}</b>" if question_html else ""
    return (
        f"I found nothing{about} in the indexed articles: they don't seem to cover it.\n"
        "\n"
        "/sources lists what they do cover. You can also try asking in other words."
    )


# -- Limits and failures ----------------------------------------------------------------------------


def RATE_LIMITED(seconds: float) -> str:
    """Shown when a user asks faster than the limiter allows."""
    wait = max(1, round(seconds))
    unit = "second" if wait == 1 else "seconds"
    return (
        f"⏳ That was a lot of questions in a short time. Please wait {wait} {unit} and ask again."
    )


ERROR = "😕 Sorry, something went wrong while answering. Please try again in a moment."

DATABASE_UNAVAILABLE = (
    "😕 Subscriptions and feeds are unavailable for the moment: their database cannot be "
    "reached. Please try again in a few minutes; questions are still answered."
)

NO_INDEX = (
    "The article index is not built yet, so I cannot answer questions. "
    "Please try again once it has been built."
)

BUTTON_EXPIRED = "This answer is too old to page through. Please ask your question again."

NO_MORE_RESULTS = "There are no more passages for this question."

BUTTON_GONE = "This button no longer works. Please send your question or the command again."

# -- Votes on answers (toasts: plain text, at most 200 characters) ---------------------------------


def VOTE_NOTED(emoji: str) -> str:
    """A vote counted (or the same vote pressed again)."""
    return f"Thanks — noted {emoji}"


def VOTE_CHANGED(emoji: str) -> str:
    """A reader's vote turned into the other one."""
    return f"Thanks — changed to {emoji}"


VOTE_TOO_OLD = "This answer is too old to vote on."

VOTES_UNAVAILABLE = (
    "😕 Votes are unavailable for the moment: their database cannot be reached. "
    "Please try again in a few minutes."
)

# -- Buttons ----------------------------------------------------------------------------------------

BUTTON_MORE = "More ▸"
BUTTON_PREVIOUS = "◂ Back"
BUTTON_NEXT_PAGE = "Next ▸"
BUTTON_PREV_PAGE = "◂ Previous"
BUTTON_VOTE_UP = "👍"
BUTTON_VOTE_DOWN = "👎"


def VOTE_COUNT(emoji: str, count: int) -> str:
    """A vote button in a group, where everyone sees its count (none shown before a vote)."""
    return f"{emoji} {count:,}" if count else emoji


def VOTE_CHOSEN(emoji: str) -> str:
    """The reader's own vote, in a private chat."""
    return f"{emoji} ✓"


# -- /sources ---------------------------------------------------------------------------------------


def SOURCES_HEADER(total: int, page: int, pages: int) -> str:
    """First line of the article list; `page` counts from 0."""
    noun = "article" if total == 1 else "articles"
    where = f" · page {page + 1} of {pages}" if pages > 1 else ""
    return f"📚 <b>{total:,} indexed {noun}</b>{where}"


SOURCES_EMPTY = "📚 No articles are indexed yet."

SOURCES_TRUNCATED = "…"


def STORIES_HEADER(total: int, several: int | None, page: int, pages: int) -> str:
    """First line of the story list (`/sources stories`); `several` of the stories were
    reported by more than one outlet; `page` counts from 0."""
    noun = "story" if total == 1 else "stories"
    by_several = f", {several:,} reported by several outlets" if several else ""
    where = f" · page {page + 1} of {pages}" if pages > 1 else ""
    return f"📰 <b>{total:,} {noun}</b>{by_several}, newest first{where}"


STORIES_EMPTY = "📰 No stories yet: no articles are indexed."

STORIES_NOT_STORED = (
    "📰 This index was built before articles were grouped into stories, so it cannot list "
    "them. Rebuilding it (<code>python -m index rebuild</code>) places every article in its "
    "story; /sources lists the articles meanwhile."
)

BUTTON_STORIES = "📰 Stories"
BUTTON_ARTICLES = "📚 Articles"

# -- /stats -----------------------------------------------------------------------------------------

STATS_HEADER = "📊 <b>Index</b>"
STATS_ARTICLES = "Articles"
STATS_PASSAGES = "Passages"
STATS_MODEL = "Model"
STATS_DIMENSIONS = "dimensions"
STATS_UPDATED = "Last update"
STATS_SIZE = "Size on disk"
STATS_UNKNOWN = "unknown"
VOTES_HEADER = "🗳 <b>Readers' votes</b>"
VOTES_ALL_TIME = "All time"
VOTES_STATS_UNAVAILABLE = "unavailable for the moment: the database cannot be reached"


def VOTES_RECENT(days: int) -> str:
    return f"Last {days} days"


def VOTES_LINE(period: str, answers: int, up: int, down: int) -> str:
    """One period of the readers' votes in /stats (for the bot's admins)."""
    noun = "answer" if answers == 1 else "answers"
    return f"{period}: {answers:,} {noun} voted on · 👍 {up:,} · 👎 {down:,}"


# -- Terminal chat (plain text, not HTML) -------------------------------------------------------------

LOCAL_CHAT_BANNER = (
    "News bot: local chat\n"
    "This is the bot running in your terminal, without Telegram: it answers from the same index.\n"
    "Type a question and press Enter. Leave with Ctrl-D or by typing 'quit'.\n"
    "To run it on Telegram, set TELEGRAM_BOT_TOKEN in .env and start it again."
)

# -- Subscriptions and alerts ---------------------------------------------------------------------

SUBSCRIBE_USAGE = (
    "<b>Follow a topic</b>: I post new articles about it here.\n"
    "/subscribe <i>topic in plain words</i>, for example:\n"
    "/subscribe Russian attacks on the Baltic states\n"
    "/subscribe strict Estonia — only close matches (<i>broad</i> for everything related)\n"
    "/subscribe Russian attacks on the Baltic states +Estonia -football — only articles that "
    "say “Estonia” and never “football” (words match in any form: +attack finds “attacked”)\n"
    "/subscribe all — every new article (/subscribe all +Estonia: every one that names it)\n"
    "\n"
    "For a channel, from a private chat with me: /subscribe @channel <i>topic</i> "
    "(you and I must both be admins of the channel).\n"
    "/subscriptions lists them, /unsubscribe stops one, /digest daily groups them in one "
    "message a day."
)


def FILTERS(required_html: Sequence[str], excluded_html: Sequence[str]) -> str:
    """A subscription's word filters, as listed and confirmed ("" without filters)."""
    parts = []
    if required_html:
        parts.append("must say " + ", ".join(f"“{w}”" for w in required_html))
    if excluded_html:
        parts.append("never " + ", ".join(f"“{w}”" for w in excluded_html))
    return " · ".join(parts)


def SUBSCRIBED(topic_html: str, sensitivity: str, where_html: str, filters_html: str = "") -> str:
    """Confirmation of a new (or updated) subscription."""
    place = f" in {where_html}" if where_html else ""
    filters = f", {filters_html}" if filters_html else ""
    return (
        f"🔔 Subscribed{place} to <b>{topic_html}</b> ({sensitivity}{filters}).\n"
        "I will post new articles on it as they are indexed; articles already in the index are "
        "not announced again. /subscriptions lists the topics followed here."
    )


def SUBSCRIBED_ALL(where_html: str, filters_html: str = "") -> str:
    place = f" in {where_html}" if where_html else ""
    filters = f" ({filters_html})" if filters_html else ""
    return f"🔔 Subscribed{place} to <b>every new article</b>{filters}. /unsubscribe stops it."


def UNUSABLE_FILTERS(words_html: Sequence[str]) -> str:
    listed = ", ".join(words_html)
    return (
        f"{listed}: too common a word to filter on (words such as “the” or “and” are in every "
        "article). Use a name or a word that says what you want, for example +Estonia."
    )


def TOO_MANY_FILTERS(given: int, limit: int) -> str:
    return (
        f"That is {given} filters (+word or -word): a subscription takes at most {limit}. "
        "Keep the words that matter most."
    )


def FILTER_TOO_LONG(word_html: str, limit: int) -> str:
    return f"“{word_html}” is too long for a filter: a filter word has at most {limit} characters."


IN_THIS_TOPIC = "this forum topic"


TOPIC_CUT_NOTE = "✂️ <i>The topic was long, so only its beginning is followed.</i>"

SENSITIVITY_HELP = (
    "<i>strict</i>: only articles closely about the topic · <i>normal</i>: clearly related "
    "articles · <i>broad</i>: anything related"
)


def TOO_MANY_SUBSCRIPTIONS(limit: int) -> str:
    return (
        f"This chat already follows {limit} topics, the most I keep per chat. "
        "/unsubscribe one first."
    )


ONLY_ADMINS = "🔒 Only the administrators of this chat can change its subscriptions."

CHANNEL_NOT_FOUND = (
    "I cannot find that channel. Use its public @username, and make sure I am one of its admins."
)

CHANNEL_USER_NOT_ADMIN = "🔒 Only admins of that channel can change its subscriptions."

CHANNEL_BOT_NOT_ADMIN = (
    "I am not an admin of that channel (with the right to post), so I could not post alerts "
    "there. Add me as an admin first."
)

CHANNEL_ONLY_FROM_PRIVATE = "Manage a channel's subscriptions from a private chat with me."


def NO_SUBSCRIPTIONS(where_html: str) -> str:
    place = where_html or "This chat"
    return f"{place} follows no topics yet. /subscribe <i>topic</i> starts one."


def SUBSCRIPTIONS_HEADER(where_html: str, count: int, delivery: str, digest_at: str = "") -> str:
    place = f" of {where_html}" if where_html else ""
    noun = "topic" if count == 1 else "topics"
    when = (
        f"once a day{f' at {digest_at}' if digest_at else ''}"
        if delivery == "daily"
        else ("as they arrive")
    )
    return f"🔔 <b>{count} followed {noun}</b>{place} · alerts {when}"


EVERY_ARTICLE = "every new article"

SUBSCRIPTIONS_FOOTER = "/unsubscribe <i>number</i> stops one, /unsubscribe all stops them all."

UNSUBSCRIBE_USAGE = "/unsubscribe <i>number</i> (as listed by /subscriptions) or /unsubscribe all."


def NO_SUCH_SUBSCRIPTION(number: int, count: int) -> str:
    return f"There is no subscription number {number} here; there are {count}. /subscriptions lists them."


def UNSUBSCRIBED(topic_html: str) -> str:
    return f"🔕 Unsubscribed from <b>{topic_html}</b>."


def UNSUBSCRIBED_ALL(count: int) -> str:
    noun = "topic" if count == 1 else "topics"
    return f"🔕 Unsubscribed from {count} {noun}."


DIGEST_USAGE = (
    "/digest daily — one message a day with the new articles on the topics followed here\n"
    "/digest daily 07:30 Europe/Paris — at that time of day where you are (24-hour time, and "
    "a time zone name such as Europe/Paris, America/New_York or Asia/Tokyo; UTC if left out)\n"
    "/digest off — post each alert as articles arrive (the default)"
)


def DIGEST_DAILY_ON(at: str) -> str:
    return f"🗞 From now on the alerts of this chat come once a day, in one digest message, at {at}."


DIGEST_DAILY_OFF = "🔔 From now on alerts are posted as new articles arrive."


def DIGEST_SETTING(daily: bool, at: str) -> str:
    """What /digest alone answers: the chat's current setting."""
    if daily:
        return f"🗞 This chat gets its alerts once a day, at {at}.\n\n" + DIGEST_USAGE
    return "🔔 This chat gets its alerts as new articles arrive.\n\n" + DIGEST_USAGE


def DIGEST_BAD_TIME(text_html: str) -> str:
    return f"“{text_html}” is not a time of day. Write it as 07:30 (24-hour), for example /digest daily 07:30 Europe/Paris."


def DIGEST_BAD_ZONE(text_html: str) -> str:
    return (
        f"I do not know the time zone “{text_html}”. Use a name such as Europe/Paris, "
        "America/New_York or Asia/Tokyo (the city is usually your country's largest)."
    )


def ALERT_HEADER(topics_html: Sequence[str]) -> str:
    """First line of an alert; `topics_html` are the matched subscriptions, escaped."""
    if not topics_html:
        return "🔔 <b>New article</b>"
    return "🔔 <b>New article on " + ", ".join(f"“{t}”" for t in topics_html) + "</b>"


def UPDATE_ON(title_html: str) -> str:
    """An alert's line for a new development of a story the chat was alerted to before."""
    return f"↪️ Update on: {title_html}"


def DIGEST_HEADER(count: int, daily: bool) -> str:
    noun = "new story" if count == 1 else "new stories"
    what = "Daily digest" if daily else "Alert digest"
    return f"🗞 <b>{what}: {count} {noun}</b> on the topics followed here"


def DIGEST_TOPICS(topics_html: Sequence[str]) -> str:
    return "on " + ", ".join(f"“{t}”" for t in topics_html) if topics_html else EVERY_ARTICLE


def BUTTON_UNSUBSCRIBE(topic: str) -> str:
    """Plain text (buttons are not HTML)."""
    return f"🔕 Unsubscribe: {topic}"


UNSUBSCRIBE_DONE = "Unsubscribed."
UNSUBSCRIBE_ALREADY = "That subscription was already stopped."
UNSUBSCRIBE_NOT_ALLOWED = "Only the chat's administrators can unsubscribe it."


# -- Feeds (/feeds, for ADMIN_USER_IDS) ---------------------------------------------------------

FEEDS_REFUSED = "🔒 Sorry, feeds are managed by the bot's admins, in a private chat with me."

FEEDS_USAGE = (
    "<b>Feeds</b> (RSS, Atom or RDF): their new articles are indexed, and alerted.\n"
    "/feeds — the list\n"
    "/feeds add <i>URL</i> [<i>interval</i>, e.g. 30m or 2h] — follow one\n"
    "/feeds remove <i>number</i> — stop following one (its articles stay)"
)


def feeds_list(lines_html: Sequence[str]) -> str:
    if not lines_html:
        return "No feeds yet. /feeds add <i>URL</i> follows one."
    return "<b>Feeds</b>\n" + "\n".join(lines_html)


def feed_added(feed_id: int, url_html: str, every: str) -> str:
    return f"✅ Feed {feed_id} added: {url_html}, fetched every {every}. Its articles come soon."


def feed_removed(feed_id: int) -> str:
    return f"Feed {feed_id} removed. The articles it brought stay indexed."


def feed_not_found(feed_id: int) -> str:
    return f"There is no feed {feed_id}. /feeds lists them."


def feeds_error(reason_html: str) -> str:
    return f"⚠️ {reason_html}"
