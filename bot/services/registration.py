"""Registration: consent, the announcements opt-in, taking a seat, cancelling with promotion."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery.content import Priority
from bot.services.delivery import DeliveryService
from bot.services.notices import Notices
from db import Database, Transaction, announcements, consents, people
from db import events as events_repo
from db import registrations as registrations_repo
from db.consents import ConsentKind
from db.people import Profile
from db.registrations import (
    Cancelled,
    PersonRegistration,
    Refusal,
    Registered,
    Registration,
    RegistrationStatus,
)

# The version of the consent text shown by `bot.views.registration.consent`. Change the text
# only together with this version: the log must say which words a person agreed to.
CONSENT_VERSION = "2026-11-v1"
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
        async with self.db.write() as tx:
            await people.add(tx, person_id, now)
            await consents.record(
                tx, person_id, ConsentKind.personal_data, CONSENT_VERSION, True, now
            )

    async def asked_about_announcements(self, person_id: int) -> bool:
        latest = await consents.latest(self.db, person_id, ConsentKind.announcements)
        return latest is not None

    async def set_announcements(self, person_id: int, subscribed: bool, city: str | None) -> None:
        """Opt in or out of announcements (all cities when `city` is None); logged like consent."""
        now = self.clock.timestamp()
        async with self.db.write() as tx:
            await people.add(tx, person_id, now)
            await people.set_subscription(tx, person_id, subscribed, city, now)
            await consents.record(
                tx, person_id, ConsentKind.announcements, ANNOUNCEMENTS_VERSION, subscribed, now
            )
            if not subscribed:
                # Copies of a broadcast already under way must not reach them either.
                await announcements.withdraw_for_person(tx, person_id, "unsubscribed", now)

    async def register(
        self, person_id: int, event_id: int, profile: Profile, answers: dict[str, str]
    ) -> Registered | Refusal | None:
        """Save the profile and take a seat in one transaction.

        None when the person has no valid consent (withdrawn meanwhile, or a forged press):
        then nothing at all is stored.
        """
        if not await self.has_consent(person_id):
            return None
        now = self.clock.timestamp()
        async with self.db.write() as tx:
            outcome = await registrations_repo.register(tx, event_id, person_id, answers, now)
            # The profile is saved only with a registration that really happened.
            if isinstance(outcome, Registered) and outcome.created:
                await people.save_profile(tx, person_id, profile, now)
        return outcome

    async def cancel(self, person_id: int, registration_id: int) -> Cancelled | Refusal:
        """Cancel; the first people on the waitlist get the seat and are told, atomically."""
        async with self.db.write() as tx:
            outcome = await registrations_repo.cancel(
                tx, registration_id, person_id, self.clock.timestamp()
            )
            if isinstance(outcome, Cancelled):
                await self.notify_promoted_in(tx, outcome.promoted)
        if isinstance(outcome, Cancelled) and outcome.promoted:
            self.delivery.wake()
        return outcome

    async def notify_promoted_in(self, tx: Transaction, promoted: list[Registration]) -> None:
        """Queue "you have a seat" for each promoted person, in their language, in `tx`.

        Queued in the same transaction as the promotion: either both happen or neither.
        """
        for registration in promoted:
            if registration.person_id is None:
                continue
            event = await events_repo.get(tx, registration.event_id)
            language = (
                await people.language_of(tx, registration.person_id)
                or self.notices.default_language
            )
            assert event is not None
            await self.delivery.enqueue_in(
                tx,
                f"promotion:{registration.id}",
                [registration.person_id],
                self.notices.promotion(language, event, registration, self.clock.timestamp()),
                priority=Priority.PERSONAL,
            )

    async def upcoming(self, person_id: int) -> list[PersonRegistration]:
        return await registrations_repo.upcoming_for_person(
            self.db, person_id, self.clock.timestamp()
        )

    async def own(self, person_id: int, registration_id: int) -> PersonRegistration | None:
        """The person's own registration with its event; None for someone else's or unknown."""
        registration = await registrations_repo.get(self.db, registration_id)
        if registration is None or registration.person_id != person_id:
            return None
        event = await events_repo.get(self.db, registration.event_id)
        if event is None:
            return None
        position = await registrations_repo.position(self.db, registration)
        return PersonRegistration(registration, event, position)

    async def holder_name(self, registration: Registration) -> str:
        """The name a ticket is made out to: the person's profile name ("" when unknown)."""
        if registration.person_id is None:
            return ""
        person = await people.get(self.db, registration.person_id)
        return (person.full_name or "") if person is not None else ""

    @staticmethod
    def is_confirmed(registration: Registration) -> bool:
        return registration.status == RegistrationStatus.confirmed
