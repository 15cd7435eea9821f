"""Registration: consent, the announcements opt-in, taking a seat, cancelling with promotion."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.clock import Clock
from bot.delivery.content import DocumentContent, Priority
from bot.services.delivery import DeliveryService
from bot.services.notices import Notices
from bot.services.registration_dialog import Standing
from db import Database, Queries, Transaction, announcements, consents, people
from db import events as events_repo
from db import registrations as registrations_repo
from db import reminders as reminders_repo
from db.consents import ConsentKind
from db.events import Event, EventStatus
from db.people import Profile
from db.registrations import (
    Cancelled,
    PersonRegistration,
    Registered,
    Registration,
    RegistrationRefusal,
    RegistrationStatus,
    Seats,
)

# The version of the consent text shown by `bot.views.registration.consent`. Change the text
# only together with this version: the log must say which words a person agreed to.
CONSENT_VERSION = "2026-11-v2"  # v2: the operator's contact is named
ANNOUNCEMENTS_VERSION = "2026-11-v1"


@dataclass(frozen=True, slots=True)
class SeatFiles:
    """A confirmed seat's ticket and calendar file, drawn for one registration."""

    registration: Registration
    ticket: DocumentContent
    calendar: DocumentContent
    event: Event

    def fits(self, registration: Registration) -> bool:
        """Drawn for this ticket (the token and code it was given), so it can be queued."""
        return (self.registration.ticket_token, self.registration.short_code) == (
            registration.ticket_token,
            registration.short_code,
        )

    def drawn_for(self, event: Event) -> bool:
        """Drawn from these very details of the event (when it was saved aside)."""
        return replace(self.event, updated_at=event.updated_at) == event


class _DrawInside(Exception):
    """The seat taken on the writer's thread needs a ticket drawn there: redo it on the loop."""


@dataclass(frozen=True, slots=True)
class _BeforeSeat:
    """What Confirm reads before it takes a seat, in one hop: the event (None when gone),
    whether the person holds a place already, the seats, the person's language."""

    event: Event | None
    registered: bool
    seats: Seats | None
    language: str


