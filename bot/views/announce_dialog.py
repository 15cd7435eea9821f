"""The /announce dialog's steps as screens: one function from a step's outcome to what is shown."""

from __future__ import annotations

from bot.services import announce_dialog as step
from bot.services.problems import InvalidInput, Problem
from bot.views import Screen
from bot.views import announcements as views
from bot.views.problems import problem_text
from bot.views.refusals import refusal_text


def dialog_screen(shown: step.Shown) -> Screen:
    """The screen of one step of /announce."""
    match shown:
        case step.Refused(reason):
            return Screen(refusal_text(reason))
        case step.Cancelled():
            return Screen(views.cancelled())
        case step.AudienceMenu(announcement_id, subscribers):
            return views.audience_menu(announcement_id, subscribers)
        case step.CityMenu(announcement_id, options):
            return views.city_menu(announcement_id, options)
        case step.TownMenu(announcement_id, region, region_count, options):
            return views.town_menu(announcement_id, region, region_count, options)
        case step.EventMenu(announcement_id, events):
            return views.event_menu(announcement_id, events)
        case step.SegmentMenu(announcement_id, event, counts, now):
            return views.segment_menu(announcement_id, event, counts, now)
        case step.Chosen(_announcement, _count, description):
            return Screen(views.audience_chosen(description))
        case step.Preview(announcement, description, count, changed):
            note = views.audience_changed(count) if changed else None
            return views.preview(announcement, description, count, note)
        case step.Sending(announcement_id, progress):
            return views.status(announcement_id, progress)
        case step.AskSendTime(announcement_id, timezone, place, now, passed):
            screen = views.ask_send_time(announcement_id, views.zone_label(now, timezone, place))
            if passed:
                past = problem_text(InvalidInput(Problem.past))
                return Screen(past + "\n\n" + screen.text, screen.reply_markup)
            return screen
        case step.AskNotAfter(announcement_id, send_at):
            return views.ask_not_after(announcement_id, send_at)
        case step.Confirmation(announcement_id, send_at, not_after, description, count, changed):
            screen = views.schedule_confirmation(
                announcement_id,
                send_at=send_at,
                not_after=not_after,
                description=description,
                count=count,
            )
            if changed is not None:
                note = views.audience_changed(changed)
                return Screen(note + "\n\n" + screen.text, screen.reply_markup)
            return screen
        case step.Scheduled(moment, total):
            return Screen(views.scheduled_done(moment, total))
        case step.NotAfterTooEarly(send_at):
            return Screen(views.not_after_too_early(send_at))
        case step.UseButtons():
            return Screen(views.use_buttons())
        case step.Unreadable(error):
            return Screen(problem_text(error))
