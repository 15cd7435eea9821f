"""Each service built alone with its named dependencies and a real database: no Dispatcher."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import ManualClock
from bot.delivery.content import TextContent
from bot.i18n import create_i18n
from bot.identity import BotIdentity
from bot.services.announcements import AnnouncementService, Queued
from bot.services.audience import AudienceService
from bot.services.checkin import CheckinService, TicketOutcome
from bot.services.delivery import DeliveryService
from bot.services.followups import FollowupService
from bot.services.notices import EventNotice
from bot.services.organizer import Applied, OrganizerService
from bot.services.privacy import PrivacyService
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from bot.services.roles import Access, RoleChange, RoleService
from bot.views import Screen
from bot.views.notices import ViewNotices
from db import Database, people
from db import events as events_repo
from db import reminders as reminders_repo
from db.announcements import Announcement, Audience, AudienceKind
from db.events import Event, EventKind, EventStatus, NewEvent
from db.people import Profile
from db.registrations import Cancelled, Registered, Registration, RegistrationStatus

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ADMIN = 1
ORGANIZER = 10
ANNA, BORIS = 2001, 2002


class RecordingNotices(ViewNotices):
    """The views' notices, remembering who was told what about which event, in which language."""

    def __init__(self) -> None:
        super().__init__(create_i18n("ru"))
        self.told: list[tuple[str, str, int]] = []  # (kind, language, event id)
        self.markups: list[dict[str, Any]] = []

    def _say(self, kind: str, language: str, event: Event) -> TextContent:
        self.told.append((kind, language, event.id))
        return TextContent(f"{kind} {language} {event.id}")

    def promotion(
        self, language: str, event: Event, registration: Registration, now: float
    ) -> TextContent:
        return self._say("promotion", language, event)

    def event_changed(self, language: str, event: Event, notice: EventNotice) -> TextContent:
        return self._say("changed:" + notice(event).text, language, event)

    def reminder(
        self, language: str, event: Event, planned_id: int, now: float, *, soon: bool
    ) -> TextContent:
        return self._say("soon" if soon else "ahead", language, event)

    def welcome(self, language: str, event: Event) -> TextContent:
        return self._say("welcome", language, event)

    def recipient_markup(
        self, language: str, *, unsubscribe: bool, register_url: str | None
    ) -> InlineKeyboardMarkup | None:
        self.markups.append(
            {"language": language, "unsubscribe": unsubscribe, "register_url": register_url}
        )
        return None


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "alone.sqlite3")
    await database.connect()
    yield database
    await database.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def notices() -> RecordingNotices:
    return RecordingNotices()


@pytest.fixture
def delivery(db: Database, clock: ManualClock) -> DeliveryService:
    return DeliveryService(db, clock, send_rate=0)  # never started: rows stay in the outbox


@pytest.fixture
def registrations(
    db: Database, clock: ManualClock, delivery: DeliveryService, notices: RecordingNotices
) -> RegistrationService:
    return RegistrationService(db, clock, delivery, notices)


@pytest.fixture
def reminders(
    db: Database,
    clock: ManualClock,
    delivery: DeliveryService,
    notices: RecordingNotices,
    registrations: RegistrationService,
) -> ReminderService:
    # A scheduler that never starts: plans are rows in the database, jobs are not needed.
    return ReminderService(
        db,
        clock,
        AsyncIOScheduler(timezone=UTC),
        delivery,
        notices,
        registrations,
        default_offsets=(24, 2),
        followup_after_hours=2.0,
    )


@pytest.fixture
def organizer(
    db: Database,
    clock: ManualClock,
    delivery: DeliveryService,
    notices: RecordingNotices,
    registrations: RegistrationService,
    reminders: ReminderService,
) -> OrganizerService:
    return OrganizerService(db, clock, delivery, notices, registrations, reminders)


async def an_event(db: Database, **overrides: Any) -> Event:
    start = NOW + timedelta(days=10)
    fields: dict[str, Any] = {
        "title": "Круглый стол",
        "kind": EventKind.round_table,
        "city": "Тюмень",
        "timezone": "Asia/Yekaterinburg",
        "starts_at": start.timestamp(),
        "ends_at": (start + timedelta(hours=3)).timestamp(),
        "capacity": 1,
        "owner_id": ORGANIZER,
    }
    status = overrides.pop("status", EventStatus.published)
    fields.update(overrides)
    await people.set_language(db, ORGANIZER, "ru", NOW.timestamp())  # the owner exists first
    return await events_repo.create(db, NewEvent(**fields), NOW.timestamp(), status=status)