@dataclass(eq=False)
class RegistrationService:
    """Everything a member does about seats; handlers only parse and render."""

    db: Database
    clock: Clock
    delivery: DeliveryService
    notices: Notices

    async def has_consent(self, person_id: int) -> bool:
        """Consent to the current text version, not withdrawn since."""
        latest = await consents.latest(self.db, person_id, ConsentKind.personal_data)
        return latest is not None and latest.granted and latest.version == CONSENT_VERSION

    async def give_consent(self, person_id: int) -> None:
        now = self.clock.timestamp()

        async def record(tx: Transaction) -> None:
            await people.add(tx, person_id, now)
            await consents.record(
                tx, person_id, ConsentKind.personal_data, CONSENT_VERSION, True, now
            )

        # One hop for the transaction: a dialog step of a rush, on the contended writer.
        await self.db.write_at_once(record)

    async def asked_about_announcements(self, person_id: int) -> bool:
        latest = await consents.latest(self.db, person_id, ConsentKind.announcements)
        return latest is not None

    async def standing(self, person_id: int) -> Standing:
        """What the person settled before — consent to the current text, the announcements
        question, the saved details — read fresh for each decision, in one hop."""

        async def read(tx: Transaction) -> Standing:
            latest = await consents.latest(tx, person_id, ConsentKind.personal_data)
            if latest is None or not latest.granted or latest.version != CONSENT_VERSION:
                return Standing(has_consent=False, asked_about_announcements=False, saved=None)
            if await consents.latest(tx, person_id, ConsentKind.announcements) is None:
                return Standing(has_consent=True, asked_about_announcements=False, saved=None)
            person = await people.get(tx, person_id)
            saved = people.profile_of(person) if person is not None else None
            return Standing(has_consent=True, asked_about_announcements=True, saved=saved)

        return await self.db.read_at_once(read)

    async def set_announcements(
        self, person_id: int, subscribed: bool, city: str | None, town: str | None = None
    ) -> None:
        """Opt in or out of announcements (all regions when `city` is None, all its towns when
        `town` is None); logged like consent."""
        now = self.clock.timestamp()

        async def record(tx: Transaction) -> None:
            await people.add(tx, person_id, now)
            await people.set_subscription(tx, person_id, subscribed, city, now, town)
            await consents.record(
                tx, person_id, ConsentKind.announcements, ANNOUNCEMENTS_VERSION, subscribed, now
            )
            if not subscribed:
                # Copies of a broadcast already under way must not reach them either.
                await announcements.withdraw_for_person(tx, person_id, "unsubscribed", now)

        # One hop for the transaction: a dialog step of a rush, on the contended writer.
        await self.db.write_at_once(record)

    async def register(
        self,
        person_id: int,
        event_id: int,
        profile: Profile,
        answers: dict[str, str],
        companions: int = 0,
    ) -> Registered | RegistrationRefusal | None:
        """Save the profile and take a seat in one transaction, with what follows from it.

        A confirmed seat's ticket and `.ics` are queued in the outbox in the same transaction,
        so a crash right after the commit still delivers them (the sender is woken at once).
        None when the person has no valid consent (withdrawn meanwhile, or a forged press):
        then nothing at all is stored.

        A rush of Confirms contends for the single writer, so the reads before the seat go to
        the reader in one hop, and the transaction runs whole on the writer's thread in one
        hop (`Database.write_at_once`) instead of one per statement.
        """
        now = self.clock.timestamp()
        ahead = await self.db.read_at_once(lambda tx: self._before_seat(tx, person_id, event_id))
        if ahead is None:
            return None
        drawn = await self._draw_ahead(ahead, person_id, answers, now, profile.full_name or "")

        async def take_seat(tx: Transaction, may_draw: bool) -> Registered | RegistrationRefusal:
            outcome = await registrations_repo.register(
                tx,
                event_id,
                person_id,
                answers,
                now,
                companions=companions,
                ticket_token=None if drawn is None else drawn.registration.ticket_token,
                short_code=None if drawn is None else drawn.registration.short_code,
            )
            # The profile is saved only with a registration that really happened.
            if isinstance(outcome, Registered) and outcome.created:
                await people.save_profile(tx, person_id, profile, now)
                if outcome.registration.status == RegistrationStatus.confirmed:
                    if not may_draw and (drawn is None or not drawn.fits(outcome.registration)):
                        raise _DrawInside
                    await self._queue_seat_files_in(tx, outcome.registration, drawn, now)
            return outcome

        try:
            outcome = await self.db.write_at_once(lambda tx: take_seat(tx, may_draw=False))
        except _DrawInside:
            # Rare (a seat freed up meanwhile, a code collision): the ticket drawn ahead does
            # not fit. Drawing needs the event loop's worker threads, so this one seat is
            # taken again in a transaction on the loop (the first attempt was rolled back).
            async with self.db.write() as tx:
                outcome = await take_seat(tx, may_draw=True)
        if isinstance(outcome, Registered) and outcome.created:
            self.delivery.wake()
        return outcome

    async def colleague_event(self, event_id: int) -> Event | RegistrationRefusal:
        """The event, when a colleague may be registered for it now; else why not."""
        event = await events_repo.get(self.db, event_id)
        refusal = registrations_repo.refusal_for(event, self.clock.timestamp())
        if refusal is not None:
            return refusal
        assert event is not None  # refusal_for refuses a missing event
        return event if event.colleagues_allowed else RegistrationRefusal.no_colleague

    async def register_colleague(
        self, member_id: int, event_id: int, name: str, phone: str
    ) -> Registered | RegistrationRefusal | None:
        """A seat for a colleague who is not on Telegram; the ticket goes to the member.

        `name` and `phone` come checked and normalized (`bot.services.validation`). None when
        the member has no valid consent: nothing is stored.
        """
        if not await self.has_consent(member_id):
            return None
        now = self.clock.timestamp()
        async with self.db.write() as tx:
            outcome = await registrations_repo.register_colleague(
                tx, event_id, member_id, name, phone, now
            )
            if (
                isinstance(outcome, Registered)
                and outcome.created
                and outcome.registration.status == RegistrationStatus.confirmed
            ):
                # Drawn in the transaction: rare enough not to need drawing ahead.
                await self._queue_seat_files_in(tx, outcome.registration, None, now)
        if isinstance(outcome, Registered) and outcome.created:
            self.delivery.wake()
        return outcome

    async def _before_seat(self, db: Queries, person_id: int, event_id: int) -> _BeforeSeat | None:
        """What Confirm reads before taking a seat; None without a valid consent."""
        latest = await consents.latest(db, person_id, ConsentKind.personal_data)
        if latest is None or not latest.granted or latest.version != CONSENT_VERSION:
            return None
        event = await events_repo.get(db, event_id)
        if event is None:
            return _BeforeSeat(None, False, None, self.notices.default_language)
        return _BeforeSeat(
            event,
            await registrations_repo.live(db, event_id, person_id) is not None,
            await registrations_repo.seats(db, event),
            await people.language_of(db, person_id) or self.notices.default_language,
        )

    async def _draw_ahead(
        self, ahead: _BeforeSeat, person_id: int, answers: dict[str, str], now: float, name: str
    ) -> SeatFiles | None:
        """Draw the ticket before taking the seat, when a seat looks likely.

        Drawing takes milliseconds of CPU (more for a richer ticket); done in a thread and
        outside the transaction, it never holds the single writer. The ticket's token and
        code are chosen here and handed to `register`; when the guess was wrong (no seat
        after all, the code taken meanwhile) nothing drawn is used.
        """
        event, seats = ahead.event, ahead.seats
        if event is None or registrations_repo.refusal_for(event, now) is not None:
            return None
        if ahead.registered:
            return None  # a repeated Confirm: nothing new to send
        if seats is None or seats.waitlisted > 0 or (seats.left is not None and seats.left <= 0):
            return None  # a waitlist place: no ticket yet
        planned = Registration(
            id=0,
            event_id=event.id,
            person_id=person_id,
            status=RegistrationStatus.confirmed,
            waitlist_seq=None,
            answers=answers,
            ticket_token=registrations_repo.new_ticket_token(),
            short_code=registrations_repo.new_short_code(),
            checked_in_at=None,
            created_at=now,
            updated_at=now,
            cancelled_at=None,
        )
        return await asyncio.to_thread(self._draw, ahead.language, event, planned, now, name)

    def _draw(
        self, language: str, event: Event, registration: Registration, now: float, name: str
    ) -> SeatFiles:
        return SeatFiles(
            registration,
            self.notices.ticket(language, event, registration, now, name),
            self.notices.calendar(language, event, registration, now),
            event,
        )

    async def _ticket_words(
        self, db: Queries, registration: Registration, recipient: int
    ) -> tuple[str, str]:
        """The language a ticket is drawn in (its recipient's) and the name it carries (the
        colleague's, or the holder's own)."""
        language = await people.language_of(db, recipient) or self.notices.default_language
        if registration.guest_name is not None:
            return language, registration.guest_name
        holder = await people.get(db, recipient)
        return language, (holder.full_name or "") if holder is not None else ""

    async def _queue_seat_files_in(
        self, tx: Transaction, registration: Registration, drawn: SeatFiles | None, now: float
    ) -> None:
        """Queue the ticket, then the `.ics`, for a confirmed seat, in `tx`.

        Keyed by the registration: a redone Confirm or promotion queues nothing twice. A
        colleague's ticket goes to the member who registered them, without the `.ics`: the
        member's own calendar is not the colleague's.
        """
        recipient = registration.holder_id
        if recipient is None:
            return
        if drawn is None or not drawn.fits(registration):
            # Rare (a seat freed up meanwhile, a code collision): drawn inside the transaction.
            event = await events_repo.get(tx, registration.event_id)
            assert event is not None
            language, name = await self._ticket_words(tx, registration, recipient)
            drawn = await asyncio.to_thread(self._draw, language, event, registration, now, name)
        parts = [("ticket", drawn.ticket)]
        if not registration.is_colleague:
            parts.append(("calendar", drawn.calendar))
        for part, content in parts:
            await self.delivery.enqueue_in(
                tx,
                f"confirm:{registration.id}:{part}",
                [recipient],
                content,
                priority=Priority.PERSONAL,
            )

    async def cancel(self, person_id: int, registration_id: int) -> Cancelled | RegistrationRefusal:
        """Cancel; the first people on the waitlist get the seat and are told, atomically."""
        async with self.db.write() as tx:
            before = await registrations_repo.get(tx, registration_id)
            outcome = await registrations_repo.cancel(
                tx, registration_id, person_id, self.clock.timestamp()
            )
            if isinstance(outcome, Cancelled) and before is not None:
                await self._queue_cancelled_in(tx, before)
                await self.notify_promoted_in(tx, outcome.promoted)
        if isinstance(outcome, Cancelled):
            self.delivery.wake()
        return outcome

    async def _queue_cancelled_in(self, tx: Transaction, registration: Registration) -> None:
        """A confirmed seat given up: the file that takes the event off the person's calendar,
        queued in `tx` (the waitlist got no calendar file, so it gets none)."""
        if registration.is_colleague:
            # Its reminders went to the member under sources of their own, which the trigger
            # on registrations (keyed on person_id) does not know; the seat put nothing on
            # anyone's calendar.
            await reminders_repo.withdraw_colleague(tx, registration.id, self.clock.timestamp())
            return
        if registration.person_id is None or registration.status != RegistrationStatus.confirmed:
            return
        event = await events_repo.get(tx, registration.event_id)
        assert event is not None
        language = (
            await people.language_of(tx, registration.person_id) or self.notices.default_language
        )
        await self.delivery.enqueue_in(
            tx,
            f"cancel:{registration.id}",
            [registration.person_id],
            self.notices.cancelled_calendar(language, event, self.clock.timestamp()),
            priority=Priority.PERSONAL,
        )

    async def draw_for_promotion(self, event: Event) -> dict[int, SeatFiles]:
        """Tickets and `.ics` for the people a change to `event` (already as it will be
        saved) is about to give a seat, drawn before the transaction that promotes them.

        Drawing takes ~20 ms of CPU a ticket: a hundred drawn inside the transaction held
        the single writer for ~3 s, and every dialog in the bot waited. Whoever the
        transaction promotes without a ticket drawn here still gets one, drawn there.
        """
        now = self.clock.timestamp()
        if event.status != EventStatus.published or now >= event.starts_at:
            return {}

        async def read(tx: Transaction) -> list[tuple[str, Registration, str]]:
            left = (await registrations_repo.seats(tx, event)).left
            if left is not None and left <= 0:
                return []
            planned = []
            for waiting in await registrations_repo.waitlist_head(tx, event.id, left):
                if waiting.holder_id is not None:
                    language, name = await self._ticket_words(tx, waiting, waiting.holder_id)
                    seat = replace(waiting, status=RegistrationStatus.confirmed)
                    planned.append((language, seat, name))
            return planned

        planned = await self.db.read_at_once(read)
        if not planned:
            return {}

        def draw_all() -> dict[int, SeatFiles]:
            return {
                seat.id: self._draw(language, event, seat, now, name)
                for language, seat, name in planned
            }

        return await asyncio.to_thread(draw_all)

    async def notify_promoted_in(
        self,
        tx: Transaction,
        promoted: list[Registration],
        drawn: Mapping[int, SeatFiles] | None = None,
    ) -> None:
        """Queue "you have a seat" for each promoted person, in their language, in `tx`.

        Queued in the same transaction as the promotion: either both happen or neither. The
        ticket and `.ics` follow the notice, as they follow a confirmation: taken from
        `drawn` (see `draw_for_promotion`) when drawn for this seat and this very event.
        """
        now = self.clock.timestamp()
        for registration in promoted:
            recipient = registration.holder_id  # a colleague's news goes to their member
            if recipient is None:
                continue
            event = await events_repo.get(tx, registration.event_id)
            language = await people.language_of(tx, recipient) or self.notices.default_language
            assert event is not None
            await self.delivery.enqueue_in(
                tx,
                f"promotion:{registration.id}",
                [recipient],
                self.notices.promotion(language, event, registration, now),
                priority=Priority.PERSONAL,
            )
            ahead = (drawn or {}).get(registration.id)
            if ahead is not None and not ahead.drawn_for(event):
                ahead = None  # the event changed since: its words would be out of date
            await self._queue_seat_files_in(tx, registration, ahead, now)

    async def upcoming(self, person_id: int) -> list[PersonRegistration]:
        return await registrations_repo.upcoming_for_person(
            self.db, person_id, self.clock.timestamp()
        )

    async def own(self, person_id: int, registration_id: int) -> PersonRegistration | None:
        """The person's own registration with its event; None for someone else's or unknown."""
        registration = await registrations_repo.get(self.db, registration_id)
        if registration is None or registration.holder_id != person_id:
            return None
        event = await events_repo.get(self.db, registration.event_id)
        if event is None:
            return None
        position = await registrations_repo.position(self.db, registration)
        return PersonRegistration(registration, event, position)

    async def holder_name(self, registration: Registration) -> str:
        """The name a ticket is made out to: the person's profile name, or the colleague's
        ("" when unknown)."""
        if registration.guest_name is not None:
            return registration.guest_name
        if registration.person_id is None:
            return ""
        person = await people.get(self.db, registration.person_id)
        return (person.full_name or "") if person is not None else ""

    @staticmethod
    def is_confirmed(registration: Registration) -> bool:
        return registration.status == RegistrationStatus.confirmed
