"""/mydata and /forget: everything stored about a person, and erasing it."""

from __future__ import annotations

from html import escape

from bot.callbacks import ForgetAnswer
from bot.i18n import _
from bot.keyboards import LANGUAGE_NAMES
from bot.services.privacy import Forgotten, MyData
from bot.services.validation import phone_display
from bot.views import Screen, one_per_row
from bot.views.kinds import quoted
from bot.views.my import status_line
from bot.views.places import region_name, town_name
from bot.views.registration import DASH
from bot.views.text import MESSAGE_LIMIT, moment_in, utf16_len, when_short
from db.consents import ConsentKind


def _field(name: str, value: str | None) -> str:
    return f"{name}: {escape(value) if value else DASH}"


def my_data(data: MyData, now: float, timezone: str) -> list[str]:
    """The report, split into messages that each fit Telegram's limit."""
    person = data.person
    blocks: list[str] = ["<b>" + _("Your data stored by the bot") + "</b>"]
    profile = [
        "<b>" + _("Profile") + "</b>",
        _field(_("Telegram id"), str(person.id if person else "")),
    ]
    if person is not None:
        language = LANGUAGE_NAMES.get(person.language or "", None)
        profile += [
            _field(_("Language"), language),
            _field(_("Full name"), person.full_name),
            _field(_("Organization"), person.organization),
            _field(_("Position"), person.position),
            _field(_("Phone"), phone_display(person.phone) if person.phone else None),
            _field(_("E-mail"), person.email),
        ]
        if not person.subscribed:
            announcements = _("not subscribed")
        elif person.subscription_city:
            city = region_name(person.subscription_city)
            if person.subscription_town:
                city = town_name(person.subscription_town) + ", " + city
            announcements = _("only {city}").format(city=city)
        else:
            announcements = _("all cities")
        profile.append(_field(_("Announcements"), announcements))
    blocks.append("\n".join(profile))

    consent_lines = ["<b>" + _("Consents") + "</b>"]
    for consent in data.consents:
        kind = (
            _("Processing of personal data")
            if consent.kind == ConsentKind.personal_data
            else _("Announcements")
        )
        moment = moment_in(consent.created_at, timezone, now)
        template = (
            _("• {kind}: given {moment}") if consent.granted else _("• {kind}: withdrawn {moment}")
        )
        consent_lines.append(
            # The text's version stays in the database for the record; people need the date.
            template.format(kind=kind, moment=moment)
        )
    if not data.consents:
        consent_lines.append(_("none"))
    blocks.append("\n".join(consent_lines))

    blocks.append(
        "<b>" + _("Registrations") + "</b>" + ("" if data.registrations else "\n" + _("none"))
    )
    for item in data.registrations:
        lines = [
            f"• <b>{quoted(escape(item.event.title))}</b>, {when_short(item.event, now)}",
            "  " + status_line(item),
        ]
        for key, answer in item.registration.answers.items():
            question = item.event.question(key)
            label = question.text if question else key
            lines.append(f"  {escape(label)}: {escape(answer)}")
        blocks.append("\n".join(lines))
    if data.colleagues:
        blocks.append("<b>" + _("Colleagues you registered") + "</b>")
    for item in data.colleagues:
        registration = item.registration
        phone = phone_display(registration.guest_phone) if registration.guest_phone else None
        lines = [
            f"• {escape(registration.guest_name or '')}, {escape(phone or DASH)}",
            f"  <b>{quoted(escape(item.event.title))}</b>, {when_short(item.event, now)}",
            "  " + status_line(item),
        ]
        blocks.append("\n".join(lines))
    blocks.append(
        _(
            "/forget erases your personal data, and the names and phones of the colleagues "
            "you registered."
        )
        if data.colleagues
        else _("/forget erases your personal data.")
    )
    return _pack(blocks)


def _pack(blocks: list[str]) -> list[str]:
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if utf16_len(candidate) > MESSAGE_LIMIT and current:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages


def forget_question() -> Screen:
    text = _(
        "<b>Erase your personal data?</b>\n\n"
        "I will erase your profile (name, organization, position, phone, e-mail) and your "
        "answers to organizers' questions, cancel your registrations for upcoming events "
        "(the seats go to people on the waitlist), unsubscribe you from announcements and "
        "forget any unfinished dialog. Only anonymous counts remain.\n\n"
        "This cannot be undone."
    )
    return one_per_row(
        text,
        (_("Yes, erase my data"), ForgetAnswer(confirm=True)),
        (_("No, keep it"), ForgetAnswer(confirm=False)),
    )


def forgotten(result: Forgotten) -> str:
    text = _("Done: your personal data is erased.")
    if result.cancelled:
        text += " " + _("Registrations cancelled: {count}.").format(count=result.cancelled)
    return (
        text
        + "\n\n"
        + _("You can still browse /events; registering again will ask for your consent anew.")
    )


def forget_kept() -> str:
    return _("Nothing was erased.")
