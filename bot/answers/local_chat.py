"""A chat in the terminal, through the same answer pipeline as Telegram, for trying the bot
without a token. Answers are the Telegram answers rendered as plain text."""

from __future__ import annotations

from typing import TextIO

from bot import texts
from bot.answers import rendering
from bot.answers.questions import parse_question
from bot.answers.service import AnswerService
from bot.html_split import to_plain
from bot.settings import BotSettings
from bot.startup import open_index

PROMPT = "question> "
QUIT_WORDS = {"quit", "exit", ":q"}


def run_local_chat(settings: BotSettings, stdin: TextIO, stdout: TextIO) -> int:
    """Answer one question per line until end of input or `quit`."""
    interactive = stdin.isatty()
    print(texts.LOCAL_CHAT_BANNER, file=stdout, flush=True)
    service = AnswerService(open_index(settings), per_page=settings.search_top_k)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT_WORDS:
            return 0
        print(reply_to(service, settings, line), file=stdout, flush=True)


def reply_to(service: AnswerService, settings: BotSettings, line: str) -> str:
    """The plain-text reply to one line of input."""
    question = parse_question(line, settings.question_max_chars)
    if question is None:
        return to_plain(texts.USAGE_HINT)
    answer = service.answer_sync(question)
    if not answer.hits:
        return to_plain(rendering.format_not_covered(question.text))
    return rendering.format_answer_plain(
        question.text,
        answer.hits,
        cut_note=question.cut,
        question_max_chars=settings.question_max_chars,
        scope=answer.scope,
    )
