"""Issue 12 in-process: taps that can be taken back, no dead ends, straight to the point."""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import ManualClock
from bot.services import Services
from db import people
from db import registrations as registrations_repo
from db.registrations import RegistrationStatus
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event
from tests.reminders_kit import fire_at, plan, reminders_to, seat

# -- «Can't come» asks first ------------------------------------------------------------------


async def test_a_stray_cant_come_is_not_confirmed_and_the_seat_stays(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    anna_seat = await seat(services, event, 3141)
    boris_place = await seat(services, event, 3142)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["24h"].due_at)
    anna = make_client(3141, "ru")
    reminder = reminders_to(bot, 3141)[0]

    await anna.click("Не смогу", reminder)
    assert "Отменить регистрацию?" in reminder.body
    await anna.click("Нет, оставить место", reminder)

    # The reminder asks its question again, and nobody moved.
    assert reminder.buttons() == ["Приду ✅", "Не смогу ✖️"]
    kept = await registrations_repo.get(services.db, anna_seat.id)
    waiting = await registrations_repo.get(services.db, boris_place.id)
    assert kept is not None
    assert kept.status == RegistrationStatus.confirmed
    assert waiting is not None
    assert waiting.status == RegistrationStatus.waitlisted
    await services.delivery.drain(bot)
    assert not any("освободилось" in s.body for s in bot.session.messages.get(3142, []))


# -- /subscribe: «Keep as is» keeps it --------------------------------------------------------


async def test_keep_as_is_on_subscribe_leaves_the_subscription_as_it_was(
    member: ChatClient, services: Services
) -> None:
    await make_event(services, city="Омск", timezone="Asia/Omsk")
    await member.send("/subscribe")
    await member.click("Только Омская область")
    [again] = await member.send("/subscribe")
    assert again.buttons()[-2:] == ["Оставить как есть", "Отписаться от всех анонсов"]
    assert "Нет, спасибо" not in again.buttons()

    await member.click("Оставить как есть", again)

    assert "Ничего не изменилось" in again.body
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert (person.subscribed, person.subscription_city) == (True, "55")  # Омская область


# -- never a dead end -------------------------------------------------------------------------

MENU = ["Мероприятия", "Мои регистрации", "Помощь"]


async def test_free_text_naming_an_event_shows_it(member: ChatClient, services: Services) -> None:
    tyumen = await make_event(services)
    await make_event(
        services,
        title="Годовое собрание Альянса",
        kind="meeting",
        city="Омск",
        timezone="Asia/Omsk",
    )

    [reply] = await member.send("Здравствуйте! Хочу записаться на круглый стол в Тюмени")

    assert "Вот что я нашёл" in reply.body
    assert "Роль СО НКО" in reply.body
    assert "Годовое собрание" not in reply.body
    assert reply.buttons() == ["Мероприятие 1"]
    await member.click("Мероприятие 1", reply)
    assert any("Зарегистрироваться" in label for label in reply.buttons())  # the card now
    assert f"ev_{tyumen.id}" not in reply.body  # the card, not a link to it


async def test_free_text_matching_nothing_gets_the_menu_and_a_hint(
    member: ChatClient, services: Services
) -> None:
    await make_event(services)
    [reply] = await member.send("Какая сегодня погода?")
    assert reply.body.startswith("Я не понял сообщение. Мероприятия — /events")
    assert reply.buttons() == MENU


async def test_a_sticker_gets_the_menu_and_a_hint(member: ChatClient) -> None:
    [reply] = await member.send_sticker()
    assert "Я не понял сообщение" in reply.body
    assert reply.buttons() == MENU


async def test_menu_labels_work_when_typed(member: ChatClient, services: Services) -> None:
    await make_event(services)
    [events] = await member.send("мероприятия")
    assert "Предстоящие мероприятия" in events.body
    [mine] = await member.send("🎫 МОИ РЕГИСТРАЦИИ")
    assert "/events" in mine.body
    [help_text] = await member.send("Помощь")
    assert "/language" in help_text.body


# -- straight to the point --------------------------------------------------------------------


async def test_a_new_russian_person_from_a_deep_link_sees_the_card_first(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    event = await make_event(services)
    newcomer = make_client(3301, "ru")

    card, greeting, offer = await newcomer.send(f"/start ev_{event.id}")

    assert "Роль СО НКО" in card.body
    assert "Зарегистрироваться" in " ".join(card.buttons())
    assert "Здравствуйте" in greeting.body
    assert greeting.buttons() == MENU
    assert "Выберите язык" in offer.body
    person = await people.get(services.db, 3301)
    assert person is not None
    assert person.language == "ru"
    # The offer is not a gate: registering works straight away.
    await newcomer.click("Зарегистрироваться", card)
    assert "согласие" in newcomer.last.body.lower()


# -- typed where a button was expected --------------------------------------------------------


async def test_typing_a_name_at_the_announcements_question_asks_it_again_with_buttons(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    await member.send(f"/start ev_{event.id}")
    await member.click("Зарегистрироваться")
    await member.click("Даю согласие")

    [again] = await member.send("Иванова Анна Сергеевна")

    assert "не понял" not in again.body.lower()
    assert "сразу после этого вопроса" in again.body
    assert "Нет, спасибо" in again.buttons()
    # The words of a button, typed in another case and without the emoji, are the press.
    await member.send("да, все регионы")
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert person.subscribed
    assert "ФИО" in member.last.body or "фамилию" in member.last.body


async def test_a_typed_confirm_on_the_summary_registers(
    member: ChatClient, services: Services
) -> None:
    from tests.member_kit import register_new

    event = await make_event(services)
    await register_new(member, event, confirm=False)
    await member.send("подтвердить")
    registration = await registrations_repo.live(services.db, event.id, member.user.id)
    assert registration is not None
    assert registration.status == RegistrationStatus.confirmed
    assert any("зарегистрированы" in m.body for m in member.messages[-4:])
