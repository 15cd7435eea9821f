"""The mocked session refuses what Telegram refuses, with the emulator's own checks."""

from __future__ import annotations

import pytest
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tests.kit.mocked_bot import MockedBot, MockedSession

CHAT = 777


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data=data)]]
    )


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("unescaped ampersand", "Tom & Jerry", "can't parse entities"),
        ("unclosed tag", "<b>bold", "can't parse entities"),
        ("unknown tag", "<div>x</div>", "can't parse entities"),
        ("4097 characters", "я" * 4097, "message is too long"),
        ("only a tag", "<b> </b>", "message text is empty"),
    ],
)
async def test_a_text_telegram_refuses_is_refused(name: str, text: str, reason: str) -> None:
    bot = MockedBot()
    with pytest.raises(TelegramBadRequest, match=reason):
        await bot.send_message(CHAT, text)
    assert bot.session.messages[CHAT] == [], name


async def test_limits_of_captions_and_callback_data() -> None:
    bot = MockedBot()
    await bot.send_message(CHAT, "x" * 4096, reply_markup=keyboard("d" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "65 bytes of callback data", reply_markup=keyboard("d" * 65))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        # 33 Cyrillic letters are 66 bytes: the limit is in bytes, not characters.
        await bot.send_message(CHAT, "66 bytes", reply_markup=keyboard("ж" * 33))
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.copy_message(CHAT, CHAT, 1, caption="c" * 1025)


async def test_edits_and_deletes_of_messages_that_are_not_there() -> None:
    bot = MockedBot()
    sent = await bot.send_message(CHAT, "<b>Card</b>", reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("New", chat_id=CHAT, message_id=sent.message_id + 50)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>Card</b>", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    # The same text with another keyboard is a change; so is dropping the keyboard.
    await bot.edit_message_text(
        "<b>Card</b>", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("b")
    )
    await bot.edit_message_text("<b>Card</b>", chat_id=CHAT, message_id=sent.message_id)
    await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Again", chat_id=CHAT, message_id=sent.message_id)


async def test_the_replaced_link_preview_field_is_flagged() -> None:
    old_style = MockedBot.__new__(MockedBot)
    super(MockedBot, old_style).__init__(
        "1:x",
        session=MockedSession(),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    with pytest.raises(TelegramBadRequest, match="disable_web_page_preview was replaced"):
        await old_style.send_message(CHAT, "https://example.org")
    bot = MockedBot()
    await bot.send_message(CHAT, "https://example.org")
    sent = bot.session.prepared(bot, bot.session.requests[-1])
    assert sent.get("disable_web_page_preview") is None
    assert sent.get("link_preview_options") == {"is_disabled": True}
