"""/my: the list, a registration, its ticket, cancelling with a confirmation, promotion."""

from __future__ import annotations

import io
from collections.abc import Callable

import zxingcpp
from PIL import Image

from bot.callbacks import MyAction, MyActionKind
from bot.services import Services
from db import events, outbox, registrations
from db.events import EventStatus
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event, register_again, register_new


async def started_member(make_client: Callable[..., ChatClient], user_id: int) -> ChatClient:
    client = make_client(user_id)
    await client.send("/start")
    await client.click("Русский")
    return client


async def test_my_is_empty_at_first(member: ChatClient) -> None:
    [reply] = await member.send("/my")
    assert "нет регистраций" in reply.body


async def test_my_lists_upcoming_registrations_with_status(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    event = await make_event(services, capacity=1)
    other = await make_event(services, title="Семинар в Кемерово")
    holder = await started_member(make_client, 5001)
    waiting = await started_member(make_client, 5002)
    await register_new(holder, event)
    await register_new(waiting, event, button="Встать в лист ожидания")
    await register_again(waiting, other)
    [listing] = await waiting.send("/my")
    assert "Мои регистрации" in listing.body
    assert "⏳ Лист ожидания, ваш номер — 1" in listing.body
    assert "✅ Место подтверждено · код билета" in listing.body
    assert len(listing.buttons()) == 2
    await waiting.click("1.", listing)
    assert "⏳ Лист ожидания" in listing.body
    assert "🗓 среда, 2 декабря, 14:00–17:00 по местному времени (МСК+2)" in listing.body
    assert listing.buttons() == [
        "Карточка мероприятия 📄",
        "Отменить регистрацию ✖️",
        "Мои регистрации ⬅️",
    ]
    await waiting.click("Мои регистрации", listing)
    await waiting.click("2.", listing)
    assert "Билет 🎫" in listing.buttons()
    photos = await waiting.click("Билет", listing)
    assert [p.method for p in photos] == ["SendPhoto"]
    await waiting.click("Карточка мероприятия", listing)
    assert "Семинар в Кемерово" in listing.body


async def test_cancelling_asks_first_then_promotes_and_notifies(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    event = await make_event(services, capacity=1)
    holder = await started_member(make_client, 5101)
    second = await started_member(make_client, 5102)
    third = await started_member(make_client, 5103)
    await register_new(holder, event)
    await register_new(second, event, button="Встать в лист ожидания")
    await register_new(third, event, button="Встать в лист ожидания")

    [listing] = await holder.send("/my")
    await holder.click("1.", listing)
    await holder.click("Отменить регистрацию", listing)
    assert "Отменить вашу регистрацию" in listing.body
    assert "место перейдёт следующему" in listing.body
    await holder.click("Нет, оставить", listing)
    assert "✅ Место подтверждено" in listing.body
    assert await registrations.live(services.db, event.id, holder.user.id) is not None

    await holder.click("Отменить регистрацию", listing)
    await holder.click("Да, отменить", listing)
    assert "отменена" in listing.body
    assert holder.last_answer.text == "Регистрация отменена."
    assert await registrations.live(services.db, event.id, holder.user.id) is None

    promoted = await registrations.live(services.db, event.id, second.user.id)
    assert promoted is not None
    assert promoted.status == "confirmed"
    still_waiting = await registrations.live(services.db, event.id, third.user.id)
    assert still_waiting is not None
    assert await registrations.position(services.db, still_waiting) == 1
    # The notice was queued with the promotion, and the sender delivers it.
    progress = await outbox.progress(services.db, f"promotion:{promoted.id}")
    assert progress.pending == 1
    await services.delivery.drain(bot)
    # The notice, then the ticket and the calendar file, as after a confirmation.
    notice, ticket, calendar = second.messages[-3:]
    assert "освободилось место на круглом столе «<b>" in notice.body
    assert (ticket.method, calendar.method) == ("SendPhoto", "SendDocument")
    assert calendar.filename is not None
    assert calendar.filename.endswith(".ics")
    assert promoted.short_code in notice.body
    [photo] = await second.click("Билет", notice)
    assert photo.method == "SendPhoto"
    assert not any("освободилось" in m.body for m in third.messages)


async def test_promotion_notice_is_in_the_promoted_persons_language(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    event = await make_event(services, capacity=1)
    holder = await started_member(make_client, 5201)
    english = make_client(5202, "en")
    await english.send("/start")
    await english.click("English")
    await register_new(holder, event)
    await english.send(f"/start ev_{event.id}")
    await english.click("Join the waitlist")
    await english.click("I agree")
    await english.click("No, thank you")
    for text in ("Anna Smith", "NGO", "Manager", "+44 20 7946 0958", "⏭ Skip"):
        await english.send(text)
    await english.click("Confirm")
    assert "waitlist" in english.last.body
    [listing] = await holder.send("/my")
    await holder.click("1.", listing)
    await holder.click("Отменить регистрацию", listing)
    await holder.click("Да, отменить", listing)
    await services.delivery.drain(bot)
    notice = english.find("Good news")
    assert "Good news: a seat has freed up at the round table “<b>" in notice.body
    assert notice.buttons() == ["Ticket 🎫"]
    # The promotion's ticket describes itself in the person's language: image and caption.
    [photo] = await english.click("Ticket", notice)
    assert photo.method == "SendPhoto"
    assert photo.document is not None
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo.document)))
    assert "?start=ci_" in qr.text
    assert photo.caption is not None
    assert photo.caption.splitlines()[:4] == [
        "🎫 Ticket",
        "<b>Anna Smith</b>",
        "Round table “<b>Роль СО НКО в реализации приоритетных национальных проектов</b>”",
        "🗓 Wednesday, December 2, 2:00–5:00 PM local time (Moscow +2)",
    ]
    assert photo.caption.splitlines()[-1].startswith("Ticket code: <b>")


