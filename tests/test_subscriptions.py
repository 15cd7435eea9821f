"""Subscriptions: «Unsubscribe» under any copy, its effect on queued copies, subscribing again."""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import ManualClock
from bot.services import Services
from db import consents, people
from db.consents import ConsentKind
from tests.announcements_kit import (
    add_people,
    compose_text,
    copies_to,
    deliver,
    delivery_states,
    latest,
    started,
)
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot


async def announce_to_all(admin: ChatClient, text: str) -> None:
    await compose_text(admin, text)
    await admin.click("Всем подписчикам")
    await admin.click("Отправить сейчас")


async def test_unsubscribing_from_an_old_copy_stops_what_is_still_queued(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    await add_people(services, [100, 101])
    admin = await started(make_client(ADMIN_ID))
    await announce_to_all(admin, "Первое объявление")
    await deliver(services, bot)
    await announce_to_all(admin, "Второе объявление")
    second = await latest(services)
    # Before the second one reaches them, 100 presses «Unsubscribe» under the first.
    reader = make_client(100)
    await reader.press("un1", copies_to(bot, 100)[0])
    clock.advance(2)  # one message a second to a chat
    await deliver(services, bot)
    assert await delivery_states(services, second.id) == {100: "cancelled", 101: "sent"}
    assert len(copies_to(bot, 100)) == 1
    assert len(copies_to(bot, 101)) == 2


async def test_subscribing_again_from_the_copy_is_logged_like_consent(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [100])
    admin = await started(make_client(ADMIN_ID))
    await announce_to_all(admin, "Анонс")
    await deliver(services, bot)
    reader = make_client(100)
    await reader.click("Отписаться")
    await reader.click("Подписаться снова")
    await reader.click("Да, все регионы")
    person = await people.get(services.db, 100)
    assert person is not None
    assert person.subscribed
    log = await consents.for_person(services.db, 100)
    assert [(c.kind, c.granted) for c in log] == [
        (ConsentKind.announcements, False),
        (ConsentKind.announcements, True),
    ]


async def test_unsubscribe_button_of_someone_never_subscribed_changes_nothing(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    stranger = await started(make_client(4040))
    await stranger.press("un1")
    assert stranger.last_answer.text == "Вы не подписаны на анонсы. Подписаться: /subscribe."
    assert await consents.for_person(services.db, 4040) == []


async def test_erasing_data_or_saying_no_stops_copies_of_a_broadcast_under_way(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [100, 101, 102])
    admin = await started(make_client(ADMIN_ID))
    await announce_to_all(admin, "Анонс круглого стола")
    announcement = await latest(services)
    # Queued, not yet sent: one person erases their data, another unsubscribes in /subscribe.
    await services.privacy.forget(100)
    await services.registrations.set_announcements(101, subscribed=False, city=None)
    await deliver(services, bot)
    states = await delivery_states(services, announcement.id)
    # The erased person's copy is withdrawn and kept only as an anonymous count.
    anonymous = [state for recipient, state in states.items() if recipient not in (101, 102)]
    assert anonymous == ["cancelled"]
    assert 100 not in states
    assert (states[101], states[102]) == ("cancelled", "sent")
    assert copies_to(bot, 100) == []
    assert copies_to(bot, 101) == []
