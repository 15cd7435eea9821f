"""App factories: build the Bot, Dispatcher, database, scheduler and services; run polling."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import LinkPreviewOptions
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, SystemClock
from bot.commands import set_chat_commands, set_default_commands
from bot.filters import run_filters_inline
from bot.flood import InteractiveRetryMiddleware
from bot.fsm_storage import DialogStepIsolation, SQLiteStorage
from bot.i18n import LocaleMiddleware, create_i18n
from bot.identity import BotIdentity
from bot.inbox import Inbox, run_polling
from bot.middlewares import CallbackAnswerMiddleware, PersonMiddleware, TextEncodingMiddleware
from bot.plain import TypedChoiceMiddleware, install
from bot.response_models import pin_response_models
from bot.services import Services, geography
from bot.services.announcements import AnnouncementService
from bot.services.audience import AudienceService
from bot.services.backups import BackupService
from bot.services.catalog import Catalog
from bot.services.checkin import CheckinService
from bot.services.delivery import DeliveryService
from bot.services.followups import FollowupService
from bot.services.organizer import OrganizerService
from bot.services.plain_mode import PlainModeService
from bot.services.privacy import PrivacyService
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from bot.services.retention import RetentionService
from bot.services.roles import RoleService
from bot.services.search import EventSearch
from bot.services.seat_files import SeatFiles
from bot.services.status import StatusService
from bot.settings import Settings
from bot.views.notices import ViewNotices
from db import Database
from handlers import build_deep_links, build_routers

log = logging.getLogger(__name__)


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    pin_response_models()
    if session is None:
        if settings.telegram_api_url:
            session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        else:
            session = AiohttpSession()
    # A reply refused with 429 while handling an update waits `retry_after` and goes out.
    session.middleware(InteractiveRetryMiddleware())
    return Bot(
        settings.token,
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )


async def create_services(
    settings: Settings, clock: Clock | None = None, i18n: I18n | None = None
) -> Services:
    """Open the database (applying migrations) and build the long-lived services.

    The wiring of the whole bot: each service gets, by name, only what it uses; the words a
    service queues for people come from `ViewNotices`, the views' side of `Notices`.
    """
    db = Database(settings.database_path)
    await db.connect()
    # Events saved before regions existed get theirs from their city's name.
    await geography.backfill(db)
    clock = clock or SystemClock()
    i18n = i18n or create_i18n(settings.default_locale)
    scheduler = AsyncIOScheduler(timezone=UTC)
    identity = BotIdentity()
    notices = ViewNotices(i18n, identity)
    # A seat's ticket and .ics wait in the outbox undrawn and are drawn when sent.
    seat_files = SeatFiles(db, clock, notices)
    delivery = DeliveryService(db, clock, settings.send_rate, seat_files=seat_files.draw)
    registrations = RegistrationService(db, clock, delivery, notices)
    reminders = ReminderService(
        db,
        clock,
        scheduler,
        delivery,
        notices,
        registrations,
        default_offsets=settings.reminder_offsets,
        followup_after_hours=settings.followup_after_hours,
    )
    audience = AudienceService(db, clock, settings.default_timezone)
    plain = PlainModeService(db, clock)
    await plain.load()
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        i18n=i18n,
        scheduler=scheduler,
        identity=identity,
        delivery=delivery,
        catalog=Catalog(db, clock),
        search=EventSearch(db, clock),
        registrations=registrations,
        privacy=PrivacyService(db, clock, delivery, registrations),
        roles=RoleService(db, clock, settings.admin_ids),
        organizer=OrganizerService(db, clock, delivery, notices, registrations, reminders),
        checkin=CheckinService(db, clock, delivery, notices),
        reminders=reminders,
        followups=FollowupService(db, clock),
        announcements=AnnouncementService(
            db,
            clock,
            scheduler,
            delivery,
            audience,
            notices,
            identity,
            default_locale=settings.default_locale,
            default_timezone=settings.default_timezone,
        ),
        backups=BackupService(settings, clock, scheduler),
        status=StatusService(settings, db, clock),
        retention=RetentionService(db, clock, scheduler, settings),
        plain_mode=plain,
    )


def create_dispatcher(services: Services, storage: BaseStorage | None = None) -> Dispatcher:
    pin_response_models()
    storage = storage or SQLiteStorage(services.db, services.clock)
    dp = Dispatcher(
        storage=storage,
        # One update at a time per person: a double tap sees the first tap's result; with
        # our storage their dialog state is also read once and written once per update.
        events_isolation=(
            DialogStepIsolation(storage)
            if isinstance(storage, SQLiteStorage)
            else SimpleEventIsolation()
        ),
        services=services,
        i18n=services.i18n,
        deep_links=build_deep_links(),
    )
    dp.update.outer_middleware(PersonMiddleware(services))
    dp.update.outer_middleware(LocaleMiddleware(services.i18n))
    # Last of the outer ones: a typed number becomes the press it stands for.
    dp.update.outer_middleware(
        TypedChoiceMiddleware(services.db, services.clock, services.plain_mode)
    )
    dp.callback_query.middleware(CallbackAnswerMiddleware())
    dp.message.outer_middleware(TextEncodingMiddleware())
    dp.include_routers(*build_routers())
    run_filters_inline(dp)
    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp


async def on_startup(bot: Bot, services: Services) -> None:
    install(bot, services.db, services.clock, services.plain_mode)
    me = await bot.get_me()
    services.bot_username = me.username or ""
    await set_default_commands(bot, services.i18n)
    for admin_id in services.settings.admin_ids:
        await set_chat_commands(bot, services.i18n, admin_id, is_organizer=True, is_admin=True)
    if not services.scheduler.running:
        services.scheduler.start()
    await services.delivery.start(bot)
    # After the scheduler and the sender: rebuild reminder jobs, send what came due while down.
    await services.reminders.start()
    # Rebuild announcement jobs, start (or skip) what came due while down, resume progress.
    await services.announcements.start(bot)
    services.backups.schedule()
    services.retention.schedule()
    log.info("bot @%s is up", services.bot_username)


async def on_shutdown(services: Services) -> None:
    await services.reminders.stop()
    await services.announcements.shutdown()
    if services.scheduler.running:
        services.scheduler.shutdown(wait=False)
    # Before the database closes: the sends in flight are recorded, nothing stays `sending`.
    await services.delivery.stop()
    await services.db.close()
    log.info("stopped cleanly")


@dataclass(slots=True)
class Application:
    bot: Bot
    dispatcher: Dispatcher
    services: Services
    inbox: Inbox

    async def run_polling(self) -> None:
        """Long polling until SIGINT or SIGTERM; every update is recorded before it is
        acknowledged. The shutdown hook closes everything; the HTTP session always closes."""
        await run_polling(
            self.bot, self.dispatcher, self.inbox, self.services.settings.polling_timeout
        )

    async def run(self) -> None:
        """Webhook mode when WEBHOOK_URL is set, long polling otherwise."""
        if self.services.settings.webhook_url:
            from bot.webhook import run_webhook

            await run_webhook(self.bot, self.dispatcher, self.inbox, self.services.settings)
        else:
            await self.run_polling()


def create_inbox(services: Services, dispatcher: Dispatcher, bot: Bot) -> Inbox:
    return Inbox(
        services.db,
        dispatcher,
        bot,
        services.clock,
        max_in_flight=services.settings.max_updates_in_flight,
    )


async def create_app(settings: Settings, clock: Clock | None = None) -> Application:
    services = await create_services(settings, clock)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(services)
    return Application(
        bot=bot,
        dispatcher=dispatcher,
        services=services,
        inbox=create_inbox(services, dispatcher, bot),
    )
