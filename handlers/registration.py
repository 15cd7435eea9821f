"""Signing up: consent, the announcements opt-in, the questions, the summary and the outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import (
    ConsentAnswer,
    DialogAction,
    DialogStep,
    EditField,
    EventAction,
    EventActionKind,
    SubscribeChoice,
)
from bot.labels import label_key
from bot.services import Services
from bot.services import registration_dialog as dialog
from bot.services.problems import InvalidInput, Problem
from bot.services.registration_dialog import Stage
from bot.states import RegistrationDraft, RegistrationForm
from bot.ui import edit_or_send
from bot.views import Screen
from bot.views import events as event_views
from bot.views import registration as views
from bot.views import subscriptions as subscription_views
from bot.views.problems import problem_text
from bot.views.refusals import refusal_text
from db import events as events_repo
from db import people
from db.events import Event
from db.registrations import Registered, RegistrationRefusal, RegistrationStatus

DIALOG_STATES = {state.state for state in RegistrationForm.__all_states__}


@dataclass
class Form:
    """The registration form in progress for one update: its state, its draft, its next step.

    A middleware of this router builds it, so each handler takes `form` and reads parse → call
    → render. aiogram has read the state for this update already (`raw_state`); keeping it
    here spares a database read each time a helper asks, and a write when it does not change.
    """

    context: FSMContext
    current: str | None
    services: Services
    bot: Bot
    chat_id: int
    answer: CallbackAnswer = field(default_factory=lambda: CallbackAnswer(answered=True))

    def typed(self) -> Form:
        """The same form for a press made by typing: its toast is collected, not sent."""
        return Form(self.context, self.current, self.services, self.bot, self.chat_id)

    @property
    def active(self) -> bool:
        return self.current in DIALOG_STATES

    def is_in(self, target: State) -> bool:
        return self.current == target.state

    async def enter(self, target: State) -> None:
        if self.current != target.state:
            await self.context.set_state(target)
            self.current = target.state

    async def draft(self) -> RegistrationDraft | None:
        raw = (await self.context.get_data()).get("draft")
        return None if raw is None else RegistrationDraft.model_validate(raw)

    async def save(self, draft: RegistrationDraft) -> None:
        await self.context.set_data({"draft": draft.model_dump()})

    async def clear(self) -> None:
        await self.context.clear()
        self.current = None

    def alert(self, text: str) -> None:
        """Why the press did nothing, as an alert on the button."""
        self.answer.text = text
        self.answer.show_alert = True

    async def found(self, event_id: int | None = None) -> tuple[RegistrationDraft, Event] | None:
        """The draft and its event while the dialog is on (for `event_id`, if given)."""
        if not self.active:
            return None
        draft = await self.draft()
        if draft is None or (event_id is not None and draft.event_id != event_id):
            return None
        event = await events_repo.get(self.services.db, draft.event_id)
        return None if event is None else (draft, event)

    async def pressed(
        self, event_id: int, *stages: Stage
    ) -> tuple[RegistrationDraft, Event] | None:
        """The dialog a button belongs to, when it waits at one of `stages`; else «dialog over»."""
        found = await self.found(event_id)
        if found is None or not any(self.is_in(STATE_OF[stage]) for stage in stages):
            self.answer.text = views.dialog_over()
            return None
        return found

    async def show(self, event: Event, asked: dialog.Ask) -> None:
        """Keep the dialog where the step machine says, and show that step."""
        await self.enter(STATE_OF[asked.stage])
        await self.save(asked.draft)
        for screen in step_screens(event, asked, self.services):
            await self.bot.send_message(self.chat_id, screen.text, reply_markup=screen.reply_markup)

    async def proceed(self, draft: RegistrationDraft, event: Event) -> None:
        """The next thing to ask before the questions: consent, announcements, saved details."""
        services = self.services
        settled = await services.registrations.standing(self.chat_id)
        await self.show(event, dialog.opening(draft, settled))

    async def start_afresh(self, message: Message) -> None:
        """The event went away or its questions changed under the dialog: say so, end it."""
        await self.clear()
        await message.answer(views.dialog_over(), reply_markup=views.no_keyboard())


async def with_form(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Hands this router's handlers the registration form of the update as `form`."""
    user = data["event_from_user"]
    data["form"] = Form(
        data["state"],
        data["raw_state"],
        data["services"],
        data["bot"],
        user.id,
        data.get("callback_answer") or CallbackAnswer(answered=True),
    )
    return await handler(event, data)


