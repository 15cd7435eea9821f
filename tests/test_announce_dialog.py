"""The /announce steps alone: services over a real database, no Bot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.clock import ManualClock
from bot.services import Services
from bot.services import announce_dialog as step
from bot.services.announce_dialog import AnnounceDialog, Open, Stage
from bot.services.problems import Problem
from bot.services.refusals import Refusal
from bot.services.roles import Access
from bot.states import AnnounceDraft
from tests.announcements_kit import add_people
from tests.conftest import ADMIN_ID

ADMIN = Access(user_id=ADMIN_ID, is_organizer=True, is_admin=True)


@pytest.fixture
def dialog(services: Services, clock: ManualClock) -> Iterator[AnnounceDialog]:
    # The announcement service still words audiences itself: it needs a language to do so.
    with services.i18n.context(), services.i18n.use_locale("ru"):
        yield AnnounceDialog(services.announcements, services.delivery, clock)


async def opened_draft(services: Services, dialog: AnnounceDialog, stage: Stage) -> Open:
    created = await services.announcements.create_draft(ADMIN, ADMIN_ID, 10)
    assert not isinstance(created, str)
    opened = await dialog.open(ADMIN, stage, AnnounceDraft(announcement_id=created.id), created.id)
    assert isinstance(opened, Open)
    return opened


def test_a_new_send_time_drops_a_not_after_that_is_no_longer_later() -> None:
    draft = AnnounceDraft(announcement_id=1, send_at=100.0, not_after=200.0)
    assert step.with_send_time(draft, 150.0).not_after == 200.0
    assert step.with_send_time(draft, 250.0).not_after is None
    assert step.send_time_passed(draft, 100.0)
    assert not step.send_time_passed(draft, 99.0)


async def test_a_button_of_another_dialog_is_refused(
    services: Services, dialog: AnnounceDialog
) -> None:
    opened = await opened_draft(services, dialog, Stage.choosing)
    other = await dialog.open(ADMIN, Stage.choosing, opened.draft, opened.id + 1)
    assert other == step.Refused(Refusal.over)
    after_cancel = await dialog.open(ADMIN, None, opened.draft, opened.id)
    assert after_cancel == step.Refused(Refusal.over)


async def test_everyone_then_a_typed_time_then_confirm(
    services: Services, dialog: AnnounceDialog, clock: ManualClock
) -> None:
    await add_people(services, [2001, 2002, 2003])
    opened = await opened_draft(services, dialog, Stage.choosing)

    chosen = await dialog.everyone(opened)
    assert isinstance(chosen.shown, step.Chosen)
    assert chosen.shown.count == 3
    assert chosen.stage is None

    asked = await dialog.schedule(opened)
    assert asked.stage == Stage.send_time
    assert isinstance(asked.shown, step.AskSendTime)
    assert asked.shown.timezone == services.settings.default_timezone

    unreadable = await dialog.typed(ADMIN, Stage.send_time, opened.draft, "завтра в обед")
    assert isinstance(unreadable.shown, step.Unreadable)
    assert unreadable.shown.error.problem == Problem.date_format
    assert unreadable.stage is None

    typed = await dialog.typed(ADMIN, Stage.send_time, opened.draft, "01.12 10:00")
    assert typed.stage == Stage.confirming
    assert isinstance(typed.shown, step.Confirmation)
    assert typed.shown.count == 3
    assert typed.draft is not None
    assert typed.draft.send_at is not None

    too_early = await dialog.typed(ADMIN, Stage.not_after, typed.draft, "01.12 09:00")
    assert isinstance(too_early.shown, step.NotAfterTooEarly)
    assert too_early.draft is None

    confirming = Open(ADMIN, opened.announcement, Stage.confirming, typed.draft)
    clock.advance(10 * 86400)  # the organizer left the confirmation open too long
    late = await dialog.confirm(confirming)
    assert late.stage == Stage.send_time
    assert isinstance(late.shown, step.AskSendTime)
    assert late.shown.passed
    assert late.draft is not None
    assert late.draft.send_at is None


async def test_not_after_without_a_send_time_asks_for_the_buttons(
    services: Services, dialog: AnnounceDialog
) -> None:
    opened = await opened_draft(services, dialog, Stage.not_after)
    typed = await dialog.typed(ADMIN, Stage.not_after, opened.draft, "01.12 10:00")
    assert typed.shown == step.UseButtons()
    pressed = await dialog.ask_not_after(opened)
    assert pressed.shown == step.Refused(Refusal.over)


async def test_a_city_gone_and_someone_elses_event_are_refused(
    services: Services, dialog: AnnounceDialog
) -> None:
    opened = await opened_draft(services, dialog, Stage.choosing)
    assert (await dialog.city(opened, 999_999)).shown == step.Refused(Refusal.city_gone)
    assert (await dialog.event(opened, 999_999)).shown == step.Refused(Refusal.forbidden)


async def test_cancel_discards_the_draft_and_ends_the_dialog(
    services: Services, dialog: AnnounceDialog
) -> None:
    opened = await opened_draft(services, dialog, Stage.choosing)
    cancelled = await dialog.cancel(opened)
    assert cancelled == step.Step(step.Cancelled(), Stage.done)
    again = await dialog.open(ADMIN, Stage.choosing, opened.draft, opened.id)
    assert isinstance(again, step.Refused)
