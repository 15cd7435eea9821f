"""Telegram text formatting: strict HTML validation, plain text and best-effort entities."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["EntityParseError", "parse_text", "utf16_len"]


class EntityParseError(ValueError):
    """The text would make Telegram answer "Bad Request: can't parse entities: ..."."""


_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Telegram knows only these named entities and numeric ones; a bare "&" usually means user
# text was interpolated without escaping, which is exactly what the strict check must catch.
_VALID_REF = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);")
_TAG_OR_AMP = re.compile(r"<[^<>]*>|&")
_SIMPLE_TAGS: dict[str, str] = {
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


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, char_offset: int) -> int:
    return len(text[:char_offset].encode("utf-8"))


class _TelegramHTMLParser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._parts: list[str] = []
        self._length = 0
        # (tag, entity or None, utf-16 offset where it starts)
        self._stack: list[tuple[str, dict[str, Any] | None, int]] = []
        self.entities: list[dict[str, Any]] = []

    @property
    def plain(self) -> str:
        return "".join(self._parts)

    def _offset(self) -> int:
        line, col = self.getpos()
        lines = self._source.split("\n")
        char_offset = sum(len(item) + 1 for item in lines[: line - 1]) + col
        return _byte_offset(self._source, char_offset)

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        entity: dict[str, Any] | None
        if tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
        elif tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {self._offset()}'
                )
            entity = {"type": "spoiler"}
        elif tag == "a":
            href = attributes.get("href", "")
            if href.startswith("tg://user?id="):
                user_id = href.removeprefix("tg://user?id=")
                entity = {
                    "type": "text_mention",
                    "user": {
                        "id": int(user_id) if user_id.isdigit() else 0,
                        "is_bot": False,
                        "first_name": "",
                    },
                }
            elif href:
                entity = {"type": "text_link", "url": href}
            else:
                entity = None
        elif tag == "code":
            entity = {"type": "code"}
            if self._stack and self._stack[-1][0] == "pre":
                # <pre><code class="language-x"> is one pre entity with a language.
                pre_entity = self._stack[-1][1]
                language = attributes.get("class", "")
                if pre_entity is not None and language.startswith("language-"):
                    pre_entity["language"] = language.removeprefix("language-")
                entity = None
        elif tag == "pre":
            entity = {"type": "pre"}
        elif tag == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
            entity = {"type": kind}
        elif tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id", "")
            if not emoji_id:
                raise EntityParseError(
                    f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {self._offset()}'
                )
            entity = {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        else:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        self._stack.append((tag, entity, self._length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Telegram has no void tags: <br/> is as unsupported as any unknown tag.
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self._offset()}")
        open_tag, entity, start = self._stack.pop()
        if open_tag != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {self._offset()}, expected "</{open_tag}>", '
                f'found "</{tag}>"'
            )
        length = self._length - start
        if entity is not None and length > 0:
            entity["offset"] = start
            entity["length"] = length
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            position = data.index("<")
            name = re.match(r"[^\s<>/]*", data[position + 1 :])
            tag = name.group(0) if name else ""
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            raise EntityParseError(f'Unsupported HTML entity "&{name};"')
        self._append(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name[:1] in {"x", "X"} else int(name)
        if not 0 < code <= 0x10FFFF:
            raise EntityParseError(f'Unsupported HTML entity "&#{name};"')
        self._append(chr(code))

    def handle_comment(self, data: str) -> None:
        raise EntityParseError(f'Unsupported start tag "!--" at byte offset {self._offset()}')

    def handle_decl(self, decl: str) -> None:
        raise EntityParseError(f'Unsupported start tag "!" at byte offset {self._offset()}')

    def handle_pi(self, data: str) -> None:
        raise EntityParseError(f'Unsupported start tag "?" at byte offset {self._offset()}')

    def unknown_decl(self, data: str) -> None:
        raise EntityParseError(f'Unsupported start tag "!" at byte offset {self._offset()}')

    def finish(self) -> None:
        self.close()
        if self._stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._stack[-1][0]}"'
            )


def _check_ampersands(text: str) -> None:
    for match in _TAG_OR_AMP.finditer(text):
        if match.group(0) != "&":
            continue  # a tag: attribute values are not checked
        if not _VALID_REF.match(text, match.start()):
            offset = _byte_offset(text, match.start())
            raise EntityParseError(
                f'Character "&" must be escaped as "&amp;" at byte offset {offset}'
            )


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Validate Telegram HTML; return the plain text and its entities (UTF-16 offsets)."""
    if "<" not in text and "&" not in text:
        return text, []
    _check_ampersands(text)
    parser = _TelegramHTMLParser(text)
    parser.feed(text)
    parser.finish()
    entities = sorted(parser.entities, key=lambda item: (item["offset"], -item["length"]))
    return parser.plain, entities


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NEVER_MARKUP = set("#+-={}.!")


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Best-effort MarkdownV2: reject unescaped reserved characters; entities are not computed."""
    plain: list[str] = []
    index = 0
    in_code = False
    in_url = False
    counts = {"*": 0, "_": 0, "~": 0, "|": 0}
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            plain.append(text[index + 1])
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        elif in_code:
            plain.append(char)
        elif in_url:
            if char == ")":
                in_url = False
        elif char == "]" and text[index + 1 : index + 2] == "(":
            in_url = True
            index += 1
        elif char in _MDV2_NEVER_MARKUP or (char == ">" and index > 0 and text[index - 1] != "\n"):
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        elif char in counts:
            counts[char] += 1
        elif char not in _MDV2_RESERVED:
            plain.append(char)
        index += 1
    names = {"*": "Bold", "_": "Italic", "~": "Strikethrough", "|": "Spoiler"}
    for char, count in counts.items():
        if count % 2:
            raise EntityParseError(f"Can't find end of {names[char]} entity")
    if in_code:
        raise EntityParseError("Can't find end of Code entity")
    return "".join(plain), []


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy Markdown: markup characters removed, no validation."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", plain), []


def parse_text(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities as Telegram would derive them from a text field."""
    if isinstance(entities, list):
        # Explicit entities win over parse_mode, exactly as in the Bot API.
        return text, [item for item in entities if isinstance(item, dict)]
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    return text, []
