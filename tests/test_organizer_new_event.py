"""/new_event through the real Dispatcher: every step, every refusal, Back, the preview, saving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from aiogram.types import ReplyKeyboardMarkup

from bot.app import create_dispatcher
from bot.services import Services
from db import events as events_repo
from db.events import EventKind, EventStatus
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.organizer_kit import started

BACK = "Назад ⬅️"
SKIP = "⏭ Пропустить"
KEEP = "✔️ Оставить как есть"
DEFAULT_REMINDERS = "🔔 Как обычно: за 24 ч, 2 ч"

# A valid answer for each step, in order (Omsk: UTC+6).
VALID: list[tuple[str, str]] = [
    ("title", "Муниципальная поддержка СО НКО"),
    ("kind", "Круглый стол"),
    ("description", "Обсудим меры поддержки.\n\nПриглашаем руководителей НКО."),
    ("organizer", SKIP),
    ("city", "Омск"),
    ("format", "Очно"),
    ("venue", "Дом НКО"),
    ("address", "ул. Ленина 1"),
    ("location", SKIP),
    ("start", "11.09.2027 11:00"),
    ("start_echo", "Да, верно"),
    ("end", "14:00"),
    ("end_echo", "Да, верно"),
    ("capacity", "50"),
    ("deadline", "⏱ До начала"),
    ("questions", "✅ Готово"),
    ("reminders", DEFAULT_REMINDERS),
]
STEP_QUESTION = {
    "title": "Как называется мероприятие?",
    "kind": "Какой это формат?",
    "description": "Опишите мероприятие",
    "organizer": "Какая организация проводит?",
    "city": "В каком городе?",
    "timezone": "часовой пояс города",
    "format": "Как будут участвовать",
    "venue": "Площадка",
    "address": "Адрес",
    "location": "Отправьте метку площадки",
    "start": "Когда начало?",
    "start_echo": "суббота, 11 сентября 2027, 11:00 по местному времени (МСК+3) — верно?",
    "end": "Когда окончание?",
    "end_echo": "суббота, 11 сентября 2027, 11:00–14:00 по местному времени (МСК+3) — верно?",
    "capacity": "Сколько мест?",
    "deadline": "До какого момента открыта регистрация?",
    "questions": "Вопросы участникам",
    "question_kind": "свободный ответ или выбор",
    "question_options": "Напишите варианты",
    "reminders": "Напоминания участникам",
}


@pytest.fixture
async def admin(make_client: Callable[..., ChatClient]) -> ChatClient:
    return await started(make_client, ADMIN_ID)


async def walk_to(client: ChatClient, step: str) -> None:
    """/new_event, then valid answers up to (not including) `step`."""
    await client.send("/new_event")
    for name, answer in VALID:
        if name == step:
            return
        await client.send(answer)
    assert step == "preview"


async def test_the_whole_dialog_ends_in_the_members_card_and_publishes(
    admin: ChatClient, services: Services, make_client: Callable[..., ChatClient]
) -> None:
    [first] = await admin.send("/new_event")
    assert STEP_QUESTION["title"] in first.body
    assert "шаг 1 из 15" in first.body
    assert isinstance(first.reply_markup, ReplyKeyboardMarkup)
    assert BACK in first.buttons()
    replies: list = []
    for step, answer in VALID:
        assert STEP_QUESTION[step] in admin.last.body, step
        replies = await admin.send(answer)
    facts, card = replies
    assert "Предпросмотр" in facts.body
    assert "как обычно: за 24 ч, 2 ч" in facts.body
    # Omsk is UTC+6: the card says 11:00–14:00 there, labelled with the city and offset.
    assert "суббота, 11 сентября 2027, 11:00–14:00 по местному времени (МСК+3)" in card.body
    assert card.buttons() == [
        "Опубликовать 📣",
        "Сохранить черновик 💾",
        "Изменить поле ✏️",
        "Удалить ✖️",
    ]
    assert await events_repo.get(services.db, 1) is None  # nothing saved before the choice

    await admin.click("Опубликовать", card)
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert event.status == EventStatus.published
    assert event.owner_id == ADMIN_ID
    assert event.kind == EventKind.round_table
    assert event.timezone == "Asia/Omsk"
    assert event.starts_at == datetime(2027, 9, 11, 5, 0, tzinfo=UTC).timestamp()
    assert event.description == "Обсудим меры поддержки.\n\nПриглашаем руководителей НКО."
    assert event.capacity == 50
    assert event.registration_deadline is None
    assert event.reminder_offsets is None
    assert "https://t.me/ngo_events_test_bot?start=ev_1" in admin.find("опубликовано").body
    assert card.buttons() == []  # the preview's buttons are gone once it is saved

    # The preview was the very card a member now opens through the link.
    member = await started(make_client, 2001)
    [member_card] = await member.send("/start ev_1")
    assert member_card.body == card.body
    # The reminders engine planned the new event.
    planned = await services.reminders.planned(event.id)
    assert planned


async def test_save_as_draft_is_invisible_to_members(
    admin: ChatClient, services: Services, make_client: Callable[..., ChatClient]
) -> None:
    await walk_to(admin, "preview")
    await admin.click("Сохранить черновик")
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert event.status == EventStatus.draft
    assert "черновик" in admin.find("сохранено как черновик").body
    member = await started(make_client, 2001)
    [reply] = await member.send("/start ev_1")
    assert "не найдено" in reply.body


REFUSALS: list[tuple[str, str, str]] = [
    ("title", "Т" * 151, "Слишком длинно: 151 символов"),
    ("title", "Круглый\u200b стол", "невидимые символы"),
    ("kind", "Вечеринка", "Выберите, пожалуйста, формат"),
    ("description", "   ", "Ответ пустой"),
    ("venue", KEEP, "Оставлять пока нечего"),
    ("location", "ул. Ленина 1", "нужна метка на карте"),
    ("start", "когда-нибудь", "Не могу разобрать дату"),
    ("start", "завтра", "Добавьте время, например «17 декабря 14:00»"),
    (
        "start",
        "31.02.2027 10:00",
        "Такой даты нет: в феврале 28 дней. Напишите, например, «28.02 14:00»",
    ),
    ("start", "30 апреля 25:00", "Не могу разобрать дату"),
    ("start", "17.04.2026 14:00", "17.04.2026 14:00 уже прошло"),
    ("start", "17.04.2031 14:00", "Проверьте, пожалуйста, год"),
    ("end", "10:00", "Окончание должно быть позже начала (11.09.2027 11:00)"),
    ("end", "в пять", "Добавьте время"),
    ("end", "20.10.2027 10:00", "не больше 31 дней"),
    ("capacity", "много", "цифрами"),
    ("capacity", "0", "Число мест — от 1 до 100000"),
    ("deadline", "12.09.2027 10:00", "не позже начала (11.09.2027 11:00)"),
    ("deadline", "01.01.2026 10:00", "уже прошло"),
    ("questions", "🗑 Удалить последний вопрос", "Удалять нечего"),
    ("reminders", "за день", "числами"),
    ("reminders", "0", "за 1–720 часов"),
]


@pytest.mark.parametrize(("step", "answer", "reason"), REFUSALS)
async def test_every_refusal_says_why_and_asks_again(
    admin: ChatClient, step: str, answer: str, reason: str
) -> None:
    await walk_to(admin, step)
    [reply] = await admin.send(answer)
    assert reason in reply.body
    assert STEP_QUESTION[step] in reply.body  # the same question again
    # Nothing was lost: the valid answer now moves on to the next step.
    valid = dict(VALID)[step]
    after = await admin.send(valid)
    assert STEP_QUESTION[step] not in after[0].body or step == "questions"


async def test_non_text_answers_and_a_region_of_several_zones(
    admin: ChatClient, services: Services
) -> None:
    await walk_to(admin, "title")
    [reply] = await admin.send_location(55.0, 73.0)
    assert "текстом или кнопками" in reply.body
    await admin.send("Семинар для НКО")
    await admin.send("Семинар")
    await admin.send(SKIP)
    await admin.send(SKIP)
    [zone] = await admin.send("Якутия")
    assert "Республика Саха (Якутия) — в нескольких часовых поясах" in zone.body
    assert "шаг 6 из 16" in zone.body  # the zone step counts now that it is asked
    assert zone.buttons()[:3] == ["Якутск · МСК+6", "Усть-Нера · МСК+7", "Среднеколымск · МСК+8"]
    [refused] = await admin.send("Mars/Olympus")
    assert "Такого часового пояса я не знаю" in refused.body
    [event_format] = await admin.send("Усть-Нера · МСК+7")
    assert STEP_QUESTION["format"] in event_format.body
    [venue] = await admin.send("Очно")
    assert STEP_QUESTION["venue"] in venue.body
    # Back from the venue returns to the format, then to the zone (the region spans several).
    await admin.send(BACK)
    [back] = await admin.send(BACK)
    assert "в нескольких часовых поясах" in back.body
    assert "Сейчас: Усть-Нера · МСК+7" in back.body
    for answer in ("Усть-Нера · МСК+7", "Очно", "Дом НКО", "ул. Ленина 1", SKIP, "17 мая 10:00"):
        [reply] = await admin.send(answer)
    assert "воскресенье, 17 января 2027" not in reply.body
    assert "понедельник, 17 мая 2027, 10:00 по местному времени (МСК+7) — верно?" in reply.body


async def test_back_walks_every_step_and_keeps_the_answers(admin: ChatClient) -> None:
    await walk_to(admin, "reminders")
    order = [step for step, _answer in VALID if not step.endswith("_echo")]
    for step in reversed(order[:-1]):
        [reply] = await admin.send(BACK)
        assert STEP_QUESTION[step] in reply.body, step
    [first] = await admin.send(BACK)
    assert "Это первый шаг" in first.body
    # Going forward again, the answers are kept: «Keep» is offered and works.
    assert "Оставить как есть ✔️" in first.buttons()
    [kind] = await admin.send(KEEP)
    assert STEP_QUESTION["kind"] in kind.body
    assert "Сейчас: Круглый стол" in kind.body


async def test_questions_with_options_and_the_map_pin(
    admin: ChatClient, services: Services
) -> None:
    await walk_to(admin, "location")
    await admin.send_location(54.98, 73.37)
    for answer in ("11.09.2027 11:00", "14:00", "♾ Без ограничений", "10.09.2027 18:00"):
        await admin.send(answer)
        if answer != "♾ Без ограничений":
            await admin.send("Да, верно")
    [kind] = await admin.send("Какая тема вам ближе?")
    assert STEP_QUESTION["question_kind"] in kind.body
    [options] = await admin.send("🔘 Выбор из вариантов")
    assert STEP_QUESTION["question_options"] in options.body
    assert "Готово ✅" in options.buttons()
    [refused] = await admin.send("✅ Готово")
    assert "от 2 до 10 вариантов" in refused.body
    [more] = await admin.send("Образование")
    assert "Варианты: Образование. Пришлите следующий или нажмите «Готово»." in more.body
    [menu] = await admin.send("Здравоохранение\nДемография")
    assert "1. Какая тема вам ближе? — Образование / Здравоохранение / Демография" in menu.body
    await admin.send("➕ Добавить вопрос")
    await admin.send("Ваше предложение к круглому столу")
    [menu] = await admin.send("✍️ Свободный ответ")
    assert "2. Ваше предложение к круглому столу — свободный ответ" in menu.body
    await admin.send("➕ Добавить вопрос")
    await admin.send("Лишний вопрос")
    [menu] = await admin.send(BACK)  # back from «free or choice?» to the question text
    assert "Напишите вопрос" in menu.body
    [menu] = await admin.send(BACK)
    assert "Лишний" not in menu.body
    await admin.send("✅ Готово")
    await admin.send("48, 2")
    await admin.click("Опубликовать")
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert (event.latitude, event.longitude) == (54.98, 73.37)
    assert event.capacity is None
    assert event.reminder_offsets == (48, 2)
    assert [q.options for q in event.questions] == [
        ("Образование", "Здравоохранение", "Демография"),
        (),
    ]
    assert event.registration_deadline == datetime(2027, 9, 10, 12, 0, tzinfo=UTC).timestamp()


async def test_editing_a_field_from_the_preview(admin: ChatClient, services: Services) -> None:
    await walk_to(admin, "preview")
    await admin.click("Изменить поле")
    [prompt] = await admin.click("Дата и время")
    assert STEP_QUESTION["start"] in prompt.body
    [echo] = await admin.send("12.09.2027 10:00")
    assert "воскресенье, 12 сентября 2027, 10:00" in echo.body
    [end] = await admin.send("Да, верно")
    assert "Сейчас: воскресенье, 12 сентября 2027, 13:00" in end.body  # the length is kept
    [back_to_start] = await admin.send(BACK)
    assert STEP_QUESTION["start"] in back_to_start.body
    await admin.send("12.09.2027 10:00")
    await admin.send("Да, верно")
    _facts, card = await admin.send(KEEP)
    assert "воскресенье, 12 сентября 2027, 10:00–13:00 по местному времени (МСК+3)" in card.body
    await admin.click("Изменить поле", card)
    await admin.click("Город")
    _facts, card = await admin.send("Тюмень")  # a known city: straight back to the preview
    # Local times stay as typed; the zone follows the city.
    assert "воскресенье, 12 сентября 2027, 10:00–13:00 по местному времени (МСК+2)" in card.body
    await admin.click("Сохранить черновик", card)
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert event.timezone == "Asia/Yekaterinburg"


async def test_cancel_leaves_without_saving_and_old_buttons_are_refused(
    admin: ChatClient, services: Services
) -> None:
    await walk_to(admin, "reminders")
    _facts, card = await admin.send(DEFAULT_REMINDERS)
    [reply] = await admin.send("/cancel")
    assert "Отменено" in reply.body
    await admin.click("Опубликовать", card)
    assert "неактуален" in (admin.last_answer.text or "")
    assert await events_repo.get(services.db, 1) is None


async def test_the_dialog_survives_a_restart(
    admin: ChatClient, services: Services, bot: MockedBot
) -> None:
    await walk_to(admin, "capacity")
    # A new Dispatcher on the same database: what a restarted process has.
    restarted = ChatClient(create_dispatcher(services), bot, ADMIN_ID)
    [reply] = await restarted.send("120")
    assert STEP_QUESTION["deadline"] in reply.body
    await restarted.send("⏱ До начала")
    await restarted.send("✅ Готово")
    await restarted.send(DEFAULT_REMINDERS)
    await restarted.click("Опубликовать")
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert event.capacity == 120
    assert event.title == "Муниципальная поддержка СО НКО"
