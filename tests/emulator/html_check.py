"""Telegram ``parse_mode=HTML`` validation and entity extraction.

Telegram rejects a whole message when its HTML is off, so the bot's formatting must be checked
the way Telegram checks it.  ``html.parser.HTMLParser`` (with ``convert_charrefs=False``) does the
tokenizing; this module adds Telegram's rules on top: the tag whitelist, strict nesting, ``<a>``
needing an ``href`` and only ``&lt; &gt; &amp; &quot;`` plus numeric character references.

Deliberately stricter than Telegram (a bot relying on the laxness has an escaping bug): an
unknown entity such as ``&nbsp;``, a bare ``&`` and ``&lt`` without ``;`` are rejected unless
``strict_entities=False`` (Telegram keeps them as literal text); ``<a>`` without ``href`` and the
``</>`` shorthand are always rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

__all__ = ["HtmlError", "parse_html", "utf16_len"]

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_SUPPORTED_TAGS = {*_SIMPLE_TAGS, "span", "a", "code", "pre", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT = 0x10FFFF


class HtmlError(ValueError):
    """The text is not Telegram-valid HTML; ``str(exc)`` follows Telegram's wording."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset in the output text where the tag's content starts
    attrs: dict[str, str | None] = field(default_factory=dict)


class _TelegramHtmlParser(HTMLParser):
    """Collects plain text and entities, raising :class:`HtmlError` on the first problem."""

    def __init__(self, raw: str, strict_entities: bool) -> None:
        super().__init__(convert_charrefs=False)
        self._raw = raw
        self._strict = strict_entities
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.parts: list[str] = []
        self.length = 0  # UTF-16 units emitted so far
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    # -- helpers ----------------------------------------------------------------------------
    def _index(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _byte_offset(self, index: int | None = None) -> int:
        index = self._index() if index is None else index
        return len(self._raw[:index].encode("utf-8"))

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    # -- HTMLParser callbacks -----------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        self.data_at(data, self._index())

    def data_at(self, data: str, start: int) -> None:
        for i, ch in enumerate(data):
            if ch in "<&":
                self._reject_bare(ch, start + i)
        self._emit(data)

    def _reject_bare(self, ch: str, index: int) -> None:
        """Explain a ``<`` or ``&`` that HTMLParser could not read as a tag or an entity."""
        offset = self._byte_offset(index)
        rest = self._raw[index + 1 :]
        if ch == "&" and not self._strict:
            return  # Telegram keeps an undecodable "&" as literal text
        if ch == "&":
            if re.match(r"#?[A-Za-z0-9]+", rest):
                raise HtmlError(f"Can't find end of the entity starting at byte offset {offset}")
            raise HtmlError(f'Unescaped "&" at byte offset {offset} (write &amp; instead)')
        name = re.match(r"[^\s>]*", rest)
        tag = name.group(0) if name else ""
        if rest.startswith("/"):
            raise HtmlError(f"Unclosed end tag at byte offset {offset}")
        if len(tag) == len(rest):
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {offset}')

    def handle_entityref(self, name: str) -> None:
        index = self._index()
        has_semicolon = self._raw[index + 1 + len(name) : index + 2 + len(name)] == ";"
        if not self._strict and (name not in _NAMED_ENTITIES or not has_semicolon):
            self._emit(self._raw[index : index + 1 + len(name) + has_semicolon])
            return
        if name not in _NAMED_ENTITIES:
            raise HtmlError(
                f'Unsupported HTML entity "&{name};" at byte offset {self._byte_offset(index)}; '
                "only &lt; &gt; &amp; &quot; and numeric entities are supported"
            )
        self._require_semicolon(index, len(name))
        self._emit(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        index = self._index()
        if not self._strict and self._raw[index + 2 + len(name) : index + 3 + len(name)] != ";":
            self._emit(self._raw[index : index + 2 + len(name)])
            return
        self._require_semicolon(index, len(name) + 1)
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        except ValueError:
            code = -1
        if not 0 < code <= _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
            raise HtmlError(
                f'Invalid character reference "&#{name};" at byte offset {self._byte_offset(index)}'
            )
        self._emit(chr(code))

    def _require_semicolon(self, index: int, name_len: int) -> None:
        if self._raw[index + 1 + name_len : index + 2 + name_len] != ";":
            raise HtmlError(
                f"Can't find end of the entity starting at byte offset {self._byte_offset(index)}"
            )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._byte_offset()
        if tag not in _SUPPORTED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attr_map = {name: value for name, value in attrs}
        if tag == "span" and attr_map.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "a" and not attr_map.get("href"):
            raise HtmlError(f'Tag "a" must have a non-empty href at byte offset {offset}')
        if tag == "tg-emoji" and not (attr_map.get("emoji-id") or "").isdigit():
            raise HtmlError("Invalid custom emoji identifier specified")
        self.stack.append(_Open(tag, self.length, attr_map))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise HtmlError(f'Unsupported start tag "{tag}/" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        offset = self._byte_offset()
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {offset}")
        top = self.stack[-1]
        if tag != top.tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.tag}>", '
                f'found "</{tag}>"'
            )
        self.stack.pop()
        self._close(top)

    def handle_comment(self, data: str) -> None:
        raise HtmlError(f'Unsupported start tag "!--" at byte offset {self._byte_offset()}')

    def handle_decl(self, decl: str) -> None:
        raise HtmlError(f'Unsupported start tag "!{decl}" at byte offset {self._byte_offset()}')

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        raise HtmlError(f'Unsupported start tag "?{data}" at byte offset {self._byte_offset()}')

    # -- entity construction ------------------------------------------------------------------
    def _close(self, item: _Open) -> None:
        length = self.length - item.offset
        if length <= 0:
            return  # Telegram silently drops empty entities
        entity: dict[str, Any] = {"offset": item.offset, "length": length}
        tag = item.tag
        if tag in _SIMPLE_TAGS or tag == "span":
            entity["type"] = _SIMPLE_TAGS.get(tag, "spoiler")
        elif tag == "a":
            entity.update(type="text_link", url=item.attrs["href"])
        elif tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=item.attrs["emoji-id"])
        elif tag == "blockquote":
            expandable = "expandable" in item.attrs
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        elif tag == "code":
            css = item.attrs.get("class") or ""
            inside_pre = bool(self.stack) and self.stack[-1].tag == "pre"
            if inside_pre and css.startswith("language-") and css != "language-":
                entity.update(type="pre", language=css.removeprefix("language-"))
            else:
                entity["type"] = "code"
        elif tag == "pre":
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] in ("pre", "code")
                and (last["offset"], last["length"]) == (item.offset, length)
            ):
                last["type"] = "pre"  # <pre><code …>…</code></pre> is a single pre entity
                return
            entity["type"] = "pre"
        self.entities.append(entity)


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain_text, entities)`` for Telegram HTML, or raise :class:`HtmlError`.

    Entity offsets and lengths are in UTF-16 code units, sorted like Telegram sorts them.
    ``strict_entities=False`` keeps unknown or unterminated ``&…`` as literal text, as
    Telegram itself does.
    """
    if "</>" in text:
        raise HtmlError(
            f'Empty end tag "</>" at byte offset {len(text[: text.index("</>")].encode())} '
            "is not supported by the emulator"
        )
    parser = _TelegramHtmlParser(text, strict_entities)
    # HTMLParser silently drops the "&" of an unfinished "&name" at the very end of the input,
    # so that tail is held back and judged here.
    tail = re.search(r"&#?[A-Za-z0-9]*$", text)
    parser.feed(text[: tail.start()] if tail else text)
    parser.close()  # flushes a trailing "<b" as data, which handle_data rejects
    if tail:
        parser.data_at(tail.group(), tail.start())
    if parser.stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1].tag}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), entities
