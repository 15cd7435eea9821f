"""What Telegram refuses, as checks over request parameters: the emulator and mocked session."""

from __future__ import annotations

from typing import Any

from .formatting import EntityParseError, parse_text
from .params import Params, bad_request

__all__ = [
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "NOT_MODIFIED",
    "TEXT_LIMIT",
    "caption",
    "check_fields",
    "format_text",
    "inline_keyboard",
    "reply_markup",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
# Fields Telegram replaced; a bot that still sends them relies on behaviour that may go.
REPLACED_FIELDS = {
    "disable_web_page_preview": "link_preview_options",
    "reply_to_message_id": "reply_parameters",
    "allow_sending_without_reply": "reply_parameters",
}
_PARSE_MODES = frozenset({"", "html", "markdown", "markdownv2"})
_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
        "pay",
        "web_app",
        "copy_text",
    }
)


def check_fields(p: Params) -> None:
    """Refuse replaced fields: Telegram still accepts them today, the emulator is stricter."""
    for old, new in REPLACED_FIELDS.items():
        if p.get(old) is not None:
            raise bad_request(f"{old} was replaced by {new}; send {new} instead")


def format_text(
    text: str, parse_mode: str | None, entities: Any, *, limit: int, too_long: str
) -> tuple[str, list[dict[str, Any]]]:
    """(plain text, entities) as Telegram would show them, or Telegram's 400."""
    if (parse_mode or "").lower() not in _PARSE_MODES:
        raise bad_request(f'unsupported parse_mode "{parse_mode}"')
    try:
        plain, found = parse_text(text, parse_mode, entities)
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    if len(plain) > limit:
        raise bad_request(too_long)
    return plain, found


def caption(p: Params) -> tuple[str | None, str | None, list[dict[str, Any]], str | None]:
    """(raw caption, plain caption, caption entities, parse_mode) of a media request."""
    raw = p.get_str("caption")
    parse_mode = p.get_str("parse_mode")
    if not raw:
        return None, None, [], parse_mode
    plain, entities = format_text(
        raw,
        parse_mode,
        p.get_json("caption_entities"),
        limit=CAPTION_LIMIT,
        too_long="message caption is too long",
    )
    return raw, plain, entities, parse_mode


def reply_markup(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    """The request's reply_markup, checked as Telegram checks it."""
    markup = p.get_json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                if isinstance(button, dict) and not button.get("text"):
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            if not _BUTTON_ACTIONS.intersection(button):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None:
                size = len(str(data).encode("utf-8"))
                if size == 0 or size > CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).strip():
                raise bad_request("BUTTON_URL_INVALID")
