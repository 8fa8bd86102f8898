"""A chat in the terminal, through the same answer pipeline as Telegram, for trying the bot
without a token. Answers are the Telegram answers rendered as plain text.

It takes the commands the help advertises: /help, /ask, /sources (and /sources stories, a page
number to go on), /stats, /timezone for the session, and /new, which forgets the conversation;
alert commands need Telegram, and any other command gets a pointer to /help. Like a chat on
Telegram it keeps the last answered questions (`Turn`s, in memory), so that the next question
can follow them up, until /new.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot import texts
from bot.alerts.digest_times import zone_named
from bot.answers import rendering
from bot.answers.conversation import CHAIN_TURNS, Turn, follow_up_of, turn_of
from bot.answers.listings import Listing, articles_listing, stories_listing
from bot.answers.questions import parse_question
from bot.answers.service import AnswerService
from bot.escaping import quoted
from bot.html_split import to_plain
from bot.settings import BotSettings
from bot.startup import open_index
from index import IndexMissingError

PROMPT = "question> "
QUIT_WORDS = {"quit", "exit", ":q"}
TELEGRAM_ONLY = frozenset({"subscribe", "subscriptions", "unsubscribe", "digest", "feeds"})
STORIES = "stories"
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?=\s|$)")
"""A command as Telegram reads one: `/name`, perhaps `/name@bot`, then its arguments."""


def run_local_chat(settings: BotSettings, stdin: TextIO, stdout: TextIO) -> int:
    """Answer one question per line until end of input or `quit`."""
    interactive = stdin.isatty()
    print(texts.LOCAL_CHAT_BANNER, file=stdout, flush=True)
    chat = LocalChat(AnswerService(open_index(settings), per_page=settings.search_top_k), settings)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT_WORDS:
            return 0
        print(chat.reply(line), file=stdout, flush=True)


class LocalChat:
    """One terminal session: its time zone and its last answered questions."""

    def __init__(self, service: AnswerService, settings: BotSettings) -> None:
        self.service = service
        self.settings = settings
        self.time_zone = ZoneInfo("UTC")
        """The zone dates in questions are read in (`/timezone`, this session only)."""
        self._turns: deque[Turn] = deque(maxlen=CHAIN_TURNS)

    @property
    def last_turn(self) -> Turn | None:
        """The last answered question and what its answer cited; None after /new."""
        return self._turns[-1] if self._turns else None

    def recent_turns(self, now: datetime | None = None) -> list[Turn]:
        """The turns the next question may follow up, oldest first, as `ConversationStore.chain`
        gives them on Telegram: the last few, none older than FOLLOWUP_MINUTES."""
        since = (now or datetime.now(UTC)) - self.settings.followup_timedelta
        return [turn for turn in self._turns if turn.asked_at >= since]

    def forget(self) -> None:
        """/new: the next question starts afresh."""
        self._turns.clear()

    def reply(self, line: str) -> str:
        """The plain-text reply to one line of input."""
        command = _COMMAND.match(line.strip())
        if command is None:
            return self.answer(line)
        name = command[1].lower()
        arguments = line.strip()[command.end() :].strip()
        if name in ("help", "start"):
            return to_plain(texts.HELP) + "\n\n" + texts.LOCAL_CHAT_HELP
        if name == "ask":
            return self.answer(arguments) if arguments else to_plain(texts.ASK_USAGE)
        if name == "sources":
            return self._sources(arguments.lower().split())
        if name == "stats":
            return self._stats()
        if name == "new":
            self.forget()
            return texts.LOCAL_CHAT_NEW
        if name == "timezone":
            return self._time_zone(arguments)
        if name in TELEGRAM_ONLY:
            return texts.LOCAL_CHAT_TELEGRAM_ONLY(name)
        return texts.LOCAL_CHAT_UNKNOWN_COMMAND(name)

    def answer(self, text: str) -> str:
        """The answer to a question, as Telegram gives it but in plain text; an answer that
        cites something becomes the session's last turn."""
        question = parse_question(text, self.settings.question_max_chars)
        if question is None:
            return to_plain(texts.USAGE_HINT)
        try:
            answer = self.service.answer_sync(
                question, zone=self.time_zone, follow_up=follow_up_of(self.recent_turns())
            )
        except IndexMissingError:
            return to_plain(texts.NO_INDEX)
        if not answer.hits:
            return to_plain(rendering.format_not_covered(question.text))
        self._turns.append(turn_of(question.text, answer.hits))
        return rendering.format_answer_plain(
            question.text,
            answer.hits,
            cut_note=question.cut,
            question_max_chars=self.settings.question_max_chars,
            scope=answer.scope,
        )

    def _sources(self, words: list[str]) -> str:
        """`/sources [stories] [page]`: a page of the articles or of the stories."""
        stories = STORIES in words
        numbers = [int(w) for w in words if w.isascii() and w.isdigit() and len(w) <= 6]
        page = (numbers[0] - 1) if numbers else 0
        try:
            listing = (stories_listing if stories else articles_listing)(self.service.index, page)
        except IndexMissingError:
            return to_plain(texts.NO_INDEX)
        return _plain_listing(listing, stories)

    def _stats(self) -> str:
        try:
            return to_plain(rendering.format_stats(self.service.index.stats()))
        except IndexMissingError:
            return to_plain(texts.NO_INDEX)

    def _time_zone(self, asked: str) -> str:
        if not asked:
            return texts.LOCAL_TIME_ZONE_SHOWN(self.time_zone.key)
        zone = zone_named(asked) if len(asked) <= 64 else None
        if zone is None:
            return to_plain(texts.TIME_ZONE_BAD(quoted(asked)))
        self.time_zone = zone
        return texts.LOCAL_TIME_ZONE_SET(zone.key)


def _plain_listing(listing: Listing, stories: bool) -> str:
    """A /sources page as terminal text, with the commands that go on where buttons would."""
    view = f"/sources {STORIES} " if stories else "/sources "
    hints = []
    if listing.page + 1 < listing.pages:
        hints.append(texts.LOCAL_NEXT_PAGE(f"{view}{listing.page + 2}"))
    if listing.other_list:
        hints.append(texts.LOCAL_ARTICLES_HINT if stories else texts.LOCAL_STORIES_HINT)
    return "\n\n".join([to_plain(listing.text), *hints])
