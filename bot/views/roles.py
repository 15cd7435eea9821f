"""/organizers: the list of organizers, picking a person, granting and revoking the role."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import RoleAction, RoleActionKind
from bot.i18n import _
from bot.services.roles import RoleChange
from bot.views import Buttons, Screen
from bot.views.text import button_text
from db.people import Person


def person_name(person: Person) -> str:
    """Who this is: the profile's full name, or the name in Telegram; a number only if neither."""
    if person.name:
        return person.name
    return _("Telegram user {number}").format(number=person.id)


def person_label(person: Person) -> str:
    return escape(person_name(person))


def organizers_screen(organizers: list[Person]) -> Screen:
    lines = ["<b>" + _("Organizers") + "</b>"]
    builder = Buttons()
    if not organizers:
        lines.append(_("Nobody has the organizer role yet (admins always have it)."))
    for person in organizers:
        lines.append("• " + person_label(person))
        builder.button(
            text=button_text(_("✖️ Revoke: {name}").format(name=person_name(person))),
            callback_data=RoleAction(action=RoleActionKind.revoke, person_id=person.id),
        )
    builder.adjust(1)
    lines += [
        "",
        _(
            "To make someone an organizer, send me one of these:\n"
            "• a message from them, forwarded here;\n"
            "• their contact (📎 → Contact);\n"
            "• their numeric Telegram id.\n"
            "They must have started this bot first.\n\n"
            "/cancel stops."
        ),
    ]
    return Screen("\n".join(lines), builder.as_markup() if organizers else None)


def person_screen(person: Person) -> Screen:
    builder = Buttons()
    if person.is_organizer:
        text = _("{person} is an organizer.").format(person=person_label(person))
        builder.button(
            text=_("✖️ Revoke the organizer role"),
            callback_data=RoleAction(action=RoleActionKind.revoke, person_id=person.id),
        )
    else:
        text = _("{person} is a member.").format(person=person_label(person))
        builder.button(
            text=_("✅ Make an organizer"),
            callback_data=RoleAction(action=RoleActionKind.grant, person_id=person.id),
        )
    builder.button(text=_("⬅️ Organizers"), callback_data=RoleAction(action=RoleActionKind.list))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


def back_to_list() -> InlineKeyboardMarkup:
    builder = Buttons()
    builder.button(text=_("⬅️ Organizers"), callback_data=RoleAction(action=RoleActionKind.list))
    return builder.as_markup()


def role_changed(change: RoleChange, person: Person | None) -> str:
    if person is None:
        return unknown_person()
    name = person_label(person)
    match change:
        case RoleChange.granted:
            return _(
                "✅ {name} is now an organizer: their commands menu has /new_event, /manage, "
                "/checkin and /stats."
            ).format(name=name)
        case RoleChange.revoked:
            return _("{name} is no longer an organizer.").format(name=name)
        case RoleChange.already:
            return _("Nothing to change for {name}.").format(name=name)
        case RoleChange.admin:
            return _("{name} is an admin: admins always have every right.").format(name=name)
    return unknown_person()


def unknown_person() -> str:
    return _(
        "This person has not started this bot yet. Ask them to open the bot and press Start, "
        "then try again."
    )


def hidden_forward() -> str:
    return _(
        "This person hides their account in forwarded messages (Telegram privacy settings), so "
        "I cannot see who it is. Please send their contact instead, or their numeric id — they "
        "can learn it from the bot @userinfobot."
    )


def contact_without_id() -> str:
    return _(
        "This contact is not linked to a Telegram account I can see. Please forward a message "
        "from the person, or send their numeric id."
    )


def not_a_person() -> str:
    return _(
        "I need a forwarded message from the person, their contact, or their numeric Telegram "
        "id (digits only)."
    )


def granted_notice() -> str:
    return _(
        "🎉 You are now an organizer. /new_event creates an event, /manage lists yours, "
        "/checkin checks guests in, /stats shows statistics. /help lists everything."
    )


def revoked_notice() -> str:
    return _("Your organizer role has been revoked. Thank you for your work!")