STATE_OF: dict[dialog.Stage, State] = {
    dialog.Stage.consent: RegistrationForm.consent,
    dialog.Stage.subscription: RegistrationForm.subscription,
    dialog.Stage.saved_profile: RegistrationForm.saved_profile,
    dialog.Stage.answering: RegistrationForm.answering,
    dialog.Stage.summary: RegistrationForm.summary,
}


def step_screens(event: Event, asked: dialog.Ask, services: Services) -> list[Screen]:
    """What a step of the dialog shows, in order."""
    match asked.stage:
        case Stage.consent:
            return [views.consent(event)]
        case Stage.subscription:
            return [views.subscription_question(event.region_code or event.city)]
        case Stage.saved_profile:
            assert asked.saved is not None
            return [views.saved_profile(asked.saved, event)]
        case Stage.summary:
            now = services.clock.timestamp()
            return [views.summary(asked.draft, event, now), views.summary_question(event)]
    prompt = views.prompt(asked.draft, event)
    if asked.first_question:
        heading = views.registration_heading(event)
        prompt = Screen(f"{heading}\n\n{prompt.text}", prompt.reply_markup)
    return [prompt]


# -- starting ---------------------------------------------------------------------------------


async def on_register(query: CallbackQuery, callback_data: EventAction, form: Form) -> None:
    services = form.services
    view = await services.catalog.view(callback_data.event_id, form.chat_id)
    if view is None:
        form.alert(refusal_text(RegistrationRefusal.not_found))
        return
    if view.registration is not None or view.refusal is not None:
        # An old card: say why, and bring the card up to date.
        if view.registration is not None:
            form.answer.text = views.already_registered_toast()
        else:
            assert view.refusal is not None
            form.alert(refusal_text(view.refusal))
        screen = event_views.event_card(view, services.clock.timestamp())
        await edit_or_send(form.bot, query, screen.text, screen.inline)
        return
    if await form.found(callback_data.event_id) is not None:
        form.answer.text = views.already_in_dialog()
        return
    companions = 1 if callback_data.action == EventActionKind.register_companion else 0
    if companions and not view.event.companions_allowed:
        form.alert(refusal_text(RegistrationRefusal.no_companion))
        return
    draft = RegistrationDraft(event_id=view.event.id, companions=companions)
    await form.proceed(draft, view.event)


# -- consent and announcements ----------------------------------------------------------------


async def on_consent(query: CallbackQuery, callback_data: ConsentAnswer, form: Form) -> None:
    registrations = form.services.registrations
    in_dialog = form.is_in(RegistrationForm.consent)
    has_consent = await registrations.has_consent(form.chat_id)
    if not callback_data.agree:
        if not in_dialog and has_consent:
            # An old consent message: withdrawing is /forget's job, with its own confirmation.
            form.alert(views.withdraw_hint())
            return
        await form.clear()
        await edit_or_send(form.bot, query, views.consent_declined())
        return
    if not has_consent:
        await registrations.give_consent(form.chat_id)
    await edit_or_send(form.bot, query, views.consent_given())
    found = await form.found() if in_dialog else None
    if found is not None:
        await form.proceed(*found)


async def on_subscription_choice(
    query: CallbackQuery, callback_data: SubscribeChoice, form: Form
) -> None:
    services = form.services
    if callback_data.city == SubscribeChoice.KEEP:
        # «Keep as is» changes nothing, whatever the subscription is by now.
        person = await people.get(services.db, form.chat_id)
        kept = person is not None and person.subscribed
        city_now = person.subscription_city if person is not None else None
        town_now = person.subscription_town if person is not None else None
        await edit_or_send(form.bot, query, views.subscription_kept(kept, city_now, town_now))
        return
    city: str | None = None
    subscribed = callback_data.city != SubscribeChoice.NONE
    if callback_data.city > 0:
        city = await services.catalog.city_by_key(callback_data.city)
        if city is None:
            form.alert(views.city_gone())
            return
        if not form.is_in(RegistrationForm.subscription):
            # In /subscribe the town comes next, when the region has (or had) events in any.
            towns = await services.catalog.subscription_towns(city)
            if towns:
                screen = subscription_views.town_choice(city, towns)
                await edit_or_send(form.bot, query, screen.text, screen.inline)
                return
    await services.registrations.set_announcements(form.chat_id, subscribed, city)
    await edit_or_send(form.bot, query, views.subscription_saved(subscribed, city))
    found = await form.found() if form.is_in(RegistrationForm.subscription) else None
    if found is not None:
        await form.proceed(*found)


