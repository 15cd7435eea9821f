"""Hostile input that once crashed a handler: ids beyond SQLite's integers, text beyond UTF-8."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.services import Services
from tests.announcements_kit import photo
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import Sent
from tests.member_kit import NAME, make_event, open_card
from tests.organizer_kit import make_organizer

OUTDATED = "Эта кнопка устарела. Отправьте /start, чтобы начать заново."
HUGE = "18446744073709551616"  # 2**64: no SQLite integer holds it
NINES = "9" * 58

# Every id-carrying button a member, an organizer or an admin can press, with a huge id.
MEMBER_BUTTONS = [
    f"ev1:{HUGE}:0:0",
    f"ea1:reg:{HUGE}",
    f"rd1:ok:{HUGE}",
    f"rf1:full_name:{HUGE}",
    f"my1:open:{HUGE}",
    f"rm1:yes:{NINES}",
    f"fu1:rate:{HUGE}:4",
    f"fu1:rate:1:{NINES}",
    f"cat1:{NINES}:0",
    f"cat1:0:{HUGE}",
    f"cty1:{NINES}",
    f"sb1:{NINES}",
    f"ev1:-{HUGE}:0:0",
]
ORGANIZER_BUTTONS = [
    f"oe1:title:{HUGE}",
    f"ap1:{NINES}",
    f"om1:open:{HUGE}:0",
    f"om1:people:1:{NINES}",
    f"oc1:1:{HUGE}",
    f"ci1:{HUGE}:0",
    f"os1:{HUGE}:0",
    f"an1:all:{NINES}:0:",
    f"an1:event:1:{HUGE}:",
    f"ac1:stop:{HUGE}",
]
ADMIN_BUTTONS = [f"ro1:grant:{HUGE}"]


@pytest.mark.parametrize("data", MEMBER_BUTTONS)
async def test_a_member_button_with_an_id_beyond_sqlite_is_outdated(
    member: ChatClient, data: str
) -> None:
    await member.press(data)
    assert member.last_answer.text == OUTDATED


@pytest.mark.parametrize("data", ORGANIZER_BUTTONS)
async def test_an_organizer_button_with_an_id_beyond_sqlite_is_outdated(
    make_client: Callable[..., ChatClient], services: Services, data: str
) -> None:
    organizer = await make_organizer(services, make_client)
    await organizer.press(data)
    assert organizer.last_answer.text == OUTDATED


@pytest.mark.parametrize("data", ADMIN_BUTTONS)
async def test_an_admin_button_with_an_id_beyond_sqlite_is_outdated(
    make_client: Callable[..., ChatClient], data: str
) -> None:
    admin = make_client(ADMIN_ID)
    await admin.send("/start")
    await admin.click("Русский")
    await admin.press(data)
    assert admin.last_answer.text == OUTDATED


REFUSED = (
    "Не удалось прочитать сообщение: в нём есть символы, которые нельзя сохранить. "
    "Наберите его заново."
)
SURROGATE = "\ud800"


def refused_once(replies: list[Sent]) -> None:
    assert [reply.body for reply in replies] == [REFUSED]


async def test_text_beyond_utf8_is_refused_in_the_organizer_dialogs(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await make_organizer(services, make_client)
    await organizer.send("/new_event")
    refused_once(await organizer.send(f"Круглый стол {SURROGATE}"))
    drafts = await services.db.fetch_value(
        "SELECT count(*) FROM fsm_records WHERE data LIKE '%Круглый стол%'"
    )
    assert drafts == 0
    refused_once(await organizer.send(f"/checkin {SURROGATE}"))
    refused_once(await organizer.send(SURROGATE))


async def test_text_beyond_utf8_is_refused_in_registration_and_the_dialog_goes_on(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    await open_card(member, event)
    await member.click("Зарегистрироваться")
    await member.click("Даю согласие")
    await member.click("Нет, спасибо")
    refused_once(await member.send(f"Иванова {SURROGATE}"))
    refused_once(await member.send_update(photo=photo(), caption=SURROGATE))
    # The question is still open: a readable name is taken.
    replies = await member.send(NAME)
    assert all(SURROGATE not in reply.body for reply in replies)
    assert "рганизац" in replies[-1].body  # the next question, about the organization
