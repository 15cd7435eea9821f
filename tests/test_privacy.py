"""/mydata shows everything stored; /forget erases it, frees seats and keeps anonymous counts."""

from __future__ import annotations

from collections.abc import Callable

from bot.services import Services
from db import consents, people, registrations
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import NAME, choice_question, make_event, register_new


async def test_mydata_before_anything_is_stored(member: ChatClient) -> None:
    [reply] = await member.send("/mydata")
    assert "Ваши данные, которые хранит бот" in reply.body
    assert f"Telegram id: {member.user.id}" in reply.body
    assert "ФИО: —" in reply.body
    assert "Согласия</b>\nнет" in reply.body


async def test_mydata_shows_profile_consents_and_registrations(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services, questions=(choice_question(),))
    await register_new(member, event, subscribe="Только Тюменская область")
    [reply] = await member.send("/mydata")
    body = reply.body
    assert f"ФИО: {NAME}" in body
    assert "Организация: АНО «Дом НКО»" in body
    assert "Телефон: +7 912 345-67-89" in body
    assert "Язык: 🇷🇺 Русский" in body
    assert "Анонсы: только Тюменская область" in body
    assert (
        "Обработка персональных данных: дано воскресенье, 22 ноября, 12:00 по московскому времени"
        in body
    )
    assert "редакция" not in body  # the text's version is the database's business
    assert "«Роль СО НКО" in body
    assert "✅ Место подтверждено" in body
    assert "Какая тема вам ближе?: Образование" in body


async def test_mydata_is_split_to_fit_telegram_limits(
    member: ChatClient, services: Services
) -> None:
    for n in range(40):
        event = await make_event(services, title=f"Мероприятие {n} " + "очень длинное " * 10)
        if n == 0:
            await register_new(member, event)
        else:
            await member.send(f"/start ev_{event.id}")
            await member.click("Зарегистрироваться")
            await member.click("Да, использовать")
            await member.click("Подтвердить")
    replies = await member.send("/mydata")
    assert len(replies) > 1
    assert all(len(r.body.encode("utf-16-le")) // 2 <= 4096 for r in replies)


async def test_forget_asks_first_and_keeps_everything_on_no(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    await register_new(member, event)
    [question] = await member.send("/forget")
    assert "Удалить ваши персональные данные?" in question.body
    await member.click("Нет, оставить", question)
    assert question.body == "Ничего не удалено."
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert person.full_name == NAME


async def test_forget_erases_cancels_promotes_and_keeps_anonymous_counts(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    event = await make_event(services, capacity=1, questions=(choice_question(),))
    leaver = make_client(6001)
    waiting = make_client(6002)
    for client in (leaver, waiting):
        await client.send("/start")
        await client.click("Русский")
    await register_new(leaver, event, subscribe="Да, все регионы")
    await register_new(waiting, event, button="Встать в лист ожидания")
    # An unfinished dialog for another event holds a typed name: it must go too.
    other = await make_event(services, title="Другое")
    await leaver.send(f"/start ev_{other.id}")
    await leaver.click("Зарегистрироваться")
    await leaver.click("Ввести новые данные")
    await leaver.send("Тайное Имя")

    [question] = await leaver.send("/forget")
    await leaver.click("Да, удалить", question)
    assert "ваши персональные данные удалены" in question.body
    assert "Отменено регистраций: 1." in question.body

    person = await people.get(services.db, leaver.user.id)
    assert person is not None
    assert (person.full_name, person.organization, person.position) == (None, None, None)
    assert (person.phone, person.email, person.subscribed) == (None, None, False)
    assert person.erased_at is not None
    assert person.language == "ru"  # the chat keeps working in their language
    # Registrations stay as anonymous counts: no person, no answers.
    rows = await services.db.fetch_all(
        "SELECT person_id, answers, status FROM registrations WHERE event_id = ?", (event.id,)
    )
    anonymous = [dict(row) for row in rows if row["person_id"] is None]
    assert anonymous == [{"person_id": None, "answers": "{}", "status": "cancelled"}]
    # The consent log stays, detached from the person, with the withdrawals appended.
    assert await consents.for_person(services.db, leaver.user.id) == []
    log = await services.db.fetch_all(
        "SELECT kind, granted FROM consents WHERE person_id IS NULL ORDER BY id"
    )
    assert [(row["kind"], row["granted"]) for row in log] == [
        ("personal_data", 1),
        ("announcements", 1),
        ("personal_data", 0),
        ("announcements", 0),
    ]
    # The dialog in progress is gone: a typed answer is no longer taken as one.
    dialogs = await services.db.fetch_value(
        "SELECT COUNT(*) FROM fsm_records WHERE key LIKE ?", (f"%:{leaver.user.id}:%",)
    )
    assert dialogs == 0
    # The waiting person got the seat and is told.
    promoted = await registrations.live(services.db, event.id, waiting.user.id)
    assert promoted is not None
    assert promoted.status == "confirmed"
    await services.delivery.drain(bot)
    assert promoted.short_code in waiting.find("освободилось место").body
    assert waiting.last.method == "SendDocument"  # the ticket and .ics follow the notice
    # /mydata now shows nothing personal.
    [report] = await leaver.send("/mydata")
    assert "ФИО: —" in report.body
    assert "Регистрации</b>\nнет" in report.body
    # Registering again asks for consent anew.
    await leaver.send(f"/start ev_{event.id}")
    [consent] = await leaver.click("Встать в лист ожидания")
    assert "Согласие на обработку персональных данных" in consent.body


async def test_forget_twice_is_harmless(member: ChatClient) -> None:
    for _ in range(2):
        [question] = await member.send("/forget")
        await member.click("Да, удалить", question)
        assert "удалены" in question.body