async def on_subscribe(message: Message, services: Services) -> None:
    assert message.from_user is not None
    person = await people.get(services.db, message.from_user.id)
    subscribed = person is not None and person.subscribed
    city = person.subscription_city if person is not None else None
    town = person.subscription_town if person is not None else None
    cities = [name for name, _ in await services.catalog.cities()]
    await message.answer(
        views.subscription_status(subscribed, city, town),
        reply_markup=views.subscription_keyboard(cities, subscribed),
    )


# -- the questions ----------------------------------------------------------------------------


async def on_saved_profile_choice(
    query: CallbackQuery, callback_data: DialogAction, form: Form
) -> None:
    found = await form.pressed(callback_data.event_id, Stage.saved_profile)
    if found is None:
        return
    draft, event = found
    saved = await dialog.saved_profile(form.services.db, form.chat_id)
    use_saved = callback_data.action == DialogStep.use_saved and saved is not None
    await edit_or_send(form.bot, query, views.using_saved() if use_saved else views.entering_new())
    await form.show(event, dialog.after_saved_choice(draft, event, saved, use_saved))


async def _answered(
    message: Message, form: Form, text: str | None, contact: tuple[str, bool] | None = None
) -> None:
    found = await form.found()
    if found is None or not dialog.is_valid_step(found[1], found[0].step):
        await form.start_afresh(message)
        return
    draft, event = found
    # Tapped, or typed as «пропустить»: case, emoji and punctuation do not matter.
    skip = contact is None and text is not None and label_key(text) == label_key(views.skip_label())
    try:
        asked = dialog.reply(draft, event, dialog.Reply(text=text, skip=skip, contact=contact))
    except InvalidInput as error:
        await _refused(message, error, draft, event)
        return
    await form.show(event, asked)


async def _refused(
    message: Message, error: InvalidInput, draft: RegistrationDraft, event: Event
) -> None:
    """The reason, then the same question again."""
    screen = views.prompt(draft, event)
    await message.answer(
        problem_text(error) + "\n\n" + screen.text, reply_markup=screen.reply_markup
    )


async def on_answer_text(message: Message, form: Form) -> None:
    await _answered(message, form, message.text)


async def on_answer_contact(message: Message, form: Form) -> None:
    assert message.contact is not None
    own = message.contact.user_id == form.chat_id
    await _answered(message, form, None, contact=(message.contact.phone_number, own))


async def on_answer_other(message: Message, form: Form) -> None:
    found = await form.found()
    if found is None:
        await form.start_afresh(message)
        return
    draft, event = found
    await _refused(message, InvalidInput(Problem.not_text), draft, event)


# -- the summary ------------------------------------------------------------------------------


async def on_summary_action(query: CallbackQuery, callback_data: DialogAction, form: Form) -> None:
    found = await form.pressed(callback_data.event_id, Stage.summary)
    if found is None:
        # Typically Confirm pressed twice: the first press has done the job.
        view = await form.services.catalog.view(callback_data.event_id, form.chat_id)
        if view is not None and view.registration is not None:
            form.answer.text = views.already_registered_toast()
        return
    draft, event = found
    match callback_data.action:
        case DialogStep.edit:
            screen = views.edit_menu(event)
            await edit_or_send(form.bot, query, screen.text, screen.inline)
        case DialogStep.back:
            screen = views.summary_question(event)
            await edit_or_send(form.bot, query, screen.text, screen.inline)
        case DialogStep.cancel:
            await form.clear()
            await edit_or_send(form.bot, query, views.cancelled_dialog())
        case _:
            await confirm(query, form, draft, event)


async def confirm(query: CallbackQuery, form: Form, draft: RegistrationDraft, event: Event) -> None:
    services = form.services
    missing = dialog.before_confirming(draft, event)
    if missing is not None:
        # A question was added meanwhile (or the data were tampered with): ask what is missing.
        await edit_or_send(form.bot, query, views.one_more_answer())
        await form.show(event, missing)
        return
    profile = dialog.profile(draft)
    assert profile is not None, "before_confirming checks the profile"
    outcome = await services.registrations.register(
        form.chat_id, event.id, profile, draft.answers, companions=draft.companions
    )
    if outcome is None:
        await form.proceed(draft, event)
        return
    if not isinstance(outcome, Registered):
        await form.clear()
        form.alert(refusal_text(outcome))
        await edit_or_send(form.bot, query, refusal_text(outcome))
        return
    # The ticket and the `.ics` are in the outbox already (queued with the seat); the summary
    # turns into the outcome here. The dialog ends only after that edit: a crash in between
    # redoes this press, which then shows «already registered».
    registration = outcome.registration
    if not outcome.created:
        text = views.already_registered(event, registration, outcome.position)
    elif registration.status == RegistrationStatus.waitlisted:
        text = views.waitlisted(event, outcome.position)
    else:
        text = views.confirmed(event, registration, services.clock.timestamp())
    await edit_or_send(form.bot, query, text)
    await form.clear()