async def seated(
    registrations: RegistrationService, person_id: int, event: Event, language: str = "ru"
) -> Registered:
    await registrations.give_consent(person_id)
    await people.set_language(registrations.db, person_id, language, NOW.timestamp())
    profile = Profile(f"Участник {person_id}", None, None, None, f"p{person_id}@example.org")
    outcome = await registrations.register(person_id, event.id, profile, {})
    assert isinstance(outcome, Registered)
    return outcome


async def outbox_texts(db: Database, source_prefix: str) -> dict[int, str]:
    rows = await db.fetch_all(
        "SELECT d.recipient_id, m.payload FROM deliveries d"
        " JOIN outbox_messages m ON m.id = d.message_id WHERE d.source LIKE ?",
        (source_prefix + "%",),
    )
    return {row["recipient_id"]: json.loads(row["payload"]).get("text", "") for row in rows}


async def queued(db: Database, recipient: int, prefix: str = "welcome:") -> list[str]:
    rows = await db.fetch_all(
        "SELECT source FROM deliveries WHERE recipient_id = ? AND source LIKE ? ORDER BY id",
        (recipient, prefix + "%"),
    )
    return [row["source"] for row in rows]


ORGANIZER_ACCESS = Access(user_id=ORGANIZER, is_admin=False, is_organizer=True)


async def test_registration_service_promotes_and_tells_in_the_persons_language(
    db: Database, registrations: RegistrationService, notices: RecordingNotices
) -> None:
    event = await an_event(db)
    anna = await seated(registrations, ANNA, event)
    boris = await seated(registrations, BORIS, event, language="en")
    assert boris.position == 1

    outcome = await registrations.cancel(ANNA, anna.registration.id)

    assert isinstance(outcome, Cancelled)
    assert [r.person_id for r in outcome.promoted] == [BORIS]
    assert notices.told[0] == ("promotion", "en", event.id)
    assert await outbox_texts(db, "promotion:") == {BORIS: f"promotion en {event.id}"}
    # Anna's seat came with a ticket and a calendar file, and leaves with a cancelling one.
    assert await queued(db, ANNA, "") == [
        f"confirm:{anna.registration.id}:ticket",
        f"confirm:{anna.registration.id}:calendar",
        f"cancel:{anna.registration.id}",
    ]
    # Boris was waitlisted: no files then; the promotion brings them after its notice.
    assert await queued(db, BORIS, "") == [
        f"promotion:{boris.registration.id}",
        f"confirm:{boris.registration.id}:ticket",
        f"confirm:{boris.registration.id}:calendar",
    ]


async def test_organizer_service_calls_reminders_and_notices_by_name(
    db: Database,
    organizer: OrganizerService,
    notices: RecordingNotices,
    registrations: RegistrationService,
) -> None:
    draft = await an_event(db, status=EventStatus.draft)

    published = await organizer.publish(ORGANIZER_ACCESS, draft.id)

    assert isinstance(published, Event)
    assert published.status == EventStatus.published
    planned = await reminders_repo.for_event(db, draft.id)
    assert sorted(p.kind for p in planned if not p.is_followup) == ["24h", "2h"]

    await seated(registrations, ANNA, published)
    cancelled = await organizer.cancel(
        ORGANIZER_ACCESS, published.id, "буря", lambda event: Screen(f"cancelled {event.id}")
    )

    assert isinstance(cancelled, Applied)
    assert cancelled.notified == 1
    assert notices.told == [(f"changed:cancelled {draft.id}", "ru", draft.id)]
    assert {p.state for p in await reminders_repo.for_event(db, draft.id)} == {
        reminders_repo.PlanState.dropped
    }


async def test_organizer_service_refuses_someone_elses_event(
    db: Database, organizer: OrganizerService
) -> None:
    event = await an_event(db, status=EventStatus.draft)
    stranger = Access(user_id=ORGANIZER + 1, is_admin=False, is_organizer=True)

    assert await organizer.managed(stranger, event.id) is None
    assert await organizer.managed(ORGANIZER_ACCESS, event.id) is not None


async def test_reminder_service_queues_words_from_notices(
    db: Database,
    clock: ManualClock,
    notices: RecordingNotices,
    registrations: RegistrationService,
    reminders: ReminderService,
) -> None:
    event = await an_event(db)
    await seated(registrations, ANNA, event, language="en")
    await reminders.plan_event(event.id)

    clock.set(event.starts_at - 24 * 3600)
    await reminders.sweep()

    assert ("ahead", "en", event.id) in notices.told
    texts = await outbox_texts(db, "reminder:")
    assert texts[ANNA] == f"ahead en {event.id}"


