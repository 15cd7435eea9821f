"""A seat's ticket and .ics wait in the outbox undrawn and are drawn when sent, as it is then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram.methods import SendPhoto
from icalendar import Calendar

from bot.delivery.content import DocumentContent, SeatFileContent
from bot.delivery.sender import NO_SEAT_REASON
from bot.services import Services
from db import events as events_repo
from db.registrations import Cancelled, Registered, RegistrationStatus
from tests.kit.client import ChatClient
from tests.member_kit import PROFILE, TYUMEN, delivered, make_event, prepared_person


async def _confirmed(services: Services, person_id: int, event_id: int) -> Registered:
    await prepared_person(services, person_id)
    outcome = await services.registrations.register(person_id, event_id, PROFILE, {})
    assert isinstance(outcome, Registered)
    assert outcome.registration.status == RegistrationStatus.confirmed
    return outcome


async def _ticket_outcome(services: Services, seat: Registered) -> tuple[str, str | None]:
    """The state and reason the seat's ticket delivery ended with."""
    row = await services.db.fetch_one(
        "SELECT state, last_error FROM deliveries WHERE source = ?",
        (f"confirm:{seat.registration.id}:ticket",),
    )
    assert row is not None
    return row["state"], row["last_error"]


async def test_a_seat_queues_its_ticket_and_calendar_undrawn_inside_the_transaction(
    services: Services,
) -> None:
    event = await make_event(services, capacity=5)
    seat = await _confirmed(services, 7001, event.id)
    rows = await services.db.fetch_all(
        "SELECT d.source, m.kind, m.attachment FROM deliveries d"
        " JOIN outbox_messages m ON m.id = d.message_id WHERE d.recipient_id = 7001 ORDER BY d.id"
    )
    ticket, calendar = rows
    assert ticket["source"] == f"confirm:{seat.registration.id}:ticket"
    assert calendar["source"] == f"confirm:{seat.registration.id}:calendar"
    assert (ticket["kind"], ticket["attachment"]) == ("photo", None)  # nothing drawn yet
    assert (calendar["kind"], calendar["attachment"]) == ("document", None)


async def test_a_ticket_is_drawn_with_the_event_as_it_is_when_sent(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    # The event moves after the seat is taken but before the sender runs: the ticket and
    # the .ics that arrive show the new moment, never the one of the confirmation.
    event = await make_event(services, capacity=5, title="Круглый стол о грантах")
    member = make_client(7002)
    await _confirmed(services, 7002, event.id)
    new_start = datetime(2026, 12, 9, 11, 0, tzinfo=TYUMEN).timestamp()
    await events_repo.update(
        services.db,
        event.id,
        services.clock.timestamp(),
        starts_at=new_start,
        ends_at=new_start + 3 * 3600,
    )

    sent = await delivered(member, services)

    ticket, calendar = sent[-2:]
    assert (ticket.method, calendar.method) == ("SendPhoto", "SendDocument")
    assert "9 декабря, 11:00–14:00" in ticket.body
    assert "2 декабря" not in ticket.body
    assert "Иванова Анна Сергеевна" in ticket.body
    assert ticket.document  # the PNG went up with the caption
    assert calendar.document is not None
    [item] = Calendar.from_ical(calendar.document).walk("VEVENT")
    assert item.decoded("dtstart").timestamp() == new_start


async def test_a_ticket_of_a_seat_cancelled_before_sending_is_not_sent(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    # A second press elsewhere: the person cancels before the outbox reached them.
    event = await make_event(services, capacity=5)
    member = make_client(7003)
    seat = await _confirmed(services, 7003, event.id)
    cancelled = await services.registrations.cancel(7003, seat.registration.id)
    assert isinstance(cancelled, Cancelled)

    sent = await delivered(member, services)

    assert not [message for message in sent if message.method == "SendPhoto"]
    assert not member.bot.session.calls(SendPhoto)
    assert await _ticket_outcome(services, seat) == ("cancelled", NO_SEAT_REASON)
    # Nor the .ics that would add it to a calendar: only the file that removes it went out.
    [removal] = sent
    assert removal.method == "SendDocument"
    assert "отменена" in removal.body


async def test_a_ticket_that_cannot_be_drawn_fails_alone_and_is_not_retried_forever(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    # A crash in the middle of drawing (a missing font, say): that row fails with the reason,
    # and the .ics queued with it still goes out.
    event = await make_event(services, capacity=5)
    member = make_client(7004)
    seat = await _confirmed(services, 7004, event.id)
    draw = services.delivery.seat_files
    assert draw is not None

    async def broken(file: SeatFileContent) -> DocumentContent | None:
        if file.part == "ticket":
            raise OSError("cannot open resource")
        return await draw(file)

    services.delivery.seat_files = broken

    sent = await delivered(member, services)

    assert [message.method for message in sent] == ["SendDocument"]
    assert await _ticket_outcome(services, seat) == ("failed", "OSError: cannot open resource")
