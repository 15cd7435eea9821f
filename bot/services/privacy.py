"""Personal data on request (152-FZ): show everything stored about a person, or erase it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.services.delivery import DeliveryService
from bot.services.registration import ANNOUNCEMENTS_VERSION, CONSENT_VERSION, RegistrationService
from db import Database, consents, dialogs, inbox, outbox, people, plain_mode
from db import registrations as registrations_repo
from db.consents import Consent, ConsentKind
from db.people import Person
from db.registrations import Cancelled, PersonRegistration

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MyData:
    person: Person | None
    consents: list[Consent]
    registrations: list[PersonRegistration]
    colleagues: list[PersonRegistration]  # the colleagues this person registered


@dataclass(frozen=True, slots=True)
class Forgotten:
    cancelled: int  # future registrations given up
    promoted: int  # people on waitlists who got those seats


@dataclass(eq=False)
class PrivacyService:
    db: Database
    clock: Clock
    delivery: DeliveryService
    registrations: RegistrationService

    async def collect(self, person_id: int) -> MyData:
        db = self.db
        return MyData(
            person=await people.get(db, person_id),
            consents=await consents.for_person(db, person_id),
            registrations=await registrations_repo.all_for_person(db, person_id),
            colleagues=await registrations_repo.colleagues_entered(db, person_id),
        )

    async def forget(self, person_id: int) -> Forgotten:
        """Erase the person's data in one transaction; waitlists move up as seats free.

        What stays, and why:
        - the bare `people` row (Telegram id, language, role): the person is still talking to
          the bot, and a chat cannot be answered without its id; every personal field is wiped;
        - registrations, detached from the person and stripped of answers: organizers keep
          anonymous counts of who came, nothing says who;
        - the consent log, detached the same way, with a withdrawal row added. 152-FZ
          (art. 9, 21) makes us stop processing and destroy the data once consent is withdrawn;
          a Telegram id is itself an identifier, so the log cannot keep it. Anonymous rows
          still show how many consents to which text version were given and withdrawn;
        - delivery rows of messages sent to many (an announcement), with an anonymous
          recipient: the sending report's counts stay. Every copy still queued for the person,
          whatever its audience, is withdrawn; messages meant for them alone are deleted.
        Recorded updates of the person and their dialog state go in the same transaction.
        Then the -wal is truncated: with `secure_delete` on, no erased value stays readable
        in the database file or beside it.
        """
        db = self.db
        now = self.clock.timestamp()
        registrations = self.registrations
        cancelled = promoted = 0
        async with db.write() as tx:
            person = await people.get(tx, person_id)
            for registration_id in await registrations_repo.future_ids(tx, person_id, now):
                outcome = await registrations_repo.cancel(tx, registration_id, person_id, now)
                if isinstance(outcome, Cancelled):
                    cancelled += 1
                    promoted += len(outcome.promoted)
                    await registrations.notify_promoted_in(tx, outcome.promoted)
            # Colleagues the person entered go too: their tickets came to this person only.
            for registration_id in await registrations_repo.future_colleague_ids(
                tx, person_id, now
            ):
                outcome = await registrations_repo.cancel(tx, registration_id, person_id, now)
                if isinstance(outcome, Cancelled):
                    cancelled += 1
                    promoted += len(outcome.promoted)
                    await registrations.notify_promoted_in(tx, outcome.promoted)
            await registrations_repo.erase_colleagues(tx, person_id)
            await registrations_repo.detach_person(tx, person_id)
            if await consents.latest(tx, person_id, ConsentKind.personal_data) is not None:
                await consents.record(
                    tx, person_id, ConsentKind.personal_data, CONSENT_VERSION, False, now
                )
            if person is not None and person.subscribed:
                await consents.record(
                    tx, person_id, ConsentKind.announcements, ANNOUNCEMENTS_VERSION, False, now
                )
            await consents.detach_person(tx, person_id)
            await outbox.erase_recipient(tx, person_id, now)
            await inbox.erase_person(tx, person_id)
            # Unfinished dialogs may hold a typed name or phone.
            await dialogs.forget_user(tx, person_id)
            await people.erase(tx, person_id, now)
            await plain_mode.forget_keyboard(tx, person_id)
        if not await db.checkpoint():
            log.warning("erasure committed, but a reader kept the -wal from being truncated")
        if promoted:
            self.delivery.wake()
        return Forgotten(cancelled=cancelled, promoted=promoted)
