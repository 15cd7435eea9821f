"""The registration dialog through the dispatcher: consent, questions, summary, outcomes."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

import zxingcpp
from aiogram import Dispatcher
from aiogram.types import ReplyKeyboardMarkup, ReplyKeyboardRemove
from icalendar import Calendar
from PIL import Image

from bot.app import create_dispatcher
from bot.callbacks import DialogAction, DialogStep, EventAction, EventActionKind
from bot.services import Services
from bot.views.text import visible_len
from db import consents, events, people, registrations
from db.consents import ConsentKind
from db.events import EventStatus
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME, MockedBot
from tests.member_kit import (
    NAME,
    ORGANIZATION,
    PHONE,
    POSITION,
    choice_question,
    delivered,
    make_event,
    open_card,
    register_new,
    text_question,
)


async def live_count(services: Services) -> int:
    return int(
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM registrations WHERE status != 'cancelled'"
        )
    )


async def test_full_registration_from_card_to_ticket(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services, questions=(choice_question(), text_question()))
    await open_card(member, event)
    [consent] = await member.click("Зарегистрироваться")
    assert "Согласие на обработку персональных данных" in consent.body
    assert "152-ФЗ" in consent.body
    # The consent names the operator, the organizing NGO, and no internal version label.
    assert (
        "<b>Оператор</b> — Альянс СО НКО Тюменской области, организатор мероприятия;"
        in consent.body
    )
    assert "редакция" not in consent.body
    assert consent.buttons() == ["Даю согласие ✅", "Не даю согласия ✖️"]
    # Nothing personal is stored before the consent.
    assert await consents.for_person(services.db, member.user.id) == []

    replies = await member.click("Даю согласие")
    assert consent.body == "✅ Спасибо, ваше согласие записано."
    assert "анонсы новых мероприятий" in replies[-1].body
    assert replies[-1].buttons() == [
        "Да, все регионы 📣",
        "Только Тюменская область 📣",
        "Нет, спасибо",
    ]
    [log] = await consents.for_person(services.db, member.user.id)
    assert (log.kind, log.granted, log.created_at) == (
        ConsentKind.personal_data,
        True,
        NOW.timestamp(),
    )

    [ask_name] = await member.click("Только Тюменская область")
    assert "Регистрация на круглый стол «<b>Роль СО НКО" in ask_name.body
    assert "фамилию, имя и отчество" in ask_name.body
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert (person.subscribed, person.subscription_city) == (True, "72")

    [ask_org] = await member.send(NAME)
    assert "организацию" in ask_org.body
    assert ask_org.buttons() == ["Пропустить ⏭"]
    [ask_position] = await member.send(ORGANIZATION)
    assert "должность" in ask_position.body
    [ask_phone] = await member.send(POSITION)
    assert isinstance(ask_phone.reply_markup, ReplyKeyboardMarkup)
    assert ask_phone.reply_markup.keyboard[0][0].request_contact is True
    [ask_email] = await member.send_contact("79123456789")
    assert "e-mail" in ask_email.body
    [question] = await member.send("⏭ Пропустить")
    assert "Вопрос организаторов 1 из 2" in question.body
    assert question.buttons() == [
        "Образование",
        "Здравоохранение",
        "Демография",
    ]
    [question2] = await member.send("Здравоохранение")
    assert "Ваше предложение" in question2.body
    assert "Пропустить ⏭" in question2.buttons()
    summary, confirm = await member.send("Обсудить гранты")
    assert isinstance(summary.reply_markup, ReplyKeyboardRemove)
    for line in (
        f"ФИО: {NAME}",
        "Организация: АНО «Дом НКО»",
        f"Должность: {POSITION}",
        "Телефон: +7 912 345-67-89",
        "E-mail: —",
        "Какая тема вам ближе?: Здравоохранение",
        "Ваше предложение к круглому столу: Обсудить гранты",
    ):
        assert line in summary.body
    assert confirm.buttons() == ["Подтвердить ✅", "Изменить ✏️", "Отмена ✖️"]

    assert await member.click("Подтвердить") == []  # the summary turns into the outcome
    ticket, ics = await delivered(member, services)  # then the outbox brings the files
    assert confirm.body.startswith("✅ Вы зарегистрированы!")
    assert "Ваш билет ниже" in confirm.body
    registration = await registrations.live(services.db, event.id, member.user.id)
    assert registration is not None
    assert registration.answers == {"topic": "Здравоохранение", "proposal": "Обсудить гранты"}
    assert registration.short_code in confirm.body

    assert ticket.method == "SendPhoto"
    assert ticket.document is not None
    image = Image.open(io.BytesIO(ticket.document))
    [qr] = zxingcpp.read_barcodes(image)
    assert qr.text == f"https://t.me/{BOT_USERNAME}?start=ci_{registration.ticket_token}"
    # The image is a ticket, not a bare QR: a wide card with the words beside the code.
    assert image.width > image.height
    # The caption says what the image says: name, event with its kind, moment, place, code.
    assert ticket.caption is not None
    assert ticket.caption.splitlines() == [
        "🎫 Билет",
        f"<b>{NAME}</b>",
        "Круглый стол «<b>Роль СО НКО в реализации приоритетных национальных проектов</b>»",
        "🗓 среда, 2 декабря, 14:00–17:00 по местному времени (МСК+2)",
        "📍 «Точка кипения», Тюменский Технопарк, ул. Республики 142, 2 этаж, Тюмень",
        f"Код билета: <b>{registration.short_code}</b>",
    ]

    assert ics.filename == f"event-{event.id}.ics"
    assert ics.document is not None
    [item] = Calendar.from_ical(ics.document).events
    assert registration.short_code in str(item.get("description"))

    saved = await people.get(services.db, member.user.id)
    assert saved is not None
    assert (saved.full_name, saved.phone, saved.email) == (NAME, "+79123456789", None)
    # The card now shows the registration instead of the Register button.
    [card] = await member.send(f"/start ev_{event.id}")
    assert f"Вы зарегистрированы. Код билета: {registration.short_code}" in card.body
    assert "Билет 🎫" in card.buttons()
    assert "Отменить регистрацию ✖️" in card.buttons()


async def test_declining_consent_stores_nothing_and_browsing_still_works(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    await open_card(member, event)
    await member.click("Зарегистрироваться")
    assert await member.click("Не даю согласия") == []  # the consent message is edited
    assert "ничего о вас не сохранено" in member.last.body
    assert await consents.for_person(services.db, member.user.id) == []
    assert await member.send("Иванова Анна") != []  # not taken as an answer
    assert "Я не понял сообщение" in member.last.body
    [catalog] = await member.send("/events")
    assert "Предстоящие мероприятия" in catalog.body


async def test_the_second_registration_reuses_the_saved_profile(
    member: ChatClient, services: Services
) -> None:
    first = await make_event(services)
    second = await make_event(services, title="Стратегическая сессия", city="Курск")
    await register_new(member, first)
    await open_card(member, second)
    [offer] = await member.click("Зарегистрироваться")  # no consent or subscription again
    assert "Использовать сохранённые данные?" in offer.body
    assert f"ФИО: {NAME}" in offer.body
    summary, _confirm = await member.click("Да, использовать")
    assert "Пожалуйста, проверьте данные" in summary.body
    await member.click("Подтвердить")
    assert await live_count(services) == 2


async def test_entering_new_details_offers_the_old_ones_as_buttons(
    member: ChatClient, services: Services
) -> None:
    first = await make_event(services)
    second = await make_event(services, title="Семинар")
    await register_new(member, first)
    await open_card(member, second)
    await member.click("Зарегистрироваться")
    [ask_name] = await member.click("Ввести новые данные")
    assert ask_name.buttons() == [NAME]
    await member.send(NAME)  # kept with one tap
    await member.send("Новая организация")
    await member.send("⏭ Пропустить")
    await member.send("⏭ Пропустить")  # no phone this time
    [ask_email] = member.messages[-1:]
    assert "единственный способ" in ask_email.body
    assert "Пропустить ⏭" not in ask_email.buttons()
    summary, _ = await member.send("anna@example.org")
    assert "Организация: Новая организация" in summary.body
    assert "Телефон: —" in summary.body
    await member.click("Подтвердить")
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert (person.organization, person.phone, person.email) == (
        "Новая организация",
        None,
        "anna@example.org",
    )


async def test_wrong_answers_are_asked_again_with_the_reason(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services, questions=(choice_question(),))
    await open_card(member, event)
    await member.click("Зарегистрироваться")
    await member.click("Даю согласие")
    await member.click("Нет, спасибо")
    cases = [
        ("<b>Иван</b> Петров", "только буквами"),
        ("Анна 🌸 Петрова", "без эмодзи"),
        ("Я" * 1000, "уложитесь в 100 символов"),
        ("Анна", "хотя бы фамилию и имя"),
    ]
    for text, reason in cases:
        [reply] = await member.send(text)
        assert reason in reply.body
        assert "фамилию, имя и отчество" in reply.body  # the question again
        assert "<b>Иван</b>" not in reply.body
    await member.send(NAME)
    [too_long_org] = await member.send("О" * 201)
    assert "уложитесь в 200 символов" in too_long_org.body
    await member.send("<b>НКО</b> & Co")
    await member.send("⏭ Пропустить")
    [bad_phone] = await member.send("abc")
    assert "не похоже на номер телефона" in bad_phone.body
    [foreign] = await member.send_contact("79990001122", owner_id=555)
    assert "своим контактом" in foreign.body
    [sticker] = await member.send_sticker()
    assert "ответьте текстом" in sticker.body
    await member.send("⏭ Пропустить")
    [bad_email] = await member.send("a@")
    assert "не похоже на адрес e-mail" in bad_email.body
    [must_have] = await member.send("⏭ Пропустить")
    assert "нельзя пропустить" in must_have.body
    await member.send("anna@example.org")
    [choice] = await member.send("Спорт")
    assert "выберите один из вариантов" in choice.body
    summary, _ = await member.send("демография")
    assert "Организация: &lt;b&gt;НКО&lt;/b&gt; &amp; Co" in summary.body
    assert "Какая тема вам ближе?: Демография" in summary.body


async def test_cancel_works_at_every_step(member: ChatClient, services: Services) -> None:
    event = await make_event(services, questions=(text_question(required=True),))
    answers = [NAME, ORGANIZATION, POSITION, PHONE, "⏭ Пропустить", "Ответ"]
    for steps in range(len(answers) + 1):
        await open_card(member, event)
        await member.click("Зарегистрироваться")
        if steps == 0 and "Согласие" in member.last.body:
            [reply] = await member.send("/cancel")
            assert "Отменено" in reply.body
            continue
        if "Согласие" in member.last.body:
            await member.click("Даю согласие")
            await member.click("Нет, спасибо")
        if "сохранённые данные" in member.last.body:
            await member.click("Ввести новые данные")
        for text in answers[:steps]:
            await member.send(text)
        [reply] = await member.send("/cancel")
        assert "Отменено" in reply.body
        # The dialog's keyboard gives way to the main menu.
        assert isinstance(reply.reply_markup, ReplyKeyboardMarkup)
        assert reply.buttons() == ["Мероприятия", "Мои регистрации", "Помощь"]
        assert await live_count(services) == 0
    # Cancel from the summary's own button.
    await open_card(member, event)
    await member.click("Зарегистрироваться")
    if "сохранённые" in member.last.body:
        await member.click("Ввести новые данные")
    for text in answers:
        await member.send(text)
    await member.click("Отмена")
    assert "Регистрация прервана, ничего не сохранено." in member.last.body
    assert await live_count(services) == 0
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert person.full_name is None  # nothing half-done was saved


async def test_edit_from_the_summary_changes_one_answer(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services, questions=(choice_question(),))
    await register_new(member, event, confirm=False)
    await member.click("Изменить")
    assert member.last.buttons()[:5] == ["ФИО", "Организация", "Должность", "Телефон", "E-mail"]
    assert "Какая тема вам ближе?" in member.last.buttons()
    [ask] = await member.click("Должность")
    assert POSITION in ask.buttons()  # the current answer, one tap to keep
    summary, _ = await member.send("Директор")
    assert "Должность: Директор" in summary.body
    await member.click("Изменить")
    await member.click("Какая тема")
    summary, _ = await member.send("Демография")
    assert "Какая тема вам ближе?: Демография" in summary.body
    await member.click("Изменить")
    await member.click("Назад")
    assert member.last.body == "Всё верно?"
    await member.click("Подтвердить")
    registration = await registrations.live(services.db, event.id, member.user.id)
    assert registration is not None
    assert registration.answers == {"topic": "Демография"}


async def test_full_event_puts_people_on_the_waitlist(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    event = await make_event(services, capacity=1)
    first, second = make_client(4001), make_client(4002)
    for client in (first, second):
        await client.send("/start")
        await client.click("Русский")
    await register_new(first, event)
    await register_new(second, event, button="Встать в лист ожидания")
    assert (
        "Все места на круглом столе «<b>Роль СО НКО в реализации приоритетных национальных"
        " проектов</b>» заняты, и вы в листе ожидания: ваш номер — 1"
    ) in second.messages[-1].body
    assert second.messages[-1].method == "SendMessage"  # no ticket for the waitlist
    [card] = await second.send(f"/start ev_{event.id}")
    assert "Вы в листе ожидания, ваш номер — 1" in card.body
    assert "Билет 🎫" not in card.buttons()


async def test_register_pressed_twice_quickly_starts_one_dialog(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    [card] = await member.send(f"/start ev_{event.id}")
    data = card.callback_data("Зарегистрироваться")
    await asyncio.gather(member.press(data, card), member.press(data, card))
    consents_sent = [m for m in member.messages if "Согласие на обработку" in m.body]
    assert len(consents_sent) == 1
    assert "Вы уже проходите регистрацию" in (member.last_answer.text or "")


async def test_confirm_pressed_twice_registers_once(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    await register_new(member, event, confirm=False)
    question = member.last
    data = question.callback_data("Подтвердить")
    await asyncio.gather(member.press(data, question), member.press(data, question))
    assert await live_count(services) == 1
    assert "Вы уже зарегистрированы" in (member.last_answer.text or "")
    await delivered(member, services)
    assert len([m for m in member.messages if m.method == "SendPhoto"]) == 1


async def test_old_card_of_a_cancelled_event(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    [card] = await member.send(f"/start ev_{event.id}")
    await events.set_status(services.db, event.id, EventStatus.cancelled, NOW.timestamp())
    await member.click("Зарегистрироваться", card)
    assert member.last_answer.show_alert
    assert "Мероприятие отменено" in (member.last_answer.text or "")
    assert "❌ Мероприятие отменено." in card.body  # the old card is brought up to date
    assert await live_count(services) == 0


async def test_deadline_and_start_refusals(
    member: ChatClient, services: Services, clock: object
) -> None:
    event = await make_event(services, registration_deadline=NOW.timestamp() + 3600)
    [card] = await member.send(f"/start ev_{event.id}")
    clock.advance(7200)  # type: ignore[attr-defined]
    await member.click("Зарегистрироваться", card)
    assert "Регистрация на это мероприятие закрыта." in (member.last_answer.text or "")
    started = await make_event(services, starts_at=NOW.timestamp(), ends_at=event.ends_at)
    await member.press(
        EventAction(action=EventActionKind.register, event_id=started.id).pack(), card
    )
    assert "уже началось" in (member.last_answer.text or "")


async def test_event_cancelled_during_the_dialog_is_refused_at_confirm(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    await register_new(member, event, confirm=False)
    await events.set_status(services.db, event.id, EventStatus.cancelled, NOW.timestamp())
    await member.click("Подтвердить")
    assert "Мероприятие отменено" in member.last.body
    assert await live_count(services) == 0
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert person.full_name is None


async def test_forged_dialog_buttons_are_refused(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    await open_card(member, event)
    for action in DialogStep:
        await member.press(DialogAction(action=action, event_id=event.id).pack())
        assert "анкета уже неактивна" in (member.last_answer.text or "")
    await member.press("rf1:full_name:999")
    assert "анкета уже неактивна" in (member.last_answer.text or "")
    await member.press("sb1:12345")  # a city key that matches nothing
    assert "больше нет мероприятий" in (member.last_answer.text or "")
    assert await live_count(services) == 0


async def test_dialog_survives_a_restart(
    member: ChatClient, services: Services, bot: MockedBot
) -> None:
    event = await make_event(services)
    await open_card(member, event)
    await member.click("Зарегистрироваться")
    await member.click("Даю согласие")
    await member.click("Нет, спасибо")
    await member.send(NAME)
    # A new dispatcher over the same database, as after a restart of the process.
    restarted: Dispatcher = create_dispatcher(services)
    client = ChatClient(restarted, bot, member.user.id)
    [ask_position] = await client.send(ORGANIZATION)
    assert "должность" in ask_position.body


async def test_subscribe_command_changes_the_opt_in(member: ChatClient, services: Services) -> None:
    await make_event(services, city="Омск", timezone="Asia/Omsk")
    [reply] = await member.send("/subscribe")
    assert "Вы не подписаны на анонсы" in reply.body
    assert reply.buttons() == ["Да, все регионы 📣", "Только Омская область 📣", "Нет, спасибо"]
    await member.click("Только Омск")
    # The region's towns with events come next, «all of them» first.
    assert reply.buttons() == ["Все города области", "Только Омск", "Другие регионы"]
    await member.click("Все города области")
    assert "в Омской области" in reply.body
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert (person.subscribed, person.subscription_city) == (True, "55")
    [again] = await member.send("/subscribe")
    assert "Вы получаете анонсы мероприятий в Омской области" in again.body
    await member.click("Отписаться от всех анонсов")
    log = await consents.for_person(services.db, member.user.id)
    assert [(c.kind, c.granted) for c in log] == [
        (ConsentKind.announcements, True),
        (ConsentKind.announcements, False),
    ]


async def test_a_summary_of_many_long_answers_fits_one_message(
    member: ChatClient, services: Services
) -> None:
    from db.events import Question

    questions = tuple(Question(key=f"q{n}", text=f"Вопрос {n} " + "?" * 150) for n in range(10))
    event = await make_event(services, questions=questions)
    await open_card(member, event)
    await member.click("Зарегистрироваться")
    await member.click("Даю согласие")
    await member.click("Нет, спасибо")
    for text in (NAME, "&" * 200, "<" * 200, PHONE, "⏭ Пропустить"):
        await member.send(text)
    for _ in questions:
        await member.send("&" * 500)
    summary, question = member.messages[-2:]
    assert "Пожалуйста, проверьте данные" in summary.body
    assert visible_len(summary.body) <= 4096  # Telegram counts the text people see
    assert "&amp;" in summary.body
    assert question.body == "Всё верно?"
    await member.click("Подтвердить")
    registration = await registrations.live(services.db, event.id, member.user.id)
    assert registration is not None
    assert registration.answers["q9"] == "&" * 500  # shortened on screen only
