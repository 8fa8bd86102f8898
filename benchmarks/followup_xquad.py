"""A follow-up set made from XQuAD's English questions, for `benchmarks.followups`.

No public conversational set with news can be read here (`benchmarks.followup_sets`, CoQA and
CoQAR, waits for their files), so conversations are made from the evaluation corpus XQuAD
(Artetxe et al. 2020; SQuAD's Wikipedia paragraphs and questions, CC BY-SA 4.0): questions of
one article, in file order, each self-contained. A question becomes a follow-up *as asked* by
saying what the conversation already established with a pronoun (`as_asked`), and the original
question is its self-contained *rewrite*:

1. The established phrases are the article's title ("Super_Bowl_50" → "Super Bowl 50", a
   bracketed part dropped) and the capitalised runs (names: "Jared Allen", "NFL") of the earlier
   questions of the conversation.
2. In the question, the first of these found wins: the title as a whole (case-insensitive, with
   a "the" before it), else a capitalised run (with a "the" before it; not the question's
   first word when that is filler such as "What" or "In") equal to an established run or made
   only of title words.
3. The phrase is replaced only where a pronoun reads well: after a function word, a verb or
   punctuation (not after "a" or an adjective: "a public school teacher"), and before "'s"
   (→ "its", "their", "his", "her"), a function word (a verb form such as "did" or "was", a
   preposition, "and") or the end of the question, or anywhere right after an auxiliary
   ("When was Tesla born?"). A name used as a modifier ("the Panthers defense") is left alone.
4. The pronoun: a plural ("the Broncos", a "the" and a final "s") is "they", or "them" after
   a verb or preposition; the article's own subject (every word of the phrase in the title) is
   "he" or "she" ("him", "her" after a verb or preposition) when the title reads as a
   person's name (two capitalised words) and the article's text says that family of pronouns
   (he/his/him, she/her/hers) at least `GENDER_MIN` times, more often than the other and than
   "it"/"its"; else "it".
   A phrase introduced by "this", "these" or "that" is "this".

A question where nothing is replaced is self-contained, so it starts a new conversation; a
conversation holds 2 to `MAX_TURNS` questions (`conversations`). Each turn keeps the question
as asked, XQuAD's first answer (`span_text`, the text a citation must hold) and the rewrite.

    python -m benchmarks.followup_xquad --output ../followup-data

writes `xquad_conversations.jsonl` (one conversation a line: id, title, text, source,
article_id, index "xquad", turns of question, answer, rewrite, span_text, passage_id).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.datasets import SHARED_EVAL, read_jsonl
from index.lexical import topic_words

XQUAD = SHARED_EVAL / "xquad-en"
INDEX_NAME = "xquad"
MAX_TURNS = 4
GENDER_MIN = 5
OUTPUT_NAME = "xquad_conversations.jsonl"
PRONOUNS = ("it", "they", "them", "he", "she", "this", "its", "their", "his", "her")

_TOKEN = re.compile(r"[’']s\b|\w+(?:[’'.-](?!s\b)\w+)*|[^\w\s]")
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be became become becomes been being by can could did do does during
        for from had has have in into is of on or over than that to under until was were when
        where which while who whom whose will with within would after before between since
        against among through""",
    )
)
_VERBS_AND_PREPOSITIONS = _FUNCTION_WORDS - {"and", "or", "that", "which", "who", "whom",
                                             "whose", "when", "where", "while", "a", "an"}  # fmt: skip
