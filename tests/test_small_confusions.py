"""The organizer's small confusions, as an organizer meets them: greeting, drafts, duplicates."""

from __future__ import annotations

from collections.abc import Callable

from bot.services import Services
from db import events as events_repo
from db.events import Event, EventStatus
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.organizer_kit import ORGANIZER_ID, make_organizer, owned_event, started

KEEP = "Оставить как есть ✔️"


async def open_event(organizer: ChatClient, event: Event) -> None:
    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)


async def test_the_greeting_lists_the_admins_and_the_organizers_commands(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    admin = await started(make_client, ADMIN_ID)
    [greeting] = await admin.send("/start")
    assert "Ваши команды организатора" in greeting.body
    assert "/new_event" in greeting.body
    assert "/scheduled" in greeting.body
    assert "Ваши команды администратора" in greeting.body
    assert "/organizers" in greeting.body
    organizer = await make_organizer(services, make_client)
    [greeting] = await organizer.send("/start")
    assert "/new_event" in greeting.body
    assert "/organizers" not in greeting.body
    member = await started(make_client, 5401)
    [greeting] = await member.send("/start")
    assert "/new_event" not in greeting.body
    english = await started(make_client, 5402, "en")
    await services.roles.set_organizer(5402, True)
    [greeting] = await english.send("/start")
    assert "Your organizer commands" in greeting.body


async def test_a_draft_is_deleted_after_a_question_not_cancelled_with_a_reason(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await make_organizer(services, make_client)
    draft = await owned_event(
        services, ORGANIZER_ID, title="Черновик круглого стола", status=EventStatus.draft
    )
    await open_event(organizer, draft)
    screen = organizer.last
    assert "Удалить черновик" in screen.buttons()
    assert not any("Отменить мероприятие" in label for label in screen.buttons())
    await organizer.click("Удалить черновик", screen)
    assert screen.body.startswith("Удалить черновик «Черновик круглого стола»?")
    assert "причин" not in screen.body  # no reason asked: nobody is notified of a draft
    await organizer.click("Нет, оставить", screen)
    assert await events_repo.get(services.db, draft.id) is not None
    await organizer.click("Удалить черновик", screen)
    await organizer.click("Да, удалить", screen)
    assert "Черновик «Черновик круглого стола» удалён" in screen.body
    assert await events_repo.get(services.db, draft.id) is None
    # A forged «delete» for a published event deletes nothing.
    published = await owned_event(services, ORGANIZER_ID, title="Опубликованный семинар")
    await organizer.press(f"om1:delok:{published.id}:0", screen)
    assert "Удалить можно только черновик" in screen.body
    assert await events_repo.get(services.db, published.id) is not None


async def test_duplicating_asks_for_the_new_date_without_keep(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID)
    await open_event(organizer, event)
    [prompt] = await organizer.click("Дублировать")
    assert "Когда начало?" in prompt.body
    assert KEEP not in prompt.buttons()
    [refused] = await organizer.send("✔️ Оставить как есть")
    assert "Оставлять пока нечего" in refused.body
    await organizer.send("16.12.2026 14:00")
    [end] = await organizer.send("Да, верно")
    assert KEEP in end.buttons()  # the end follows the new date and may be kept
    # «Back» from the copy's date drops the copy: it has no date of its own yet.
    await organizer.click("Дублировать")
    [dropped] = await organizer.send("⬅️ Назад")
    assert "ничего не сохранено" in dropped.body
