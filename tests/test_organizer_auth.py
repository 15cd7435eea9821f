"""Organizer area authorization: members and other organizers are refused, nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiogram.methods import SendDocument, SendPhoto

from bot.callbacks import (
    CancelEventAnswer,
    CheckInAction,
    DraftAction,
    DraftActionKind,
    EditEventField,
    ManageAction,
    ManageActionKind,
    RoleAction,
    RoleActionKind,
    StatsAction,
)
from bot.services import Services
from bot.services import event_editor as editor
from db.events import Event
from tests.kit.client import ChatClient
from tests.organizer_kit import (
    ORGANIZER_ID,
    OTHER_ORGANIZER_ID,
    make_organizer,
    owned_event,
    register_person,
    started,
)

ORGANIZER_COMMANDS = ["/new_event", "/manage", "/checkin ABCDEF", "/stats", "/organizers"]


async def snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything an organizer action could change."""
    tables = ("events", "registrations", "people", "deliveries")
    return {
        table: [tuple(row) for row in await services.db.fetch_all(f"SELECT * FROM {table}")]
        for table in tables
    }


def every_button(event: Event, registration_id: int, person_id: int) -> list[str]:
    """Callback data of every organizer and admin button, aimed at someone else's objects."""
    data = [ManageAction(action=kind, event_id=event.id).pack() for kind in ManageActionKind]
    data += [EditEventField(field=field, event_id=event.id).pack() for field in editor.EDITABLE]
    data += [EditEventField(field="title", event_id=0).pack()]
    data += [DraftAction(action=kind).pack() for kind in DraftActionKind]
    data += [
        CancelEventAnswer(confirm=True, event_id=event.id).pack(),
        CheckInAction(registration_id=registration_id).pack(),
        CheckInAction(registration_id=registration_id, show=True).pack(),
        StatsAction(event_id=event.id).pack(),
        StatsAction(report=True).pack(),
    ]
    data += [RoleAction(action=kind, person_id=person_id).pack() for kind in RoleActionKind]
    return data


def files_sent(client: ChatClient) -> int:
    return sum(
        1
        for call in client.session.calls()
        if isinstance(call, SendDocument | SendPhoto) and call.chat_id == client.user.id
    )


@pytest.fixture
async def setting(
    services: Services, make_client: Callable[..., ChatClient]
) -> tuple[ChatClient, Event, int]:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, capacity=1)
    registration = await register_person(services, event, 5001)
    await register_person(services, event, 5002, full_name="Петров Пётр Петрович")  # waitlist
    return organizer, event, registration.id


async def test_member_commands_are_refused(
    setting: tuple[ChatClient, Event, int],
    services: Services,
    make_client: Callable[..., ChatClient],
) -> None:
    member = await started(make_client, 2001)
    before = await snapshot(services)
    for command in ORGANIZER_COMMANDS:
        replies = await member.send(command)
        assert len(replies) == 1, command
        assert "организатор" in replies[0].body or "администратор" in replies[0].body, command
        assert not replies[0].buttons()
    assert await snapshot(services) == before


async def test_every_forged_organizer_button_of_a_member_is_refused(
    setting: tuple[ChatClient, Event, int],
    services: Services,
    make_client: Callable[..., ChatClient],
) -> None:
    _organizer, event, registration_id = setting
    member = await started(make_client, 2001)
    before = await snapshot(services)
    sent_before = len(member.messages)
    for data in every_button(event, registration_id, 5001):
        assert len(data.encode()) <= 64
        replies = await member.press(data)
        answer = member.last_answer
        assert answer.show_alert, data
        assert "Это могут делать только" in (answer.text or ""), data
        # The refusal is a message too: a screen reader never reads a toast.
        assert [r.body for r in replies] == [answer.text], data
    # Nothing but the refusals: one message for each forged press.
    assert len(member.messages) == sent_before + len(every_button(event, registration_id, 5001))
    assert files_sent(member) == 0
    assert await snapshot(services) == before


async def test_another_organizers_event_is_out_of_reach(
    setting: tuple[ChatClient, Event, int],
    services: Services,
    make_client: Callable[..., ChatClient],
) -> None:
    _organizer, event, registration_id = setting
    other = await make_organizer(services, make_client, OTHER_ORGANIZER_ID)
    before = await snapshot(services)
    for data in every_button(event, registration_id, 5001):
        if data.startswith(("od1", "oe1:title:0")):
            continue  # the other organizer's own (empty) dialog: covered below
        replies = await other.press(data)
        answer = other.last_answer
        if data.startswith(("om1:list", "os1:0:1")):
            continue  # their own list and report: they simply do not contain the event
        assert answer.show_alert, data
        if data.startswith("ro1"):
            assert "только администраторы" in (answer.text or ""), data
            continue
        assert any(
            phrase in (answer.text or "")
            for phrase in ("Среди ваших мероприятий такого нет", "Билет не найден", "неактуален")
        ), (data, answer.text)
        assert all("Иванова" not in reply.body for reply in replies), data
    # Their own dialog buttons without a dialog: nothing to act on.
    for kind in DraftActionKind:
        await other.press(DraftAction(action=kind).pack())
        assert "неактуален" in (other.last_answer.text or "")
    assert files_sent(other) == 0
    assert await snapshot(services) == before
    # Their /manage and /stats do not list it; a typed code or a scanned ticket shows nobody.
    [listing] = await other.send("/manage")
    assert event.title not in listing.body
    [stats] = await other.send("/stats")
    assert event.title not in stats.body
    token = await services.db.fetch_one(
        "SELECT * FROM registrations WHERE id = ?", (registration_id,)
    )
    assert token is not None
    [scan] = await other.send(f"/start ci_{token['ticket_token']}")
    assert "Иванова" not in scan.body
    assert "не найден" in scan.body
    [typed] = await other.send(f"/checkin {token['short_code']}")
    assert "нет среди ваших" in typed.body
    assert await snapshot(services) == before


async def test_an_organizer_is_not_an_admin(
    setting: tuple[ChatClient, Event, int], services: Services
) -> None:
    organizer, _event, _registration_id = setting
    before = await snapshot(services)
    [reply] = await organizer.send("/organizers")
    assert "только для администраторов" in reply.body
    await organizer.press(RoleAction(action=RoleActionKind.grant, person_id=5001).pack())
    assert "только администраторы" in (organizer.last_answer.text or "")
    assert await snapshot(services) == before


async def test_a_revoked_organizer_loses_access_at_once(
    setting: tuple[ChatClient, Event, int], services: Services
) -> None:
    organizer, event, _registration_id = setting
    [screen] = await organizer.send("/manage")
    assert event.title in screen.body
    await services.roles.set_organizer(ORGANIZER_ID, False)
    before = await snapshot(services)
    [reply] = await organizer.send("/manage")
    assert "для организаторов" in reply.body
    await organizer.pick(event.title, screen)
    assert "только организаторы" in (organizer.last_answer.text or "")
    assert await snapshot(services) == before
