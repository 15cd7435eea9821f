"""/organizers: grant and revoke by a forwarded message, a contact or an id; the menu follows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from aiogram.methods import DeleteMyCommands, SendMessage, SetMyCommands
from aiogram.types import BotCommandScopeChat, MessageOriginHiddenUser, MessageOriginUser, User

from bot.services import Services
from db import people
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.organizer_kit import started

CANDIDATE = 4001


@pytest.fixture
async def admin(make_client: Callable[..., ChatClient]) -> ChatClient:
    return await started(make_client, ADMIN_ID)


def menus_for(client: ChatClient, chat_id: int) -> list[list[str]]:
    return [
        [command.command for command in call.commands]
        for call in client.session.calls(SetMyCommands)
        if isinstance(call.scope, BotCommandScopeChat) and call.scope.chat_id == chat_id
    ]


async def test_grant_by_forwarded_message_updates_role_menu_and_tells_them(
    admin: ChatClient, services: Services, make_client: Callable[..., ChatClient]
) -> None:
    candidate = await started(make_client, CANDIDATE)
    [screen] = await admin.send("/organizers")
    assert "Роли организатора пока ни у кого нет" in screen.body
    origin = MessageOriginUser(
        type="user",
        date=datetime(2026, 11, 20),
        sender_user=User(id=CANDIDATE, is_bot=False, first_name="Ольга"),
    )
    [card] = await admin.send_update(text="Добрый день!", forward_origin=origin)
    # No profile yet: the name the candidate has in Telegram, kept when they wrote to the bot.
    assert "Анна — участник" in card.body
    assert str(CANDIDATE) not in card.body
    await admin.click("Назначить организатором", card)
    person = await people.get(services.db, CANDIDATE)
    assert person is not None
    assert person.is_organizer
    assert "✅ Анна теперь организатор" in card.body
    assert str(CANDIDATE) not in card.body
    menus = menus_for(admin, CANDIDATE)
    assert menus
    assert all("new_event" in menu and "organizers" not in menu for menu in menus)
    assert "Теперь вы организатор" in candidate.last.body
    # The new organizer can work straight away.
    [reply] = await candidate.send("/manage")
    assert "У вас пока нет мероприятий" in reply.body


async def test_revoke_from_the_list_drops_the_menu(
    admin: ChatClient, services: Services, make_client: Callable[..., ChatClient]
) -> None:
    candidate = await started(make_client, CANDIDATE)
    await services.roles.set_organizer(CANDIDATE, True)
    [screen] = await admin.send("/organizers")
    assert "• Анна" in screen.body
    assert str(CANDIDATE) not in screen.body
    await admin.click("Снять роль", screen)
    assert "Анна больше не организатор" in screen.body
    person = await people.get(services.db, CANDIDATE)
    assert person is not None
    assert not person.is_organizer
    deleted = [
        call
        for call in admin.session.calls(DeleteMyCommands)
        if isinstance(call.scope, BotCommandScopeChat) and call.scope.chat_id == CANDIDATE
    ]
    assert deleted
    assert "Роль организатора с вас снята" in candidate.last.body
    [reply] = await candidate.send("/new_event")
    assert "для организаторов" in reply.body


async def test_grant_by_contact_or_id_and_every_refusal(
    admin: ChatClient, services: Services, make_client: Callable[..., ChatClient]
) -> None:
    await started(make_client, CANDIDATE)
    await admin.send("/organizers")
    hidden = MessageOriginHiddenUser(
        type="hidden_user", date=datetime(2026, 11, 20), sender_user_name="Ольга"
    )
    [reply] = await admin.send_update(text="Привет", forward_origin=hidden)
    assert "скрывает свой аккаунт" in reply.body
    [reply] = await admin.send_contact("+79120000000", owner_id=None)
    assert "не связан с видимым мне аккаунтом" in reply.body
    [reply] = await admin.send("Ольга Иванова")
    assert "числовой id" in reply.body
    [reply] = await admin.send("999999")
    assert "ещё не запускал бота" in reply.body
    [card] = await admin.send_contact("+79120000000", owner_id=CANDIDATE)
    assert "Анна — участник" in card.body
    await admin.send("/organizers")
    [card] = await admin.send(str(CANDIDATE))
    await admin.click("Назначить организатором", card)
    assert (await services.roles.access(CANDIDATE)).is_organizer
    # Admins come from ADMIN_IDS; their role is not for the database.
    await admin.send("/organizers")
    [card] = await admin.send(str(ADMIN_ID))
    await admin.click("Назначить организатором", card)
    assert "администратор: у администраторов есть все права" in card.body


async def test_a_forged_grant_for_an_unknown_person_changes_nothing(
    admin: ChatClient, services: Services
) -> None:
    sent_before = len(admin.session.calls(SendMessage))
    await admin.press("ro1:grant:123456789")
    assert "ещё не запускал бота" in admin.last.body
    assert await people.get(services.db, 123456789) is None
    assert len(admin.session.calls(SendMessage)) == sent_before  # nobody else was written to
