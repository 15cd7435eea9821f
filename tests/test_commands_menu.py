"""The commands menu: translated per language, organizer extras only in their own chats."""

from __future__ import annotations

import pytest
from aiogram.methods import DeleteMyCommands, SetMyCommands
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault

from bot import commands
from bot.app import on_startup
from bot.services import Services
from tests.conftest import ADMIN_ID
from tests.kit.mocked_bot import MockedBot


async def test_default_menu_in_each_language(bot: MockedBot, services: Services) -> None:
    await commands.set_default_commands(bot, services.i18n)
    calls = bot.session.calls(SetMyCommands)
    by_language = {call.language_code: call for call in calls}
    assert set(by_language) == {"ru", "en", None}
    assert all(isinstance(call.scope, BotCommandScopeDefault) for call in calls)
    ru = {c.command: c.description for c in by_language["ru"].commands}
    en = {c.command: c.description for c in by_language["en"].commands}
    assert ru["language"] == "Сменить язык"
    assert en["language"] == "Change language"
    assert by_language[None].commands == by_language["ru"].commands  # DEFAULT_LOCALE is ru


async def test_organizer_menu_only_in_their_own_chat(
    bot: MockedBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = (commands.Command("manage", "My events"),)
    monkeypatch.setattr(commands, "ORGANIZER_COMMANDS", extra)
    assert await commands.set_chat_commands(
        bot, services.i18n, 77, is_organizer=True, is_admin=False
    )
    calls = bot.session.calls(SetMyCommands)
    assert calls
    for call in calls:
        assert isinstance(call.scope, BotCommandScopeChat)
        assert call.scope.chat_id == 77
        assert "manage" in [c.command for c in call.commands]


async def test_back_to_member_drops_the_chat_menu(bot: MockedBot, services: Services) -> None:
    assert await commands.set_chat_commands(
        bot, services.i18n, 77, is_organizer=False, is_admin=False
    )
    assert bot.session.calls(DeleteMyCommands)
    assert not bot.session.calls(SetMyCommands)


async def test_menu_for_an_admin_who_never_started_the_bot_is_skipped(
    bot: MockedBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "ORGANIZER_COMMANDS", (commands.Command("manage", "x"),))
    bot.session.fail("SetMyCommands", "400", times=10)
    assert not await commands.set_chat_commands(
        bot, services.i18n, 99, is_organizer=True, is_admin=True
    )


async def test_startup_sets_menus_and_learns_the_username(
    bot: MockedBot, services: Services
) -> None:
    services.bot_username = ""
    await on_startup(bot, services)
    assert services.bot_username == "ngo_events_test_bot"
    assert services.scheduler.running
    scopes = [call.scope for call in bot.session.calls(SetMyCommands)] + [
        call.scope for call in bot.session.calls(DeleteMyCommands)
    ]
    assert any(isinstance(s, BotCommandScopeChat) and s.chat_id == ADMIN_ID for s in scopes)
    services.scheduler.shutdown(wait=False)