async def on_edit_field(query: CallbackQuery, callback_data: EditField, form: Form) -> None:
    found = await form.pressed(callback_data.event_id, Stage.summary, Stage.answering)
    if found is None:
        return
    draft, event = found
    if not dialog.is_valid_step(event, callback_data.field):
        form.answer.text = views.dialog_over()
        return
    await form.show(event, dialog.go_to(draft, callback_data.field, editing=True))


# -- a button's words typed instead of pressing it ---------------------------------------------

BUTTON_STAGES = (Stage.consent, Stage.subscription, Stage.saved_profile, Stage.summary)


async def waiting_screen(
    stage: Stage, services: Services, person_id: int, event: Event
) -> Screen | None:
    """The buttons a stage waits for, as they were shown."""
    match stage:
        case Stage.consent:
            return views.consent(event)
        case Stage.subscription:
            return views.subscription_question(event.city)
        case Stage.saved_profile:
            saved = await dialog.saved_profile(services.db, person_id)
            return None if saved is None else views.saved_profile(saved, event)
        case Stage.summary:
            return views.summary_question(event)
    return None


def typed_button(screen: Screen, typed: str | None) -> str | None:
    """The callback data of the button whose words were typed (case and emoji aside)."""
    wanted = label_key(typed or "")
    markup = screen.inline
    if not wanted or markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data and label_key(button.text) == wanted:
                return button.callback_data
    return None


async def on_typed_instead_of_button(message: Message, form: Form) -> None:
    """Words of a button are taken as the press; anything else asks the question again, with
    its buttons, so nobody is left with "not understood"."""
    assert message.from_user is not None
    found = await form.found()
    stage = next((st for st in BUTTON_STAGES if form.is_in(STATE_OF[st])), None)
    screen = None
    if found is not None and stage is not None:
        screen = await waiting_screen(stage, form.services, form.chat_id, found[1])
    if stage is None or screen is None:
        await form.start_afresh(message)
        return
    data = typed_button(screen, message.text)
    if data is None:
        hint = views.details_come_next() if stage == Stage.subscription else views.use_buttons()
        await message.answer(hint + "\n\n" + screen.text, reply_markup=screen.reply_markup)
        return
    # The same handler as the press; with no message to edit, the outcome comes as a new one.
    query = CallbackQuery(
        id=f"typed:{message.message_id}",
        from_user=message.from_user,
        chat_instance="typed",
        data=data,
        message=None,
    )
    pressed = form.typed()
    match stage:
        case Stage.consent:
            await on_consent(query, ConsentAnswer.unpack(data), pressed)
        case Stage.subscription:
            await on_subscription_choice(query, SubscribeChoice.unpack(data), pressed)
        case Stage.saved_profile:
            await on_saved_profile_choice(query, DialogAction.unpack(data), pressed)
        case _:
            await on_summary_action(query, DialogAction.unpack(data), pressed)
    if pressed.answer.text:
        # What a press would have shown in a toast belongs in the chat here.
        await message.answer(pressed.answer.text)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.middleware(with_form)
    router.message.middleware(with_form)
    router.callback_query.register(
        on_register,
        EventAction.filter(
            F.action.in_({EventActionKind.register, EventActionKind.register_companion})
        ),
    )
    router.callback_query.register(on_consent, ConsentAnswer.filter())
    router.callback_query.register(on_subscription_choice, SubscribeChoice.filter())
    router.message.register(on_subscribe, Command("subscribe"))
    router.callback_query.register(
        on_saved_profile_choice,
        DialogAction.filter(F.action.in_({DialogStep.use_saved, DialogStep.new_details})),
    )
    router.callback_query.register(on_summary_action, DialogAction.filter())
    router.callback_query.register(on_edit_field, EditField.filter())
    answering = StateFilter(RegistrationForm.answering)
    router.message.register(on_answer_contact, answering, F.contact)
    router.message.register(on_answer_text, answering, F.text, ~F.text.startswith("/"))
    router.message.register(on_answer_other, answering, ~F.text)
    waiting_for_a_button = StateFilter(*(STATE_OF[stage] for stage in BUTTON_STAGES))
    router.message.register(
        on_typed_instead_of_button,
        waiting_for_a_button,
        ~(F.text.startswith("/")),
    )
    return router