_DEMONSTRATIVES = frozenset({"this", "these", "that", "those"})
_AUXILIARIES = frozenset(
    {"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "can", "could"}
)
_OBJECT_VERBS = frozenset(
    {"beat", "won", "win", "lose", "lost", "play", "plays", "make", "makes", "call", "calls"}
)
_OBJECT_FORM = {"he": "him", "she": "her", "they": "them"}
_HE = re.compile(r"\b(?:he|his|him)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers)\b", re.IGNORECASE)
_IT = re.compile(r"\b(?:it|its)\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\s*\([^)]*\)")


# --- Phrases (pure) ------------------------------------------------------------------------------


def title_phrase(title: str) -> str:
    """A Wikipedia title as words: "Victoria_(Australia)" → "Victoria"."""
    return _BRACKETED.sub("", title.replace("_", " ")).strip()


def tokens(question: str) -> list[str]:
    """Words (with inner apostrophes, points and hyphens) and punctuation marks, in order."""
    return _TOKEN.findall(question)


def _capitalised(token: str) -> bool:
    return token[:1].isupper()


def capitalised_runs(question: str) -> list[tuple[int, int]]:
    """(start, end) token spans of runs of capitalised words (a number may close one: "Super
    Bowl 50"); a first word that is filler ("What", "In") is no name."""
    words = tokens(question)
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for position, word in enumerate([*words, ""]):
        named = _capitalised(word) and not (position == 0 and not topic_words(word))
        closes = start is not None and word.isdigit()
        if named or closes:
            start = position if start is None else start
            if closes and not named:
                runs.append((start, position + 1))
                start = None
            continue
        if start is not None:
            runs.append((start, position))
            start = None
    return runs


def established_runs(previous: Sequence[str]) -> set[str]:
    """The names the earlier questions used, lower-cased."""
    found: set[str] = set()
    for question in previous:
        words = tokens(question)
        found |= {" ".join(words[a:b]).lower() for a, b in capitalised_runs(question)}
    return found


# --- The follow-up as asked (pure) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replacement:
    """Which tokens the pronoun stands for, and the pronoun."""

    start: int
    end: int
    pronoun: str


def pronoun_for(words: Sequence[str], start: int, end: int, title: str, he_she: str) -> str:
    """The pronoun for words[start:end] (which may begin with "the"), by rule 4 of the module
    docstring; `he_she` is the article's gendered pronoun ("he", "she" or "")."""
    before = words[start - 1].lower() if start > 0 else ""
    after = words[end].lower() if end < len(words) else ""
    possessive = after in {"'s", "’s"}
    has_the = words[start].lower() == "the"
    head = words[end - 1]
    if before in _DEMONSTRATIVES:
        return "this"
    title_words = {w.lower() for w in tokens(title_phrase(title))}
    name = [w.lower() for w in words[start + has_the : end]]
    if has_the and head.endswith("s") and not head.endswith("ss"):
        if possessive:
            return "their"
        object_ = before in _VERBS_AND_PREPOSITIONS - _AUXILIARIES or _is_object(words, start)
        return "them" if object_ else "they"
    if he_she and set(name) <= title_words:
        if possessive:
            return "his" if he_she == "he" else "her"
        object_ = before in _VERBS_AND_PREPOSITIONS - _AUXILIARIES
        return _OBJECT_FORM[he_she] if object_ or _is_object(words, start) else he_she
    return "its" if possessive else "it"


def _is_object(words: Sequence[str], start: int) -> bool:
    """Whether the phrase follows a content word (a verb, in a question): "beat the Broncos"."""
    before = words[start - 1] if start > 0 else ""
    return bool(before) and before.isalpha() and bool(topic_words(before))


def gendered_pronoun(title: str, article_text: str) -> str:
    """ "he" or "she" when the title reads as a person's name (two capitalised words) and the
    article says that family `GENDER_MIN` times or more, more often than the other and than
    "it"/"its"; else "" (rule 4)."""
    words = title_phrase(title).split()
    if len(words) != 2 or not all(w.isalpha() and w[:1].isupper() for w in words):
        return ""
    he, she = len(_HE.findall(article_text)), len(_SHE.findall(article_text))
    it = len(_IT.findall(article_text))
    if he >= GENDER_MIN and he > max(she, it):
        return "he"
    if she >= GENDER_MIN and she > max(he, it):
        return "she"
    return ""


def _reads_as_pronoun(words: Sequence[str], start: int, end: int) -> bool:
    """Rule 3: what surrounds the phrase lets a pronoun stand there (no adjective or noun
    before it, "a public school teacher"; none after it, "the Panthers defense")."""
    after = words[end] if end < len(words) else ""
    before = words[start - 1] if start > 0 else ""
    follows = after in {"", "?", ".", ",", "'s", "’s"} or after.lower() in _FUNCTION_WORDS
    lead = words[start].lower() in {"the"} | _DEMONSTRATIVES
    follows = follows or (not lead and before.lower() in _AUXILIARIES)  # "When was Tesla born?"
    named_on = after == "of" and end + 1 < len(words) and _capitalised(words[end + 1])
    follows = follows and not named_on  # "the Office of Western Medicine"
    bare = before.lower() not in {"a", "an"}
    punctuation = not before or not any(c.isalnum() for c in before)
    precedes = lead or punctuation or (before.isalpha() and bare and not topic_words(before))
    precedes = precedes or (bare and before.lower() in _FUNCTION_WORDS) or _verb_like(before)
    return follows and precedes


def _verb_like(word: str) -> bool:
    """A word a name may follow as an object ("beat", "played", "getting"): crude, by ending,
    as questions put verbs before their objects."""
    return word.lower().endswith(("ed", "ing")) or word.lower() in _OBJECT_VERBS


def find_replacement(question: str, previous: Sequence[str], title: str) -> tuple[int, int] | None:
    """The span to replace (rules 1–3), or None when the question names nothing established."""
    words = tokens(question)
    lowered = [w.lower() for w in words]
    whole = [w.lower() for w in tokens(title_phrase(title))]
    spans: list[tuple[int, int]] = []
    for start in range(len(words) - len(whole) + 1):
        if whole and lowered[start : start + len(whole)] == whole:
            spans.append((start, start + len(whole)))
    known = established_runs(previous)
    title_words = set(whole)
    for start, end in capitalised_runs(question):
        name = lowered[start:end]
        if " ".join(name) in known or set(name) <= title_words:
            spans.append((start, end))
    for start, end in spans:
        if start > 0 and lowered[start - 1] in {"the"} | _DEMONSTRATIVES:
            start -= 1
        if _reads_as_pronoun(words, start, end):
            return start, end
    return None


def as_asked(question: str, previous: Sequence[str], title: str, he_she: str = "") -> str:
    """The question as a reader would ask it after `previous`: the established phrase it names
    replaced by a pronoun; the question itself when it names none (rules 1–4)."""
    span = find_replacement(question, previous, title)
    if span is None:
        return question
    start, end = span
    words = tokens(question)
    pronoun = pronoun_for(words, start, end, title, he_she)
    if words[start].lower() in _DEMONSTRATIVES:
        pronoun = "this"
    if start == 0:
        pronoun = pronoun.capitalize()
    rest = words[end:]
    if rest[:1] and rest[0] in {"'s", "’s"}:
        rest = rest[1:]
    return detokenise([*words[:start], pronoun, *rest])


def detokenise(words: Iterable[str]) -> str:
    """Tokens back into a question: no space before punctuation or "'s"."""
    text = ""
    for word in words:
        glue = not text or word in {"?", ".", ",", ";", ":", "!", ")", "'s", "’s", "%"}
        glue = glue or text.endswith(("(", "$"))
        text += word if glue else f" {word}"
    return text


# --- Conversations --------------------------------------------------------------------------------


def article_conversations(
    title: str, text: str, questions: Sequence[Mapping[str, Any]]
) -> tuple[list[list[dict]], int]:
    """One article's questions, in order, as conversations (lists of turns), and how many
    questions were tried as a follow-up: a question whose as-asked form equals it starts a new
    conversation, as does one after `MAX_TURNS`; a lone question is left out."""
    he_she = gendered_pronoun(title, text)
    made: list[list[dict]] = []
    current: list[dict] = []
    tried = 0
    for question in questions:
        original = str(question["question"]).strip()
        if current and len(current) < MAX_TURNS:
            tried += 1
            followed = as_asked(original, [t["question"] for t in current], title, he_she)
            if followed != original:
                current.append(_turn(question, followed, original))
                continue
        made.append(current)
        current = [_turn(question, original, None)]
    made.append(current)
    return [turns for turns in made if len(turns) >= 2], tried


def conversations(
    questions: Sequence[Mapping[str, Any]], passages: Sequence[Mapping[str, Any]]
) -> tuple[list[dict], dict[str, int]]:
    """Every article's conversations (`article_conversations`), and the counts."""
    by_article: dict[str, list[Mapping[str, Any]]] = {}
    for passage in passages:
        by_article.setdefault(str(passage["article_id"]), []).append(passage)
    asked: dict[str, list[Mapping[str, Any]]] = {}
    for question in questions:
        asked.setdefault(str(question["article_id"]), []).append(question)
    made: list[dict] = []
    tried = 0
    for article_id, paragraphs in by_article.items():
        title = str(paragraphs[0]["title"])
        text = "\n\n".join(str(p["text"]) for p in paragraphs)
        found, article_tried = article_conversations(title, text, asked.get(article_id, []))
        tried += article_tried
        made += [_record(article_id, n, title, text, turns) for n, turns in enumerate(found)]
    figures = {
        "articles": len(by_article),
        "questions": len(questions),
        "tried": tried,
        "kept": sum(len(c["turns"]) - 1 for c in made),
        "conversations": len(made),
    }
    return made, figures


def _turn(question: Mapping[str, Any], asked: str, rewrite: str | None) -> dict:
    answers = list(question.get("answers") or [])
    return {
        "question": asked,
        "answer": answers[0] if answers else "",
        "rewrite": rewrite,
        "span_text": answers[0] if answers else None,
        "passage_id": str(question["passage_id"]),
    }


def _record(article_id: str, number: int, title: str, text: str, turns: list[dict]) -> dict:
    return {
        "id": f"{article_id}-c{number:02d}",
        "title": title_phrase(title),
        "text": text,
        "source": "Wikipedia (XQuAD)",
        "article_id": article_id,
        "index": INDEX_NAME,
        "turns": list(turns),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.followup_xquad",
        description="Write XQuAD's English questions as follow-up conversations.",
        epilog="Example: python -m benchmarks.followup_xquad --output ../followup-data",
    )
    parser.add_argument("--xquad", type=Path, default=XQUAD, help="folder of passages.jsonl "
                        "and questions.jsonl (default ../shared/eval/xquad-en)")  # fmt: skip
    parser.add_argument("--output", type=Path, required=True, help="folder to write the set to")
    args = parser.parse_args(argv)
    made, figures = conversations(
        list(read_jsonl(args.xquad / "questions.jsonl")),
        list(read_jsonl(args.xquad / "passages.jsonl")),
    )
    args.output.mkdir(parents=True, exist_ok=True)
    with (args.output / OUTPUT_NAME).open("w", encoding="utf-8") as out:
        for record in made:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(", ".join(f"{name} {value:,}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
