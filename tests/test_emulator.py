"""Tests of the fake Telegram Bot API server, driven by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import html
import json
import os
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)

from emulator import FakeTelegram

TOKEN = "123456:TEST-token"


def png_bytes(width: int = 2, height: int = 3) -> bytes:
    """A valid PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons
        ]
    )


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake
        assert fake.server_errors == []


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = tg.bot()
    yield client
    await client.session.close()


# -- lifecycle, routing and auth ---------------------------------------------------------


def test_start_stop_is_quick_and_leaves_no_thread() -> None:
    started = time.monotonic()
    fake = FakeTelegram(token=TOKEN).start()
    assert fake.base_url.startswith("http://127.0.0.1:")
    name = f"fake-telegram-{fake.port}"
    fake.stop()
    assert time.monotonic() - started < 1.0
    assert not fake.running
    assert all(thread.name != name for thread in threading.enumerate())


@pytest.mark.asyncio
async def test_get_me_and_unauthorized_token(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "ngo_events_test_bot"
    intruder = Bot("999:wrong", session=bot.session)
    with pytest.raises(TelegramUnauthorizedError):
        await intruder.get_me()


@pytest.mark.asyncio
async def test_raw_http_json_query_and_unknown_method(tg: FakeTelegram) -> None:
    alice = tg.user(first_name="Alice")
    async with aiohttp.ClientSession() as http:
        url = f"{tg.base_url}/bot{TOKEN}"
        async with http.post(f"{url}/SENDMESSAGE", json={"chat_id": alice.id, "text": "hi"}) as r:
            body = await r.json()
            assert r.status == 200
            assert body["ok"] is True
            assert body["result"]["chat"] == {
                "id": alice.id,
                "type": "private",
                "first_name": "Alice",
            }
        async with http.get(f"{url}/sendMessage", params={"chat_id": alice.id, "text": "q"}) as r:
            assert (await r.json())["result"]["text"] == "q"
        async with http.post(f"{url}/sendMessage", data={"chat_id": alice.id, "text": "f"}) as r:
            assert (await r.json())["result"]["text"] == "f"
        async with http.post(f"{url}/noSuchMethod") as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{tg.base_url}/bot1:bad/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert [m.plain for m in tg.messages(alice)] == ["hi", "q", "f"]
    assert tg.calls_to("sendMessage")[0].params == {"chat_id": alice.id, "text": "hi"}


# -- getUpdates ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_updates_offset_and_limit(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(first_name="Alice", language_code="ru")
    for index in range(5):
        tg.send_text(alice, f"m{index}")
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["m0", "m1"]
    assert first[1].update_id == first[0].update_id + 1
    assert first[0].message is not None
    assert first[0].message.from_user is not None
    assert first[0].message.from_user.language_code == "ru"
    again = await bot.get_updates(limit=2)  # nothing confirmed yet
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await bot.get_updates(offset=first[1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["m2", "m3", "m4"]
    assert len(tg.pending_updates) == 3  # m0 and m1 are confirmed and gone
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == []
    assert tg.pending_updates == []


@pytest.mark.asyncio
async def test_long_poll_returns_early_when_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.to_thread(tg.wait_for_polling, 2)
    tg.send_text(alice, "wake up")
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["wake up"]


@pytest.mark.asyncio
async def test_long_poll_times_out_with_empty_list(tg: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 1.8


@pytest.mark.asyncio
async def test_second_get_updates_terminates_the_waiting_one(tg: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.to_thread(tg.wait_for_polling, 2)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    assert await second == []


@pytest.mark.asyncio
async def test_allowed_updates_filter(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    message = await bot.send_message(alice.id, "pick", reply_markup=keyboard(("A", "a")))
    tg.send_text(alice, "text")
    tg.press_callback(alice, message_id=message.message_id, data="a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["a"]
    assert all(u.message is None for u in updates)


@pytest.mark.asyncio
async def test_delete_webhook_drops_pending_updates(tg: FakeTelegram, bot: Bot) -> None:
    tg.send_text(tg.user(), "old")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


# -- sending, editing, callbacks -----------------------------------------------------------


@pytest.mark.asyncio
async def test_send_press_answer_edit_happy_path(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(first_name="Алиса", language_code="ru")
    incoming = tg.send_text(alice, "/start ev_12")
    sent = await bot.send_message(
        alice.id,
        "<b>Привет</b>, выберите язык",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("English", "lang:en"), ("Русский", "lang:ru")),
    )
    assert sent.message_id == incoming.message_id + 1  # ids are shared per chat
    assert sent.text == "Привет, выберите язык"
    assert sent.chat.type == "private"
    assert sent.from_user is not None
    assert sent.from_user.id == 123456

    msg = tg.wait_for_message(alice, contains="Привет", timeout=1)
    assert msg.text == "<b>Привет</b>, выберите язык"
    assert msg.buttons() == ["English", "Русский"]
    assert msg.callback_data("English") == "lang:en"
    query_id = tg.press_button(alice, msg, text="English")

    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "lang:en"
    assert query.message is not None
    assert query.message.message_id == msg.message_id

    assert await bot.answer_callback_query(query_id, text="Done", show_alert=True)
    answer = tg.wait_for_answer(query_id, timeout=1)
    assert (answer.text, answer.show_alert) == ("Done", True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("42")

    edited = await bot.edit_message_text(
        "Language: <i>English</i>",
        chat_id=alice.id,
        message_id=msg.message_id,
        parse_mode="HTML",
        reply_markup=keyboard(("Back", "back")),
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Language: English"
    assert tg.wait_for_edit(alice, msg, contains="English", timeout=1) is msg
    assert msg.edits[0].plain == "Привет, выберите язык"
    assert msg.buttons() == ["Back"]

    # Without reply_markup Telegram removes the inline keyboard.
    await bot.edit_message_text("Plain", chat_id=alice.id, message_id=msg.message_id)
    assert msg.reply_markup is None
    assert msg.payload.get("reply_markup") is None
    await bot.edit_message_reply_markup(
        chat_id=alice.id, message_id=msg.message_id, reply_markup=keyboard(("X", "x"))
    )
    assert msg.buttons() == ["X"]
    assert len(msg.edits) == 3

    assert await bot.delete_message(alice.id, msg.message_id)
    assert msg.deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, msg.message_id)


@pytest.mark.asyncio
async def test_error_shapes(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.id, "")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "x" * 4097)
    await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hello")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice.id, "k", reply_markup=keyboard(("long", "x" * 65)))
    reply_kb = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Share")]], resize_keyboard=True)
    reply_msg = await bot.send_message(alice.id, "reply kb", reply_markup=reply_kb)
    assert tg.message(alice, reply_msg.message_id).reply_buttons() == ["Share"]
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("new", chat_id=alice.id, message_id=999)
    user_msg = tg.send_text(alice, "mine")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("new", chat_id=alice.id, message_id=user_msg.message_id)
    same = await bot.send_message(alice.id, "same", reply_markup=keyboard(("A", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "same", chat_id=alice.id, message_id=same.message_id, reply_markup=keyboard(("A", "a"))
        )
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(alice.id, from_chat_id=alice.id, message_id=999)

    tg.block(alice)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "are you there?")
    with pytest.raises(TelegramForbiddenError):
        await bot.copy_message(alice.id, from_chat_id=alice.id, message_id=same.message_id)
    tg.unblock(alice)
    await bot.send_message(alice.id, "welcome back")


@pytest.mark.asyncio
async def test_html_validation(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    for bad in (
        "<script>alert(1)</script>",
        "<b>unclosed",
        "<b>crossed <i>tags</b></i>",
        "stray </b>",
        "Tom & Jerry",
        "I <3 NGOs",
        '<span class="x">no</span>',
    ):
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(alice.id, bad, parse_mode="HTML")
    user_text = "<script>alert('x')</script> & \"quotes\" 5 > 3"
    sent = await bot.send_message(
        alice.id, f"<b>Name:</b> {html.escape(user_text)}", parse_mode=ParseMode.HTML
    )
    assert sent.text == f"Name: {user_text}"
    ok = await bot.send_message(
        alice.id,
        '<a href="https://example.org/?a=1&b=2">link</a> <tg-spoiler>s</tg-spoiler> '
        '<span class="tg-spoiler">s</span> <pre><code class="language-py">x</code></pre> '
        "<blockquote expandable>q</blockquote> &#128512; &#x1F600;",
        parse_mode="HTML",
    )
    assert ok.entities is not None
    assert {e.type for e in ok.entities} >= {"text_link", "spoiler", "pre", "expandable_blockquote"}
    # Without parse_mode, markup is literal text.
    literal = await bot.send_message(alice.id, "<b>not bold</b> & co")
    assert literal.text == "<b>not bold</b> & co"
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(alice.id, "Dot.", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(
            alice.id, BufferedInputFile(b"x", filename="a.txt"), caption="c" * 1025
        )
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_document(
            alice.id, BufferedInputFile(b"x", filename="a.txt"), caption="<u>x", parse_mode="HTML"
        )


@pytest.mark.asyncio
async def test_document_upload_round_trip(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    data = bytes(range(256)) * 200 + os.urandom(1000)
    sent = await bot.send_document(
        alice.id,
        BufferedInputFile(data, filename="report.pdf"),
        caption="<b>Report</b>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert sent.document.file_name == "report.pdf"
    assert sent.document.mime_type == "application/pdf"
    assert sent.document.file_size == len(data)
    assert sent.caption == "Report"
    stored = tg.wait_for_message(alice, timeout=1)
    assert stored.document == data
    assert (stored.filename, stored.mime_type, stored.caption) == (
        "report.pdf",
        "application/pdf",
        "<b>Report</b>",
    )
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == data
    # Re-sending by file_id reuses the stored file.
    again = await bot.send_document(alice.id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(alice.id, "no-such-file-id")
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(alice.id, BufferedInputFile(b"not an image", filename="x.png"))


@pytest.mark.asyncio
async def test_copy_message_of_a_user_photo(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(first_name="Alice")
    bob = tg.user(first_name="Bob")
    image = png_bytes(4, 5)
    photo_msg = tg.send_photo(alice, data=image, caption="<b>x</b> caption")
    updates = await bot.get_updates()
    incoming = updates[-1].message
    assert incoming is not None
    assert incoming.photo is not None
    assert (incoming.photo[-1].width, incoming.photo[-1].height) == (4, 5)
    assert incoming.caption == "<b>x</b> caption"

    copied = await bot.copy_message(
        bob.id,
        from_chat_id=alice.id,
        message_id=photo_msg.message_id,
        reply_markup=keyboard(("Approve", "ok:1")),
    )
    copy = tg.wait_for_message(bob, timeout=1)
    assert copy.message_id == copied.message_id
    assert copy.copy_of == (alice.id, photo_msg.message_id)
    assert copy.media_type == "photo"
    assert copy.photo == image
    assert copy.caption == "<b>x</b> caption"
    assert copy.buttons() == ["Approve"]

    await bot.copy_message(
        bob.id,
        from_chat_id=alice.id,
        message_id=photo_msg.message_id,
        caption="<i>new</i>",
        parse_mode="HTML",
    )
    assert tg.wait_for_message(bob, timeout=1).caption_plain == "new"

    text_msg = tg.send_text(alice, "plain words")
    await bot.copy_message(bob.id, from_chat_id=alice.id, message_id=text_msg.message_id)
    assert tg.wait_for_message(bob, timeout=1).plain == "plain words"
    forwarded = await bot.forward_message(bob.id, alice.id, text_msg.message_id)
    assert forwarded.forward_origin is not None


@pytest.mark.asyncio
async def test_location_venue_contact_and_group(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(username="alice")
    location = await bot.send_location(alice.id, latitude=57.15, longitude=65.53)
    assert location.location is not None
    assert location.location.latitude == pytest.approx(57.15)
    venue = await bot.send_venue(alice.id, 57.15, 65.53, title="Hall", address="Main st. 1")
    assert venue.venue is not None
    assert venue.venue.title == "Hall"
    contact = await bot.send_contact(alice.id, phone_number="+79990000000", first_name="Org")
    assert contact.contact is not None
    assert [m.method for m in tg.messages(alice)] == ["sendLocation", "sendVenue", "sendContact"]

    tg.send_contact(alice, phone_number="+79991234567")
    tg.send_location(alice, latitude=57.15, longitude=65.53)
    tg.send_group_text(group_id=-100123, user=alice, text="hi all")
    updates = await bot.get_updates()
    shared = updates[0].message
    assert shared is not None
    assert shared.contact is not None
    assert shared.contact.user_id == alice.id
    assert updates[1].message is not None
    assert updates[1].message.location is not None
    group_msg = updates[2].message
    assert group_msg is not None
    assert group_msg.chat.type == "supergroup"
    sent = await bot.send_message(-100123, "hello group")
    assert sent.chat.title is not None
    assert [m.plain for m in tg.messages(-100123)] == ["hello group"]


@pytest.mark.asyncio
async def test_commands_are_recorded(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [BotCommand(command="events", description="События")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="ru",
    )
    scope_key = json.dumps({"type": "all_private_chats"})
    assert tg.commands == {
        ("default", ""): [("start", "Start")],
        (scope_key, "ru"): [("events", "События")],
    }
    fetched = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="ru")
    assert [c.command for c in fetched] == ["events"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])
    assert await bot.delete_my_commands()
    assert ("default", "") not in tg.commands


@pytest.mark.asyncio
async def test_bot_photo_forged_callback_and_block_notification(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    image = png_bytes(7, 9)
    sent = await bot.send_photo(alice.id, BufferedInputFile(image, filename="poster.png"))
    assert sent.photo is not None
    assert (sent.photo[-1].width, sent.photo[-1].height) == (7, 9)
    assert tg.wait_for_message(alice, timeout=1).photo == image

    query_id = tg.press_callback(alice, message_id=9999, data="forged:1")
    tg.block(alice, notify=True)
    updates = await bot.get_updates(allowed_updates=["callback_query", "my_chat_member"])
    query = updates[0].callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "forged:1"
    assert query.message is not None
    assert isinstance(query.message, InaccessibleMessage)
    member = updates[1].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(alice.id, "typing")


# -- fault injection and flood control ------------------------------------------------------


@pytest.mark.asyncio
async def test_fault_injection(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    bob = tg.user()
    fault = tg.faults.add("sendMessage", "429", retry_after=2, times=3)
    for _ in range(3):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(alice.id, "x")
        assert caught.value.retry_after == 2
    await bot.send_message(alice.id, "through")
    assert fault.hits == 3
    assert [m.plain for m in tg.messages(alice)] == ["through"]
    assert [c.status for c in tg.calls_to("sendMessage")] == [429, 429, 429, 200]

    tg.faults.add("sendmessage", "403", chat_id=bob.id)
    await bot.send_message(alice.id, "alice unaffected")
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(bob.id, "x")
    tg.faults.add("*", "500")
    with pytest.raises(TelegramServerError):
        await bot.send_photo(alice.id, BufferedInputFile(png_bytes(), filename="p.png"))
    tg.faults.add("sendMessage", "400", description="Bad Request: custom")
    with pytest.raises(TelegramBadRequest, match="custom"):
        await bot.send_message(alice.id, "x")
    tg.faults.add("sendMessage", "drop")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(alice.id, "x")
    tg.faults.add("sendMessage", "slow", delay=0.3)
    started = time.monotonic()
    await bot.send_message(alice.id, "late")
    assert time.monotonic() - started >= 0.3
    forever = tg.faults.add("getMe", "500", times=None)
    for _ in range(3):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    assert forever.hits == 3
    tg.faults.clear()
    assert (await bot.get_me()).id == 123456


@pytest.mark.asyncio
async def test_rate_limit(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    bob = tg.user()
    tg.rate_limit(global_per_second=5)
    outcomes = []
    for index in range(8):
        try:
            await bot.send_message(alice.id, f"m{index}")
            outcomes.append("ok")
        except TelegramRetryAfter as error:
            outcomes.append(f"429/{error.retry_after}")
    assert outcomes == ["ok"] * 5 + ["429/1"] * 3
    assert tg.flood_429_count == 3
    await bot.get_me()  # only sending methods are limited

    tg.rate_limit(per_chat_per_second=1)
    await bot.send_message(alice.id, "a1")
    await bot.send_message(bob.id, "b1")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(alice.id, "a2")
    assert tg.flood_429_count == 4
    tg.rate_limit(None, None)
    for _ in range(10):
        await bot.send_message(alice.id, "unlimited")


# -- test-side helpers ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_wait_for_message_cursor_and_failure_report(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    for text in ("one", "two", "three"):
        await bot.send_message(alice.id, text)
    assert tg.wait_for_message(alice, timeout=1).plain == "one"
    assert tg.wait_for_message(alice, contains="three", timeout=1).plain == "three"
    assert tg.wait_for_message(alice, since=0, contains="two", timeout=1).plain == "two"
    with pytest.raises(AssertionError, match=r"(?s)no bot message.*'three'"):
        tg.wait_for_message(alice, timeout=0.2)
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(alice.id, "<b>", parse_mode="HTML")
    with pytest.raises(AssertionError, match="can't parse entities"):
        tg.wait_for_message(alice, timeout=0.1)

    later = threading.Timer(0.1, tg.send_text, args=(alice, "ping"))
    later.start()
    updates = await bot.get_updates(timeout=2)
    assert updates[0].message is not None
    assert updates[0].message.text == "ping"
    with pytest.raises(AssertionError, match="no inline button"):
        tg.messages(alice)[0].button("nope")


@pytest.mark.asyncio
async def test_many_sends_are_fast(tg: FakeTelegram, bot: Bot) -> None:
    users = [tg.user() for _ in range(20)]
    started = time.monotonic()
    await asyncio.gather(*(bot.send_message(user.id, f"n{i}") for i in range(10) for user in users))
    assert time.monotonic() - started < 2.0
    assert all(len(tg.messages(user)) == 10 for user in users)
    assert len(tg.calls) == 200


async def test_replaced_fields_are_flagged(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user()
    with pytest.raises(TelegramBadRequest, match="disable_web_page_preview was replaced"):
        await bot.send_message(alice.id, "https://example.org", disable_web_page_preview=True)
    await bot.send_message(
        alice.id, "https://example.org", link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    assert tg.calls_to("sendMessage")[-1].params["link_preview_options"] == {"is_disabled": True}


async def test_the_async_waits_leave_the_bots_event_loop_free(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user(first_name="Alice")
    tg.send_text(alice, "/start")
    # The bot answers from this very loop while the test waits: a blocking wait would hang.
    waiting = asyncio.create_task(tg.wait_for_message_async(alice, contains="Hello", timeout=5))
    await bot.send_message(alice.id, "Hello, Alice")
    assert (await waiting).text == "Hello, Alice"
    pending = [1]
    assert await tg.wait_until_async(lambda: pending, timeout=5) == [1]
