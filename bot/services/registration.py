"""Registration: consent, the announcements opt-in, taking a seat, cancelling with promotion."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery.content import Priority, SeatFileContent, SeatPart
from bot.services.delivery import DeliveryService
from bot.services.notices import Notices
from bot.services.registration_dialog import Standing
from db import Database, Queries, Transaction, announcements, consents, people
from db import events as events_repo
from db import registrations as registrations_repo
from db import reminders as reminders_repo
from db.consents import ConsentKind
from db.events import Event
from db.people import Profile
from db.registrations import (
    Cancelled,
    PersonRegistration,
    Registered,
    Registration,
    RegistrationRefusal,
    RegistrationStatus,
)

# The version of the consent text shown by `bot.views.registration.consent`. Change the text
# only together with this version: the log must say which words a person agreed to.
CONSENT_VERSION = "2026-11-v2"  # v2: the operator's contact is named
ANNOUNCEMENTS_VERSION = "2026-11-v1"


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

        A rush of Confirms contends for the single writer, so the transaction runs whole on
        the writer's thread in one hop (`Database.write_at_once`) instead of one per
        statement, and the files are drawn only when sent.
        """
        now = self.clock.timestamp()
        if not await self.has_consent(person_id):
            return None

        async def take_seat(tx: Transaction) -> Registered | RegistrationRefusal:
            outcome = await registrations_repo.register(
                tx, event_id, person_id, answers, now, companions=companions
            )
            # The profile is saved only with a registration that really happened.
            if isinstance(outcome, Registered) and outcome.created:
                await people.save_profile(tx, person_id, profile, now)
                if outcome.registration.status == RegistrationStatus.confirmed:
                    await self._queue_seat_files_in(tx, outcome.registration)
            return outcome

        outcome = await self.db.write_at_once(take_seat)
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
                await self._queue_seat_files_in(tx, outcome.registration)
        if isinstance(outcome, Registered) and outcome.created:
            self.delivery.wake()
        return outcome

    async def _language_in(self, db: Queries, person_id: int) -> str:
        return await people.language_of(db, person_id) or self.notices.default_language

    async def _queue_seat_files_in(self, tx: Transaction, registration: Registration) -> None:
        """Queue the ticket, then the `.ics`, for a confirmed seat, in `tx`.

        Queued as "the ticket (the `.ics`) of this registration" and drawn when sent
        (`SeatFiles`): no drawing holds the writer, and what arrives describes the event as it
        is then. Keyed by the registration: a redone Confirm or promotion queues nothing
        twice. A colleague's ticket goes to the member who registered them, without the
        `.ics`: the member's own calendar is not the colleague's.
        """
        recipient = registration.holder_id
        if recipient is None:
            return
        parts: list[SeatPart] = ["ticket"] if registration.is_colleague else ["ticket", "calendar"]
        for part in parts:
            await self.delivery.enqueue_in(
                tx,
                f"confirm:{registration.id}:{part}",
                [recipient],
                SeatFileContent(registration.id, part),
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
        language = await self._language_in(tx, registration.person_id)
        await self.delivery.enqueue_in(
            tx,
            f"cancel:{registration.id}",
            [registration.person_id],
            self.notices.cancelled_calendar(language, event, self.clock.timestamp()),
            priority=Priority.PERSONAL,
        )

    async def notify_promoted_in(self, tx: Transaction, promoted: list[Registration]) -> None:
        """Queue "you have a seat" for each promoted person, in their language, in `tx`.

        Queued in the same transaction as the promotion: either both happen or neither. The
        ticket and `.ics` follow the notice, as they follow a confirmation; the ticket is
        drawn when it is sent, so a hundred promotions hold the writer for milliseconds.
        """
        now = self.clock.timestamp()
        for registration in promoted:
            recipient = registration.holder_id  # a colleague's news goes to their member
            if recipient is None:
                continue
            event = await events_repo.get(tx, registration.event_id)
            language = await self._language_in(tx, recipient)
            assert event is not None
            await self.delivery.enqueue_in(
                tx,
                f"promotion:{registration.id}",
                [recipient],
                self.notices.promotion(language, event, registration, now),
                priority=Priority.PERSONAL,
            )
            await self._queue_seat_files_in(tx, registration)

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
