"""Colleagues not on Telegram, the operator named in the consent, a promotion's ticket."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest
import zxingcpp
from PIL import Image

from bot.callbacks import ColleagueAction, ColleagueStep, EventAction, EventActionKind
from bot.clock import ManualClock
from bot.services import Services
from db import people
from db import registrations as registrations_repo
from db.registrations import Registration, RegistrationStatus
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot, Sent
from tests.member_kit import (
    COLLEAGUE,
    delivered,
    edit_field,
    make_event,
    prepared_person,
    register_again,
    register_colleague,
    register_new,
)
from tests.organizer_kit import ORGANIZER_ID, deliveries, make_organizer, owned_event, started
from tests.reminders_kit import check_in, fire_at, plan, seat

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


@pytest.mark.parametrize(
    ("field", "answer", "refusal", "allowed"),
    [
        ("Коллеги", "Да, можно записывать коллег", "коллег", "colleagues_allowed"),
        ("Сопровождающие", "Да, можно с сопровождающим", "сопровождающим", "companions_allowed"),
    ],
    ids=["colleagues", "companions"],
)
async def test_the_organizer_allows_colleagues_or_companions_in_the_event_editor(
    services: Services,
    make_client: Callable[..., ChatClient],
    field: str,
    answer: str,
    refusal: str,
    allowed: str,
) -> None:
    from db import events as events_repo

    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, capacity=20)
    [prompt] = await edit_field(organizer, event, field)
    assert "Сейчас: нельзя" in prompt.body
    assert answer in prompt.buttons()
    # Typed words that are no choice are refused with the question again.
    [refused] = await organizer.send("может быть")
    assert refusal in refused.body
    saved, _card = await organizer.send(answer)
    assert saved.body == "Сохранено."
    changed = await events_repo.get(services.db, event.id)
    assert changed is not None
    assert getattr(changed, allowed) is True


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


# -- news of the event reaches the member who holds the colleague's seat --------------------------

SECOND = "Сидорова Мария Ивановна"
SECOND_PHONE = "+7 912 000-33-44"


async def test_a_reschedule_tells_the_member_about_each_colleague_with_the_new_ticket(
    services: Services, make_client: Callable[..., ChatClient], clock: ManualClock
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, colleagues_allowed=True, capacity=2)
    await prepared_person(services, 6701)
    member = make_client(6701, "ru")
    await register_again(member, event)
    await register_colleague(member, event)
    await register_colleague(member, event, SECOND, SECOND_PHONE)
    petrov, second = await colleague_rows(services, event.id)
    assert (petrov.status, second.status) == (
        RegistrationStatus.confirmed,
        RegistrationStatus.waitlisted,
    )
    # A member who reads English, whose colleague waits too.
    await prepared_person(services, 6702)
    await people.set_language(services.db, 6702, "en", NOW.timestamp())
    await services.registrations.register_colleague(6702, event.id, "Smith John", "+79120005566")
    await delivered(member, services)

    clock.advance(60)
    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Перенести")
    await organizer.send("09.12.2026 11:00")
    await organizer.send("Да, верно")
    await organizer.send("✔️ Оставить как есть")

    sent = await delivered(member, services)
    texts = [message.body for message in sent if message.method == "SendMessage"]
    [own] = [text for text in texts if "Вы записали коллегу" not in text]
    assert "Новое время: среда, 9 декабря" in own
    about_petrov = next(text for text in texts if f"Вы записали коллегу: {COLLEAGUE}." in text)
    assert "Новое время: среда, 9 декабря, 11:00–14:00 по местному времени (МСК+2)" in about_petrov
    assert "Новый билет коллеги — в следующем сообщении" in about_petrov
    about_second = next(text for text in texts if f"Вы записали коллегу: {SECOND}." in text)
    assert "Новое время: среда, 9 декабря" in about_second
    assert "билет" not in about_second.lower()  # on the waitlist: no ticket yet
    # The member's own ticket comes again with the new date; Petrov's new ticket comes
    # right after the words about him: the new date, the same QR.
    own_photo, photo = [message for message in sent if message.method == "SendPhoto"]
    assert own_photo.caption is not None
    assert "9 декабря" in own_photo.caption
    assert COLLEAGUE not in own_photo.caption
    assert f"Вы записали коллегу: {COLLEAGUE}." in sent[sent.index(photo) - 1].body
    assert "?start=ci_" + petrov.ticket_token in decoded_qr(photo)
    assert photo.caption is not None
    assert COLLEAGUE in photo.caption
    assert "9 декабря" in photo.caption
    # One calendar file, the member's own: a colleague's event is not put on it.
    [calendar] = [message for message in sent if message.method == "SendDocument"]
    assert calendar.document is not None
    assert "20261209" in calendar.document.decode()

    notices = await deliveries(services, f"changed:{event.id}:")
    [english] = [notice for notice in notices if notice["recipient"] == 6702]
    assert "You registered your colleague: Smith John." in english["text"]
    assert "New time: Wednesday, December 9" in english["text"]


async def test_a_cancelled_event_is_told_about_the_colleague_without_a_calendar_file(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, colleagues_allowed=True, capacity=5)
    await prepared_person(services, 6711)
    member = make_client(6711, "ru")
    await register_colleague(member, event)
    await delivered(member, services)

    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Отменить мероприятие")
    [question] = await organizer.send("Площадка закрыта на ремонт")
    await organizer.click("Да, отменить мероприятие", question)
    assert "Уведомлений в очереди: 1" in question.body

    [notice] = await delivered(member, services)
    assert notice.method == "SendMessage"
    assert "отменяется" in notice.body
    assert f"Вы записали коллегу: {COLLEAGUE}." in notice.body
    assert "Причина: Площадка закрыта на ремонт" in notice.body
    assert "предупредите коллегу" in notice.body


async def test_the_reminders_of_colleagues_reach_the_member_and_act_on_their_seats_only(
    services: Services, make_client: Callable[..., ChatClient], clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=3)
    await prepared_person(services, 6721)
    member = make_client(6721, "ru")
    await register_again(member, event)
    await register_colleague(member, event)
    await register_colleague(member, event, SECOND, SECOND_PHONE)
    waiting = await seat(services, event, 6722)
    assert waiting.status == RegistrationStatus.waitlisted
    petrov, second = await colleague_rows(services, event.id)
    await delivered(member, services)
    planned = await plan(services, event)

    before = len(member.messages)
    await fire_at(services, clock, bot, planned["24h"].due_at)
    await delivered(member, services)
    day_before = [message for message in member.messages[before:] if "🔔" in message.body]
    assert len(day_before) == 3
    [own] = [message for message in day_before if "Вы записали коллегу" not in message.body]
    assert any("Приду" in label for label in own.buttons())
    about_petrov = next(message for message in day_before if COLLEAGUE in message.body)
    # No «Приду / Не смогу» there: they would act on the member's own seat.
    assert about_petrov.buttons() == ["Коллега не сможет"]

    # A stray tap asks first and is taken back.
    await member.click("Коллега не сможет", about_petrov)
    assert f"Коллега: {COLLEAGUE}" in about_petrov.body
    await member.click("Нет, оставить", about_petrov)
    kept = await registrations_repo.get(services.db, petrov.id)
    assert kept is not None
    assert kept.status == RegistrationStatus.confirmed

    # The day-of reminder is queued ahead of its time; Petrov cancelled meanwhile loses his.
    clock.set(planned["2h"].due_at - 10)
    assert await services.reminders.run_due() == 1
    await member.click("Отменить регистрацию", about_petrov)
    await member.click("Да, отменить", about_petrov)
    gone = await registrations_repo.get(services.db, petrov.id)
    assert gone is not None
    assert gone.status == RegistrationStatus.cancelled
    mine = await registrations_repo.live(services.db, event.id, 6721)
    assert mine is not None
    assert mine.status == RegistrationStatus.confirmed
    promoted = await registrations_repo.get(services.db, waiting.id)
    assert promoted is not None
    assert promoted.status == RegistrationStatus.confirmed

    before = len(member.messages)
    await fire_at(services, clock, bot, planned["2h"].due_at)
    await delivered(member, services)
    day_of = [message for message in member.messages[before:] if "🔔" in message.body]
    assert len(day_of) == 2
    assert not [message for message in day_of if COLLEAGUE in message.body]
    about_second = next(message for message in day_of if SECOND in message.body)
    assert about_second.buttons() == ["Билет коллеги"]
    replies = await member.click("Билет коллеги", about_second)
    [photo] = [message for message in replies if message.method == "SendPhoto"]
    assert "?start=ci_" + second.ticket_token in decoded_qr(photo)


async def test_the_followup_asks_about_the_members_own_seat_only(
    services: Services, make_client: Callable[..., ChatClient], clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=5)
    await prepared_person(services, 6731)
    member = make_client(6731, "ru")
    await register_again(member, event)
    await register_colleague(member, event)
    mine = await registrations_repo.live(services.db, event.id, 6731)
    [petrov] = await colleague_rows(services, event.id)
    assert mine is not None
    planned = await plan(services, event)
    # Both came: the follow-up is about what the member saw, asked once.
    await check_in(services, mine, event.starts_at)
    await check_in(services, petrov, event.starts_at)

    before = len(member.messages)
    await fire_at(services, clock, bot, planned["followup"].due_at)
    await delivered(member, services)
    [followup] = [message for message in member.messages[before:] if "🙏" in message.body]
    assert "Оценка 5" in " ".join(followup.buttons())
    asked = await services.db.fetch_value(
        "SELECT count(*) FROM reminders WHERE registration_id = ?", (petrov.id,)
    )
    assert asked == 0


async def test_mydata_lists_the_colleagues_a_member_registered(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, colleagues_allowed=True, capacity=5)
    await prepared_person(services, 6741)
    member = make_client(6741, "ru")
    await register_colleague(member, event)
    report = "\n".join(message.body for message in await member.send("/mydata"))
    assert "Коллеги, которых вы записали" in report
    assert f"{COLLEAGUE}, +7 912 000-11-22" in report
    assert event.title in report
    assert "имена и телефоны коллег" in report

    await services.privacy.forget(6741)
    report = "\n".join(message.body for message in await member.send("/mydata"))
    assert COLLEAGUE not in report
    assert "Коллеги, которых вы записали" not in report