async def test_cancel_from_the_card(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    await register_new(member, event)
    [card] = await member.send(f"/start ev_{event.id}")
    await member.click("Отменить регистрацию", card)
    await member.click("Да, отменить", card)
    assert await registrations.live(services.db, event.id, member.user.id) is None
    # The old cancel confirmation pressed again changes nothing.
    await member.press(card.callback_data("Карточка"), card)
    [card] = await member.send(f"/start ev_{event.id}")
    assert "Зарегистрироваться ✅" in card.buttons()


async def test_forged_and_stale_registration_buttons_are_refused(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    event = await make_event(services)
    owner = await started_member(make_client, 5301)
    intruder = await started_member(make_client, 5302)
    await register_new(owner, event)
    registration = await registrations.live(services.db, event.id, owner.user.id)
    assert registration is not None
    [listing] = await intruder.send("/my")
    for action in MyActionKind:
        if action == MyActionKind.list:
            continue
        data = MyAction(action=action, registration_id=registration.id).pack()
        await intruder.press(data, listing)
        assert intruder.last_answer.text == "Эта регистрация уже неактивна."
        await intruder.press(MyAction(action=action, registration_id=999_999).pack(), listing)
        assert intruder.last_answer.show_alert
    assert await registrations.live(services.db, event.id, owner.user.id) is not None
    # The owner's own confirmation, pressed after the registration was cancelled elsewhere.
    await registrations.cancel(services.db, registration.id, owner.user.id, NOW.timestamp())
    await owner.press(
        MyAction(action=MyActionKind.cancel_confirmed, registration_id=registration.id).pack()
    )
    assert owner.last_answer.text == "Эта регистрация уже неактивна."


async def test_no_ticket_for_the_waitlist_and_no_cancel_after_the_start(
    make_client: Callable[..., ChatClient], services: Services, clock: object
) -> None:
    event = await make_event(services, capacity=1)
    holder = await started_member(make_client, 5401)
    waiting = await started_member(make_client, 5402)
    await register_new(holder, event)
    await register_new(waiting, event, button="Встать в лист ожидания")
    mine = await registrations.live(services.db, event.id, waiting.user.id)
    assert mine is not None
    await waiting.press(MyAction(action=MyActionKind.ticket, registration_id=mine.id).pack())
    assert waiting.last_answer.text == "Билет выдаётся, когда ваше место подтверждено."
    held = await registrations.live(services.db, event.id, holder.user.id)
    assert held is not None
    clock.set(event.starts_at + 60)  # type: ignore[attr-defined]
    await holder.press(
        MyAction(action=MyActionKind.cancel_confirmed, registration_id=held.id).pack()
    )
    assert "уже началось" in (holder.last_answer.text or "")


async def test_my_shows_a_cancelled_event(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    await register_new(member, event)
    await events.set_status(
        services.db, event.id, EventStatus.cancelled, NOW.timestamp(), reason="Перенос"
    )
    [listing] = await member.send("/my")
    assert "❌ Мероприятие отменено: Перенос" in listing.body
