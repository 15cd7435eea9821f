"""The follow-up after an event: who gets it, the rating and comment dialog, the summary."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.fsm.storage.base import StorageKey

from bot.clock import ManualClock
from bot.i18n import create_i18n
from bot.services import Services
from bot.states import Followup, RegistrationForm
from bot.views.reminders import stats_block, summary_lines
from db import followups
from db.events import Event
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_ID, MockedBot, Sent
from tests.member_kit import make_event
from tests.organizer_kit import ORGANIZER_ID, make_organizer, owned_event
from tests.reminders_kit import check_in, fire_at, plan, seat

HOUR = 3600.0


def followups_to(bot: MockedBot, chat_id: int) -> list[Sent]:
    return [s for s in bot.session.messages.get(chat_id, []) if "Спасибо, что пришли" in s.body]


async def attended_event(
    services: Services, clock: ManualClock, bot: MockedBot, *people: int
) -> Event:
    """An event that took place: everyone listed came, and the follow-up went out."""
    event = await make_event(services)
    for person in people:
        registration = await seat(services, event, person)
        await check_in(services, registration, event.starts_at + 300)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["followup"].due_at)
    return event


async def test_follow_up_goes_to_checked_in_people_two_hours_after_the_end(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    came = await seat(services, event, 5001)
    await seat(services, event, 5002)  # registered, never came
    english = await seat(services, event, 5003, "en")
    planned = await plan(services, event)
    assert planned["followup"].due_at == event.ends_at + 2 * HOUR
    await fire_at(services, clock, bot, planned["2h"].due_at)
    await check_in(services, came, event.starts_at + 60)
    await check_in(services, english, event.starts_at + 120)

    await fire_at(services, clock, bot, planned["followup"].due_at - 1)
    assert followups_to(bot, 5001) == []
    await fire_at(services, clock, bot, planned["followup"].due_at)

    (message,) = followups_to(bot, 5001)
    assert "Оцените, пожалуйста, от 1 до 5" in message.body
    assert message.buttons() == ["Оценка 1", "Оценка 2", "Оценка 3", "Оценка 4", "Оценка 5"]
    assert followups_to(bot, 5002) == []
    assert any("Thank you for coming" in s.body for s in bot.session.messages[5003])


async def test_rating_and_comment_are_stored_and_summarised(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await attended_event(services, clock, bot, 5011, 5012)
    anna = make_client(5011, "ru")
    survey = followups_to(bot, 5011)[0]

    await anna.click("5", survey)

    assert anna.last_answer.text == "Спасибо за оценку!"
    assert "Ваша оценка" in survey.body
    assert "5 из 5" in survey.body
    assert "напишите организаторам" in survey.body
    replies = await anna.send("Очень полезно, <b>спасибо</b> & до встречи")
    assert replies[0].body == "Спасибо! Ваш комментарий передан организаторам."
    # The comment step is over: the next text is not taken for a comment.
    await anna.send("ещё текст")

    boris = make_client(5012, "ru")
    await boris.click("3", followups_to(bot, 5012)[0])
    await boris.click("Без комментария")
    assert "Спасибо за оценку!" in boris.last.body

    summary = await services.followups.summary(event.id)
    assert (summary.count, summary.average, summary.ratings) == (2, 4.0, {3: 1, 5: 1})
    assert summary.comments == ["Очень полезно, <b>спасибо</b> & до встречи"]
    with services.i18n.context(), services.i18n.use_locale("ru"):
        lines = summary_lines(summary)
    assert lines[0] == "⭐ Оценка 4.0 из 5 от 2 участников"
    assert lines[1] == "5: 1 · 4: 0 · 3: 1 · 2: 0 · 1: 0"
    assert "— Очень полезно, &lt;b&gt;спасибо&lt;/b&gt; &amp; до встречи" in lines


async def test_rating_again_replaces_the_rating_and_keeps_the_comment(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await attended_event(services, clock, bot, 5021)
    anna = make_client(5021, "ru")
    survey = followups_to(bot, 5021)[0]
    await anna.click("2", survey)
    await anna.send("Было душно")
    # A press on an old copy of the survey (e.g. forwarded to themselves) changes the rating.
    await anna.press(f"fu1:rate:{event.id}:4", survey)
    await anna.click("Без комментария")
    summary = await services.followups.summary(event.id)
    assert (summary.count, summary.average, summary.comments) == (1, 4.0, ["Было душно"])


async def test_the_comment_step_re_asks_and_cancel_leaves_it(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await attended_event(services, clock, bot, 5031)
    anna = make_client(5031, "ru")
    await anna.click("4", followups_to(bot, 5031)[0])

    replies = await anna.send_sticker()
    assert "напишите комментарий текстом" in replies[0].body
    replies = await anna.send("а" * 1001)
    assert "1000" in replies[0].body
    replies = await anna.send("/cancel")
    assert "Отменено" in replies[0].body
    summary = await services.followups.summary(event.id)
    assert (summary.count, summary.comments) == (1, [])  # the rating stays, no comment


async def test_forged_survey_buttons_are_refused(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await attended_event(services, clock, bot, 5041)
    anna = make_client(5041, "ru")
    for data in (f"fu1:rate:{event.id}:9", f"fu1:rate:{event.id}:0", f"fu1:comment:{event.id}:0"):
        await anna.press(data)
        assert anna.last_answer.show_alert, data
    stranger = make_client(5042, "ru")
    await stranger.send("/start")
    for data in (f"fu1:rate:{event.id}:1", f"fu1:comment:{event.id}:0", "fu1:rate:999:1"):
        await stranger.press(data)
        assert stranger.last_answer.text == "Этот опрос — для участников мероприятия."
    assert (await services.followups.summary(event.id)).count == 0


async def test_a_rating_in_the_middle_of_another_dialog_does_not_hijack_it(
    services: Services,
    clock: ManualClock,
    bot: MockedBot,
    make_client: Callable[..., ChatClient],
) -> None:
    event = await attended_event(services, clock, bot, 5051)
    anna = make_client(5051, "ru")
    storage = anna.dp.storage
    key = StorageKey(bot_id=BOT_ID, chat_id=5051, user_id=5051)
    await storage.set_state(key, RegistrationForm.answering)

    await anna.click("5", followups_to(bot, 5051)[0])

    assert await storage.get_state(key) == RegistrationForm.answering.state
    assert anna.find("Добавить комментарий").buttons() == ["Добавить комментарий 💬"]
    await anna.click("Добавить комментарий")
    assert await storage.get_state(key) == Followup.comment.state
    await anna.send("Спасибо!")
    assert (await services.followups.summary(event.id)).comments == ["Спасибо!"]


async def test_forget_erases_the_comment_and_keeps_the_anonymous_rating(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await attended_event(services, clock, bot, 5061)
    anna = make_client(5061, "ru")
    await anna.click("5", followups_to(bot, 5061)[0])
    await anna.send("Меня зовут Анна, телефон +7 912 345-67-89")
    await services.privacy.forget(5061)
    summary = await services.followups.summary(event.id)
    assert (summary.count, summary.average, summary.comments) == (1, 5.0, [])
    assert await followups.attended_registration(services.db, event.id, 5061) is None


async def test_stats_show_the_answers_ratings_and_comments_to_the_organizer(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID)
    for person in (5071, 5072):
        registration = await seat(services, event, person)
        await check_in(services, registration, event.starts_at + 60)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["24h"].due_at)
    anna, boris = make_client(5071, "ru"), make_client(5072, "ru")
    await anna.click("Приду")
    await fire_at(services, clock, bot, planned["followup"].due_at)
    await anna.click("5", followups_to(bot, 5071)[0])
    await anna.send("Спасибо за <i>живую</i> дискуссию")
    await boris.click("4", followups_to(bot, 5072)[0])

    [overview] = await organizer.send("/stats")
    text, _chart = await organizer.click("График 1", overview)

    assert "Зарегистрировано: 2" in text.body
    assert "🔔 Ответы на напоминание: придут 1 · не смогут 0" in text.body
    assert "⭐ Оценка 4.5 из 5 от 2 участников" in text.body
    assert "— Спасибо за &lt;i&gt;живую&lt;/i&gt; дискуссию" in text.body


async def test_the_stats_block_fits_the_message_limit(services: Services) -> None:
    event = await make_event(services)
    after, before = event.ends_at + 1, event.starts_at - 1
    summary = followups.Summary(
        count=40, average=4.2, ratings={5: 20, 4: 10, 3: 10}, comments=["б" * 900] * 40
    )
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        full = stats_block(event, summary, {}, now=after, budget=4096)
        short = stats_block(event, summary, {}, now=after, budget=300)
        none = stats_block(event, followups.Summary(), {}, now=before, budget=4096)
        empty = stats_block(event, followups.Summary(), {}, now=after, budget=4096)
    assert len(full) <= 4096
    assert full.count("— ") == 10  # the latest ten, each cut to a preview
    assert "Комментарии" not in short
    assert "⭐ Оценка 4.2 из 5 от 40 участников" in short
    assert none == ""  # before the event there is nothing to say yet
    assert "Участники пока не поставили оценок" in empty
