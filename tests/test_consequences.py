"""What follows from a committed change is in the outbox with it: a crash after the commit
loses no ticket, calendar file or receipt, and a redone press queues nothing twice."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import zxingcpp
from aiogram import Dispatcher
from aiogram.types import Update
from icalendar import Calendar
from PIL import Image

from bot.app import create_inbox
from bot.services import Services
from bot.services.roles import Access
from db import registrations
from db.registrations import Registration
from tests.kit import updates
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME, MockedBot
from tests.member_kit import delivered, make_event, prepared_person


def click_update(client: ChatClient, label: str) -> Update:
    """The callback update pressing `label` on the latest message that has it."""
    target = client._with_button(label)
    return updates.callback(client.user, target.callback_data(label), client._as_message(target))


def dead_bot() -> MockedBot:
    """A bot whose every call fails: the process is gone right after the commit, before it
    could answer anyone."""
    bot = MockedBot()
    bot.session.fail("*", "500", times=1000)
    return bot


async def crash_while_handling(dp: Dispatcher, update: Update) -> None:
    with contextlib.suppress(Exception):
        await dp.feed_update(dead_bot(), update)


async def outbox_of(services: Services, person_id: int) -> list[tuple[str, str]]:
    found = await services.db.fetch_all(
        "SELECT source, state FROM deliveries WHERE recipient_id = ? ORDER BY id", (person_id,)
    )
    return [(row["source"], row["state"]) for row in found]


async def at_the_summary(services: Services, client: ChatClient, event_id: int) -> None:
    await prepared_person(services, client.user.id)
    [card] = await client.send(f"/start ev_{event_id}")
    # «Зарегистрироваться», or «Встать в лист ожидания» when the seats are taken.
    await client.click(card.buttons()[0], card)
    await client.click("Да, использовать")
    assert any("Подтвердить" in label for label in client.last.buttons())


async def live(services: Services, event_id: int, person_id: int) -> Registration:
    registration = await registrations.live(services.db, event_id, person_id)
    assert registration is not None
    return registration


async def test_a_crash_right_after_confirm_still_delivers_the_ticket_and_calendar_once(
    services: Services, dp: Dispatcher, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services)
    anna = make_client(3101)
    await at_the_summary(services, anna, event.id)
    confirm = click_update(anna, "Подтвердить")
    await create_inbox(services, dp, bot).accept([confirm])
    seen = len(anna.messages)

    await crash_while_handling(dp, confirm)

    # The seat and what it brings were committed together; nobody has been told anything yet.
    mine = await live(services, event.id, anna.user.id)
    assert mine.status == "confirmed"
    assert await outbox_of(services, anna.user.id) == [
        (f"confirm:{mine.id}:ticket", "pending"),
        (f"confirm:{mine.id}:calendar", "pending"),
    ]
    assert len(anna.messages) == seen

    # Restarted: the inbox redoes the press, the sender delivers what was queued.
    assert await create_inbox(services, dp, bot).recover() == 1
    assert "Вы уже зарегистрированы" in anna.messages[seen - 1].body  # the summary, edited
    ticket, ics = await delivered(anna, services)
    assert ticket.method == "SendPhoto"
    assert mine.short_code in ticket.caption
    assert ticket.document is not None
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket.document)))
    assert qr.text == f"https://t.me/{BOT_USERNAME}?start=ci_{mine.ticket_token}"
    assert ics.method == "SendDocument"
    assert ics.document is not None
    [item] = Calendar.from_ical(ics.document).events
    assert mine.short_code in str(item.get("description"))
    # The redone Confirm queued nothing more, and the dialog is over.
    assert [state for _, state in await outbox_of(services, anna.user.id)] == ["sent", "sent"]
    assert (
        await services.db.fetch_value("SELECT count(*) FROM fsm_records WHERE state IS NOT NULL")
        == 0
    )


async def test_a_waitlist_place_brings_no_ticket(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    anna, boris = make_client(3111), make_client(3112)
    for person in (anna, boris):
        await at_the_summary(services, person, event.id)
        await person.click("Подтвердить")
    assert "лист" in boris.last.body.lower()
    assert await outbox_of(services, boris.user.id) == []
    assert [m.method for m in await delivered(boris, services)] == []


async def test_a_crash_right_after_cancelling_still_delivers_the_promotion_and_the_cancelling_file(
    services: Services, dp: Dispatcher, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    anna, boris = make_client(3121), make_client(3122)
    for person in (anna, boris):
        await at_the_summary(services, person, event.id)
        await person.click("Подтвердить")
    await delivered(anna, services)
    annas = await live(services, event.id, anna.user.id)
    [listing] = await anna.send("/my")
    await anna.click("1.", listing)
    await anna.click("Отменить регистрацию", listing)
    sure = click_update(anna, "Да, отменить")
    await create_inbox(services, dp, bot).accept([sure])

    await crash_while_handling(dp, sure)

    borises = await live(services, event.id, boris.user.id)
    assert borises.status == "confirmed"  # Boris got the seat in the same transaction
    assert await create_inbox(services, dp, bot).recover() == 1
    [file] = await delivered(anna, services)
    assert file.method == "SendDocument"
    assert file.document is not None
    assert b"METHOD:CANCEL" in file.document
    assert "отменена" in file.caption
    # The promotion, sent in the same drain, with the ticket and the calendar file after it.
    assert borises.short_code in boris.find("освободилось место").body
    assert [m.method for m in boris.messages[-2:]] == ["SendPhoto", "SendDocument"]
    # The redone press found the registration cancelled already: nothing queued twice.
    assert await outbox_of(services, anna.user.id) == [
        (f"confirm:{annas.id}:ticket", "sent"),
        (f"confirm:{annas.id}:calendar", "sent"),
        (f"cancel:{annas.id}", "sent"),
    ]


async def test_a_check_in_sends_the_guest_a_receipt_once(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services)
    anna = make_client(3131)
    await at_the_summary(services, anna, event.id)
    await anna.click("Подтвердить")
    await delivered(anna, services)
    mine = await live(services, event.id, anna.user.id)
    admin = Access(user_id=1, is_admin=True, is_organizer=True)

    for _ in range(2):  # a second scan of the same ticket
        await services.checkin.check_in(mine.id, admin)

    [receipt] = await delivered(anna, services)
    assert "Добро пожаловать" in receipt.body
    assert (f"welcome:{mine.id}", "sent") in await outbox_of(services, anna.user.id)
