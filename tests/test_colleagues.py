"""Colleagues not on Telegram, the operator named in the consent, a promotion's ticket."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import zxingcpp
from PIL import Image

from bot.callbacks import ColleagueAction, ColleagueStep, EventAction, EventActionKind
from bot.services import Services
from db import registrations as registrations_repo
from db.registrations import Registration, RegistrationStatus
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import Sent
from tests.member_kit import (
    COLLEAGUE,
    delivered,
    edit_field,
    make_event,
    prepared_person,
    register_colleague,
    register_new,
)
from tests.organizer_kit import ORGANIZER_ID, make_organizer, owned_event, started

# The event is today (17:00–19:00 in Tyumen; the test clock reads 14:00 there): the door is open.
TODAY = {"starts_at": NOW.timestamp() + 3 * 3600, "ends_at": NOW.timestamp() + 5 * 3600}


def decoded_qr(photo: Sent) -> str:
    assert photo.document is not None
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo.document)))
    return found.text


async def colleague_rows(services: Services, event_id: int) -> list[Registration]:
    ids = await services.db.fetch_all(
        "SELECT id FROM registrations WHERE event_id = ? AND guest_name IS NOT NULL ORDER BY id",
        (event_id,),
    )
    found = [await registrations_repo.get(services.db, int(row[0])) for row in ids]
    return [registration for registration in found if registration is not None]


# -- registering a colleague, mistakes included -------------------------------------------------


async def test_a_member_registers_a_colleague_and_gets_the_ticket_to_forward(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await owned_event(services, ORGANIZER_ID, colleagues_allowed=True, capacity=5)
    member = await started(make_client, 6101)
    [card] = await member.send(f"/start ev_{event.id}")
    assert "Записать коллегу" in card.buttons()

    # A new member consents first: nothing typed is stored before that.
    [consent] = await member.click("Записать коллегу", card)
    assert "Согласие на обработку персональных данных" in consent.body
    [question] = await member.click("Даю согласие", consent)
    assert "ФИО коллеги" in question.body

    # HTML, one word and an overlong name are refused with the reason, then asked again.
    [refused] = await member.send("<b>Петров</b> Иван")
    assert "только буквами" in refused.body
    [refused] = await member.send("Петров")
    assert "фамилию и имя" in refused.body
    [refused] = await member.send("Петров " + "Иван" * 40)
    assert "100" in refused.body
    [phone_question] = await member.send(COLLEAGUE)
    assert "телефон" in phone_question.body
    [refused] = await member.send("12345")
    assert "номер" in refused.body.lower()
    [summary] = await member.send("8 (912) 000-11-22")
    assert COLLEAGUE in summary.body
    assert "+7 912 000-11-22" in summary.body
    # Typing where a button is expected brings the buttons back.
    [again] = await member.send("да")
    assert again.buttons() == ["Записать коллегу ✅", "Не записывать ✖️"]

    confirm = summary.callback_data("Записать коллегу")
    await member.click("Записать коллегу", summary)
    assert "Регистрация коллеги на круглый стол" in summary.body
    assert COLLEAGUE in summary.body
    [colleague] = await colleague_rows(services, event.id)
    assert colleague.status == RegistrationStatus.confirmed
    assert (colleague.registered_by, colleague.guest_phone) == (member.user.id, "+79120001122")
    assert colleague.person_id is None
    assert colleague.short_code in summary.body
    assert (await registrations_repo.seats(services.db, event)).confirmed == 1

    # The ticket comes to the member: the colleague's name, the QR and the code; no .ics.
    sent = await delivered(member, services)
    [photo] = [message for message in sent if message.method == "SendPhoto"]
    assert "?start=ci_" + colleague.ticket_token in decoded_qr(photo)
    assert photo.caption is not None
    assert COLLEAGUE in photo.caption
    assert colleague.short_code in photo.caption
    assert not [message for message in sent if message.method == "SendDocument"]

    # A second press of the same Confirm registers nobody twice.
    await member.press(confirm, summary)
    assert member.last_answer.text
    assert len(await colleague_rows(services, event.id)) == 1


async def test_the_same_colleague_twice_is_the_same_registration(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=5)
    await prepared_person(services, 6201)
    member = make_client(6201, "ru")
    for _ in range(2):
        await register_colleague(member, event)
    assert "уже есть регистрация" in member.last.body
    assert len(await colleague_rows(services, event.id)) == 1
    # Someone else entering the same phone is refused rather than given the ticket.
    await prepared_person(services, 6202)
    other = make_client(6202, "ru")
    await register_colleague(other, event, "Петрова Мария Ивановна")
    assert "с этим номером телефона уже" in other.last.body
    assert len(await colleague_rows(services, event.id)) == 1


async def test_an_event_without_colleagues_refuses_a_forged_button(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=5)
    await prepared_person(services, 6301)
    member = make_client(6301, "ru")
    [card] = await member.send(f"/start ev_{event.id}")
    assert "Записать коллегу" not in card.buttons()
    forged = EventAction(action=EventActionKind.register_colleague, event_id=event.id).pack()
    replies = await member.press(forged, card)
    assert "не принимают регистрацию коллег" in replies[-1].body
    # A summary button of a dialog that never happened does nothing either.
    confirm = ColleagueAction(step=ColleagueStep.confirm, event_id=event.id).pack()
    await member.press(confirm, card)
    assert await colleague_rows(services, event.id) == []


async def test_a_colleague_waits_when_the_seats_are_gone_and_the_promotion_brings_the_ticket(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=1)
    await prepared_person(services, 6401)
    await prepared_person(services, 6402)
    holder = make_client(6401, "ru")
    member = make_client(6402, "ru")
    taken = await registrations_repo.register(services.db, event.id, 6401, {}, NOW.timestamp())
    assert isinstance(taken, registrations_repo.Registered)
    await register_colleague(member, event)
    assert "в листе ожидания" in member.last.body
    [colleague] = await colleague_rows(services, event.id)
    assert colleague.status == RegistrationStatus.waitlisted
    await delivered(member, services)

    [listing] = await holder.send("/my")
    await holder.click("1.", listing)
    await holder.click("Отменить регистрацию", listing)
    await holder.click("Да, отменить", listing)
    sent = await delivered(member, services)
    notice = next(message for message in sent if "освободилось место" in message.body)
    assert COLLEAGUE in notice.body
    [photo] = [message for message in sent if message.method == "SendPhoto"]
    assert "?start=ci_" + colleague.ticket_token in decoded_qr(photo)


# -- what the organizer and the door see -------------------------------------------------------


async def test_the_colleague_is_on_the_pass_list_and_checked_in_by_code(
    services: Services, make_client: Callable[..., ChatClient], member: ChatClient
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, colleagues_allowed=True, **TODAY)
    await register_new(member, event)
    await register_colleague(member, event)
    [colleague] = await colleague_rows(services, event.id)

    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Участники")
    assert COLLEAGUE in organizer.last.body
    assert "Кто записал: Иванова Анна Сергеевна" in organizer.last.body
    [document] = await organizer.click("Список для охраны", organizer.last)
    assert document.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(document.document)).active
    assert sheet is not None
    names = [row[1] for row in sheet.iter_rows(values_only=True) if row[0] and row[0] != "№"]
    assert COLLEAGUE in names
    assert "Иванова Анна Сергеевна" in names

    # The full export names who registered the colleague, in a column of its own.
    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Участники")
    screen = organizer.last
    [export] = await organizer.click("Excel", screen)
    assert export.document is not None
    book = openpyxl.load_workbook(io.BytesIO(export.document)).active
    assert book is not None
    header, *lines = list(book.iter_rows(values_only=True))
    column = header.index("Кто записал")
    by_name = {line[1]: line for line in lines}
    assert by_name[COLLEAGUE][column] == "Иванова Анна Сергеевна"
    assert by_name[COLLEAGUE][4] == "+79120001122"
    assert by_name["Иванова Анна Сергеевна"][column] is None

    [card] = await organizer.send(f"/checkin {colleague.short_code}")
    assert COLLEAGUE in card.body
    assert "Кто записал: Иванова Анна Сергеевна" in card.body
    await organizer.click("Отметить приход", card)
    checked = await registrations_repo.get(services.db, colleague.id)
    assert checked is not None
    assert checked.checked_in_at is not None


async def test_the_member_cancels_the_colleague_in_my_after_a_confirmation(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=5)
    await prepared_person(services, 6501)
    member = make_client(6501, "ru")
    await register_colleague(member, event)
    [listing] = await member.send("/my")
    assert f"Коллега: {COLLEAGUE}" in listing.body
    await member.click("1.", listing)
    await member.click("Отменить регистрацию", listing)
    assert f"Коллега: {COLLEAGUE}" in listing.body
    await member.click("Нет, оставить", listing)
    [colleague] = await colleague_rows(services, event.id)
    assert colleague.is_live
    await member.click("Отменить регистрацию", listing)
    await member.click("Да, отменить", listing)
    assert "отменена" in listing.body
    [colleague] = await colleague_rows(services, event.id)
    assert colleague.status == RegistrationStatus.cancelled


async def test_forget_erases_the_colleagues_a_member_entered(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=5)
    await prepared_person(services, 6601)
    member = make_client(6601, "ru")
    await register_colleague(member, event)
    forgotten = await services.privacy.forget(6601)
    assert forgotten.cancelled == 1
    row = await services.db.fetch_one(
        "SELECT status, guest_name, guest_phone, registered_by FROM registrations"
        " WHERE event_id = ?",
        (event.id,),
    )
    assert row is not None
    assert tuple(row) == ("cancelled", None, None, None)


async def test_the_organizer_allows_colleagues_in_the_event_editor(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    from db import events as events_repo

    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, capacity=20)
    [prompt] = await edit_field(organizer, event, "Коллеги")
    assert "Сейчас: нельзя" in prompt.body
    [refused] = await organizer.send("может быть")
    assert "коллег" in refused.body
    saved, _card = await organizer.send("Да, можно записывать коллег")
    assert saved.body == "Сохранено."
    changed = await events_repo.get(services.db, event.id)
    assert changed is not None
    assert changed.colleagues_allowed


# -- the operator in the consent -----------------------------------------------------------------


async def test_the_consent_names_the_operator_and_its_contact(
    services: Services, member: ChatClient
) -> None:
    event = await make_event(services, organizer_contact="+7 3452 12-34-56, info@alliance72.ru")
    await member.send(f"/start ev_{event.id}")
    [consent] = await member.click("Зарегистрироваться")
    assert (
        "<b>Оператор</b> — Альянс СО НКО Тюменской области, +7 3452 12-34-56, "
        "info@alliance72.ru." in consent.body
    )
    assert "152-ФЗ" in consent.body


async def test_the_organizer_enters_the_contact_after_the_organization(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    from db import events as events_repo

    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, capacity=20)
    await edit_field(organizer, event, "Организатор")
    [question] = await organizer.send("Альянс СО НКО Тюменской области")
    assert "Как связаться" in question.body
    await organizer.send("info@alliance72.ru")
    changed = await events_repo.get(services.db, event.id)
    assert changed is not None
    assert changed.organizer_contact == "info@alliance72.ru"
