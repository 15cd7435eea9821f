"""The registration dialog: consent, announcements, questions, summary, outcome, notices."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from aiogram.types import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.callbacks import (
    ConsentAnswer,
    DialogAction,
    DialogStep,
    EditField,
    MyAction,
    MyActionKind,
    SubscribeChoice,
)
from bot.i18n import _
from bot.labels import words_first
from bot.services import registration_dialog as dialog
from bot.services.catalog import city_key
from bot.services.validation import phone_display
from bot.states import RegistrationDraft
from bot.views import Buttons, Screen, one_per_row
from bot.views.kinds import Case, kind_word, named, named_html, quoted
from bot.views.online import join_line
from bot.views.places import region_name, subscription_where
from bot.views.text import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    button_text,
    escaped_within,
    utf16_len,
    visible_len,
    when,
)
from db.events import Event
from db.people import Profile
from db.registrations import Registration

if TYPE_CHECKING:
    from bot.services.tickets import TicketText

DASH = "—"
KEEP_BUTTON_LIMIT = 100


def skip_label() -> str:
    # Shown words first already: the request middleware has nothing to relabel, so nothing
    # to remember for mapping a tap back (see bot.plain.AccessibleRequests).
    return words_first(_("⏭ Skip"))


def share_contact_label() -> str:
    return _("📱 Share my phone number")


def consent(event: Event) -> Screen:
    """The consent 152-FZ expects: what, why, for how long, and who the operator is — the
    organization holding the event, with its contact, as its organizer entered them."""
    text = _(
        "<b>Consent to the processing of personal data</b>\n\n"
        "To register you for events I need to store your full name, organization, position, "
        "phone number and/or e-mail, and your answers to the organizers' questions.\n\n"
        "<b>Why:</b> to register you, to send you a ticket, reminders and notices about the "
        "event, and to give its organizer the list of participants.\n\n"
        "<b>For how long:</b> until you withdraw consent. /mydata shows everything stored "
        "about you; /forget erases it at any moment."
    )
    text += "\n\n" + consent_operator(event) + "\n\n" + _("Do you agree?")
    return one_per_row(
        text,
        (_("✅ I agree"), ConsentAnswer(agree=True)),
        (_("✖️ I do not agree"), ConsentAnswer(agree=False)),
    )


def consent_operator(event: Event) -> str:
    """Who the operator is and how to reach them: the organizer and contact of the event."""
    law = _("Consent under Federal Law No. 152-FZ “On Personal Data”.")
    if not event.organizer_name:
        line = _(
            "<b>Operator:</b> the organizer of the event; this bot processes the data on its "
            "behalf."
        )
    elif not event.organizer_contact:
        line = _(
            "<b>Operator:</b> {operator}, the organizer of the event; this bot processes the "
            "data on its behalf."
        ).format(operator=escape(event.organizer_name))
    else:
        line = _(
            "<b>Operator:</b> {operator}, {contact}. This organization holds the event; this "
            "bot processes the data on its behalf."
        ).format(operator=escape(event.organizer_name), contact=escape(event.organizer_contact))
    return line + " " + law


def consent_given() -> str:
    return _("✅ Thank you, your consent is recorded.")


def consent_declined() -> str:
    return _(
        "Understood: nothing about you has been saved. Registration needs this consent, but "
        "you can still browse events with /events."
    )


def subscription_question(city: str | None) -> Screen:
    text = _(
        "One more optional question: would you like to receive announcements of new events? "
        "You can change your mind at any time with /subscribe."
    )
    return Screen(text, subscription_keyboard([city] if city else []))


def subscription_keyboard(cities: list[str], subscribed: bool = False) -> InlineKeyboardMarkup:
    """The choices; for a subscriber the last two say plainly whether anything changes."""
    builder = Buttons()
    builder.button(text=_("📣 Yes, all regions"), callback_data=SubscribeChoice(city=0))
    for code in sorted(cities, key=lambda code: region_name(code).casefold()):
        builder.button(
            text=_("📣 Only {region}").format(region=region_name(code)),
            callback_data=SubscribeChoice(city=city_key(code)),
        )
    if subscribed:
        builder.button(
            text=_("Keep as is"), callback_data=SubscribeChoice(city=SubscribeChoice.KEEP)
        )
        builder.button(
            text=_("Unsubscribe from all announcements"),
            callback_data=SubscribeChoice(city=SubscribeChoice.NONE),
        )
    else:
        builder.button(
            text=_("No, thank you"), callback_data=SubscribeChoice(city=SubscribeChoice.NONE)
        )
    builder.adjust(1)
    return builder.as_markup()


def subscription_kept(subscribed: bool, city: str | None, town: str | None = None) -> str:
    if not subscribed:
        return _("Nothing changed: you do not receive announcements. /subscribe changes this.")
    return _(
        "Nothing changed: you receive announcements of events {where}. /subscribe changes this."
    ).format(where=escape(subscription_where(city, town)))


def subscription_saved(subscribed: bool, city: str | None, town: str | None = None) -> str:
    if not subscribed:
        return _("Fine, no announcements. /subscribe changes this.")
    if city:
        return _("📣 You will receive announcements of events {where}.").format(
            where=escape(subscription_where(city, town))
        )
    return _("📣 You will receive announcements of events in all regions.")


def subscription_status(subscribed: bool, city: str | None, town: str | None = None) -> str:
    if not subscribed:
        return _("You are not subscribed to announcements. Would you like to subscribe?")
    if city:
        return _("You receive announcements of events {where}. Change this?").format(
            where=escape(subscription_where(city, town))
        )
    return _("You receive announcements of events in all regions. Change this?")


def profile_lines(profile: Profile | RegistrationDraft) -> list[str]:
    phone = phone_display(profile.phone) if profile.phone else DASH
    return [
        _("Full name: {value}").format(value=escape(profile.full_name or DASH)),
        _("Organization: {value}").format(value=escape(profile.organization or DASH)),
        _("Position: {value}").format(value=escape(profile.position or DASH)),
        _("Phone: {value}").format(value=escape(phone)),
        _("E-mail: {value}").format(value=escape(profile.email or DASH)),
    ]


def saved_profile(profile: Profile, event: Event) -> Screen:
    text = "\n".join(
        [
            registration_heading(event),
            "",
            _("Shall I use your saved details?"),
            "",
            *profile_lines(profile),
        ]
    )
    return one_per_row(
        text,
        (_("✅ Yes, use them"), DialogAction(action=DialogStep.use_saved, event_id=event.id)),
        (_("✏️ Enter new details"), DialogAction(action=DialogStep.new_details, event_id=event.id)),
    )


def _reply_keyboard(rows: list[list[KeyboardButton]]) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    rows = [row for row in rows if row]
    if not rows:
        return ReplyKeyboardRemove()
    return ReplyKeyboardMarkup(
        keyboard=rows, resize_keyboard=True, one_time_keyboard=True, is_persistent=False
    )


def prompt(draft: RegistrationDraft, event: Event) -> Screen:
    """The question of the current step, with quick answers on the reply keyboard."""
    step = draft.step
    current: str | None = None
    rows: list[list[KeyboardButton]] = []
    if step == "full_name":
        text = _(
            "Please write your full name: surname, first name and patronymic, "
            "e.g. <i>Иванова Анна Сергеевна</i>."
        )
        current = draft.full_name
    elif step == "organization":
        text = _(
            "Which organization do you represent? E.g. <i>АНО «Дом НКО»</i>. If none, press «Skip»."
        )
        current = draft.organization
    elif step == "position":
        text = _("What is your position there? If you prefer not to say, press «Skip».")
        current = draft.position
    elif step == "phone":
        text = _(
            "Your phone number: press «Share my phone number» below, or type it, "
            "e.g. <i>+7 912 345-67-89</i>. You can skip it and give an e-mail instead."
        )
        current = phone_display(draft.phone) if draft.phone else None
        rows.append([KeyboardButton(text=share_contact_label(), request_contact=True)])
    elif step == "email":
        if draft.phone is None:
            text = _(
                "Your e-mail, e.g. <i>anna@example.org</i>. Without a phone number it is the "
                "only way for the organizers to reach you."
            )
        else:
            text = _("Your e-mail, e.g. <i>anna@example.org</i>. Or press «Skip».")
        current = draft.email
    else:
        question = dialog.question_of(event, step)
        assert question is not None
        index = int(step[1:])
        text = _("Question {number} of {total} from the organizers:").format(
            number=index + 1, total=len(event.questions)
        )
        text += "\n<b>" + escape(question.text) + "</b>"
        if question.is_choice:
            text += "\n" + _("Please choose an answer with the buttons below.")
            rows += [[KeyboardButton(text=button_text(option))] for option in question.options]
        current = draft.answers.get(question.key) if not question.is_choice else None
    if current and len(current) <= KEEP_BUTTON_LIMIT:
        # The saved answer as a button: one tap keeps it.
        rows.insert(0, [KeyboardButton(text=current)])
    if dialog.can_skip(draft, event, step):
        rows.append([KeyboardButton(text=skip_label())])
    text += "\n\n" + _("/cancel stops the registration.")
    return Screen(text, _reply_keyboard(rows))


def summary(draft: RegistrationDraft, event: Event, now: float) -> Screen:
    lines = [
        "<b>" + _("Please check your details") + "</b>",
        "",
        f"<b>{quoted(escape(event.title))}</b>",
        "🗓 " + when(event, now),
        "",
        *profile_lines(draft),
    ]
    if draft.companions:
        lines.append(_("With you: one companion, on a seat of their own."))
    head = "\n".join(lines)
    answers = [draft.answers.get(question.key) or DASH for question in event.questions]
    labels = [escape(question.text) for question in event.questions]
    # Long free-text answers to many questions could overflow one message: share the room.
    room = MESSAGE_LIMIT - utf16_len(head) - sum(utf16_len(label) + 3 for label in labels)
    budget = max(room // max(len(answers), 1), 16)
    for label, answer in zip(labels, answers, strict=True):
        lines.append(f"{label}: {escaped_within(answer, budget)}")
    return Screen("\n".join(lines), ReplyKeyboardRemove())


def summary_question(event: Event) -> Screen:
    return one_per_row(
        _("Is everything correct?"),
        (_("✅ Confirm"), DialogAction(action=DialogStep.confirm, event_id=event.id)),
        (_("✏️ Edit"), DialogAction(action=DialogStep.edit, event_id=event.id)),
        (_("✖️ Cancel"), DialogAction(action=DialogStep.cancel, event_id=event.id)),
    )


def edit_menu(event: Event) -> Screen:
    builder = Buttons()
    names = {
        "full_name": _("Full name"),
        "organization": _("Organization"),
        "position": _("Position"),
        "phone": _("Phone"),
        "email": _("E-mail"),
    }
    for field, name in names.items():
        builder.button(text=name, callback_data=EditField(field=field, event_id=event.id))
    for index, question in enumerate(event.questions):
        builder.button(
            text=button_text(question.text, 40),
            callback_data=EditField(field=f"q{index}", event_id=event.id),
        )
    builder.button(
        text=_("⬅️ Back"), callback_data=DialogAction(action=DialogStep.back, event_id=event.id)
    )
    builder.adjust(2, 2, 1)
    return Screen(_("What would you like to change?"), builder.as_markup())


def dialog_over() -> str:
    return _("This form is no longer active. Open the event again with /events.")


def already_in_dialog() -> str:
    return _("You are already registering: please answer the question above.")


def cancelled_dialog() -> str:
    return _("Registration cancelled, nothing was saved.")


def confirmed(event: Event, registration: Registration, now: float) -> str:
    place = ", ".join(escape(part) for part in (event.venue, event.address) if part)
    lines = [
        _("✅ You are registered!"),
        "",
        f"<b>{quoted(escape(event.title))}</b>",
        "🗓 " + when(event, now),
    ]
    if place:
        lines.append("📍 " + place)
    join = join_line(event)
    if join:
        lines.append("💻 " + join)
    lines += [
        "",
        _(
            "Your ticket is below: show the QR code at the entrance. Ticket code: <b>{code}</b>."
        ).format(code=registration.short_code),
        _("The calendar file adds the event to your phone's calendar. /my lists your events."),
    ]
    return "\n".join(lines)


def waitlisted(event: Event, position: int | None) -> str:
    return _(
        "⏳ All seats for the {event} are taken, so you are on the waitlist: your number is "
        "{position}. I will write to you as soon as a seat frees up. "
        "/my lists your registrations."
    ).format(event=named_html(event, Case.prepositional), position=position or 1)


def already_registered(event: Event, registration: Registration, position: int | None) -> str:
    if position is not None:
        return _(
            "You are already on the waitlist for the {event}: your number is {position}."
        ).format(event=named_html(event, Case.accusative), position=position)
    return _("You are already registered for the {event}. Ticket code: <b>{code}</b>.").format(
        event=named_html(event, Case.accusative), code=registration.short_code
    )


def ticket_place(event: Event) -> str:
    """«Точка кипения, ул. Республики 142, Тюмень»: where to come, as plain text."""
    return ", ".join(part for part in (event.venue, event.address, event.city) if part)


def ticket_text(event: Event, registration: Registration, name: str, now: float) -> TicketText:
    """What the ticket image says beside its QR, in the current language (plain text)."""
    # Imported on first use: the tickets module brings qrcode, which start-up does not need.
    from bot.services.tickets import TicketText

    return TicketText(
        name=name,
        title=named(event, capital=True),
        moment=when(event, now),
        place=ticket_place(event),
        code=registration.short_code,
        code_label=_("Ticket code"),
    )


def ticket_caption(event: Event, registration: Registration, name: str, now: float) -> str:
    """The same as the image says, as text: a screenshot or a screen reader loses nothing."""
    head = _("🎫 Ticket") + "\n" + (f"<b>{escape(name)}</b>\n" if name else "")
    lines = ["🗓 " + when(event, now)]
    place = ticket_place(event)
    if place:
        lines.append("📍 " + escape(place))
    lines.append(_("Ticket code: <b>{code}</b>").format(code=registration.short_code))
    tail = "\n" + "\n".join(lines)
    word = kind_word(event.kind)
    word = word[:1].upper() + word[1:]
    budget = CAPTION_LIMIT - visible_len(head) - visible_len(tail) - len(word) - 8
    return f"{head}{word} {quoted(f'<b>{escaped_within(event.title, budget)}</b>')}{tail}"


def calendar_caption() -> str:
    return _("📅 Open this file to add the event to your calendar.")


def calendar_update_caption() -> str:
    return _(
        "📅 The event in your calendar, as it is now: open this file and the calendar "
        "updates the entry."
    )


def calendar_cancel_caption() -> str:
    return _("📅 Open this file and the calendar removes the cancelled event.")


def alarm_text(event: Event) -> str:
    return _("Soon: {title}").format(title=event.title)


def promotion_notice(event: Event, registration: Registration, now: float) -> Screen:
    if registration.is_colleague:
        text = _(
            "🎉 Good news: a seat has freed up at the {event} — {when} — for your colleague "
            "{name}. The registration is confirmed, ticket code <b>{code}</b>.\n\n"
            "The ticket comes in the next message: forward it to your colleague or print it."
        ).format(
            event=named_html(event, Case.prepositional),
            when=when(event, now),
            name=escape(registration.guest_name or ""),
            code=registration.short_code,
        )
        return Screen(text)
    text = _(
        "🎉 Good news: a seat has freed up at the {event} — {when} — and it is yours. "
        "Your registration is confirmed, ticket code <b>{code}</b>.\n\n"
        "The ticket and a calendar file come in the next messages; /my shows your "
        "registrations."
    ).format(
        event=named_html(event, Case.prepositional),
        when=when(event, now),
        code=registration.short_code,
    )
    join = join_line(event)
    if join:
        # The link was held back while on the waitlist: it comes with the seat.
        text += "\n\n💻 " + join
    builder = Buttons()
    builder.button(
        text=_("🎫 Ticket"),
        callback_data=MyAction(action=MyActionKind.ticket, registration_id=registration.id),
    )
    return Screen(text, builder.as_markup())


def registration_heading(event: Event) -> str:
    return _("Registration for the {event}.").format(event=named_html(event, Case.accusative))


def already_registered_toast() -> str:
    return _("You are already registered for this event.")


def withdraw_hint() -> str:
    return _("Your consent is recorded. To withdraw it and erase your data, send /forget.")


def city_gone() -> str:
    return _("There are no events in that city any more. Please choose again with /subscribe.")


def using_saved() -> str:
    return _("✅ Using your saved details.")


def entering_new() -> str:
    return _("✏️ Let us enter new details.")


def one_more_answer() -> str:
    return _("One more answer is needed.")


def use_buttons() -> str:
    return _("Please answer with the buttons below, or type the words of one of them.")


def details_come_next() -> str:
    return _("I will ask your name and contacts right after this question.")


def no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()