async def test_role_service_reads_admins_from_its_own_argument(
    db: Database, clock: ManualClock
) -> None:
    roles = RoleService(db, clock, admin_ids=frozenset({ADMIN}))
    await people.set_language(db, ORGANIZER, "ru", NOW.timestamp())  # started the bot

    assert (await roles.access(ADMIN)).is_admin
    assert not (await roles.access(ORGANIZER)).is_organizer
    assert await roles.set_organizer(ORGANIZER, True) == RoleChange.granted
    assert await roles.access(ORGANIZER) == ORGANIZER_ACCESS
    assert await roles.set_organizer(ADMIN, False) == RoleChange.admin


async def test_checkin_and_followup_services_alone(
    db: Database,
    clock: ManualClock,
    delivery: DeliveryService,
    notices: RecordingNotices,
    registrations: RegistrationService,
) -> None:
    event = await an_event(db)
    anna = await seated(registrations, ANNA, event)
    checkin = CheckinService(db, clock, delivery, notices)
    followups = FollowupService(db, clock)
    assert await followups.participant(ANNA, event.id) is None

    ticket = await checkin.check_in(anna.registration.id, ORGANIZER_ACCESS)
    again = await checkin.check_in(anna.registration.id, ORGANIZER_ACCESS)

    assert ticket.outcome == TicketOutcome.checked_in
    assert again.outcome == TicketOutcome.already
    # The guest's receipt is queued with the check-in, once however often it is scanned.
    assert notices.told[-1] == ("welcome", "ru", event.id)
    assert await queued(db, ANNA) == [f"welcome:{anna.registration.id}"]
    participant = await followups.participant(ANNA, event.id)
    assert participant is not None
    await followups.rate(participant, 5)
    assert (await followups.summary(event.id)).count == 1


async def test_privacy_service_forgets_and_promotes_through_registrations(
    db: Database,
    clock: ManualClock,
    delivery: DeliveryService,
    notices: RecordingNotices,
    registrations: RegistrationService,
) -> None:
    privacy = PrivacyService(db, clock, delivery, registrations)
    event = await an_event(db)
    await seated(registrations, ANNA, event)
    await seated(registrations, BORIS, event)

    forgotten = await privacy.forget(ANNA)

    assert (forgotten.cancelled, forgotten.promoted) == (1, 1)
    assert notices.told == [("promotion", "ru", event.id)]
    mine = await privacy.collect(ANNA)
    assert mine.registrations == []


async def test_announcement_service_links_with_the_bots_identity(
    db: Database, clock: ManualClock, delivery: DeliveryService, notices: RecordingNotices
) -> None:
    registrations = RegistrationService(db, clock, delivery, notices)  # for the opt-in only
    identity = BotIdentity()
    announcements = AnnouncementService(
        db,
        clock,
        AsyncIOScheduler(timezone=UTC),
        delivery,
        AudienceService(db, clock, "Europe/Moscow"),
        notices,
        identity,
        default_locale="ru",
        default_timezone="Europe/Moscow",
    )
    event = await an_event(db)
    await registrations.set_announcements(ANNA, True, None)
    identity.username = "ngo_events_alone_bot"
    author = Access(user_id=ORGANIZER, is_admin=False, is_organizer=True)

    draft = await announcements.create_draft(author, ORGANIZER, 77, link_event_id=event.id)
    assert isinstance(draft, Announcement)
    chosen = await announcements.choose_audience(
        author, draft.id, Audience(AudienceKind.subscribers)
    )
    assert not isinstance(chosen, str)
    assert chosen[1] == 1
    queued = await announcements.send_now(author, draft.id)

    assert isinstance(queued, Queued)
    assert queued.total == 1
    url = f"https://t.me/ngo_events_alone_bot?start=ev_{event.id}"
    assert {m["register_url"] for m in notices.markups} == {url}
    assert all(m["unsubscribe"] for m in notices.markups)


def test_view_notices_render_in_the_recipients_language() -> None:
    notices = ViewNotices(create_i18n("ru"))
    start = NOW + timedelta(days=10)
    event = Event(  # type: ignore[call-arg]
        **{
            **dict.fromkeys(Event.__dataclass_fields__),
            "id": 7,
            "title": "Round table",
            "kind": EventKind.round_table,
            "city": "Тюмень",
            "timezone": "Asia/Yekaterinburg",
            "starts_at": start.timestamp(),
            "ends_at": (start + timedelta(hours=3)).timestamp(),
            "status": EventStatus.published,
            "questions": (),
        }
    )
    registration = Registration(  # type: ignore[call-arg]
        **{
            **dict.fromkeys(Registration.__dataclass_fields__),
            "id": 3,
            "event_id": 7,
            "person_id": ANNA,
            "status": RegistrationStatus.confirmed,
            "short_code": "K7Q2",
        }
    )

    english = notices.promotion("en", event, registration, NOW.timestamp())
    russian = notices.promotion("ru", event, registration, NOW.timestamp())

    assert "it is yours" in english.text
    assert "it is yours" not in russian.text
    assert "K7Q2" in russian.text
