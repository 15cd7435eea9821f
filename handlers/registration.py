"""Signing up: consent, the announcements opt-in, the questions, the summary and the outcome."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
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
from db import events as events_repo
from db import people
from db.events import Event
from db.registrations import Refusal, Registered, RegistrationStatus

DIALOG_STATES = {state.state for state in RegistrationForm.__all_states__}


class Form:
    """The registration form in progress: the FSM context and the state it is in.

    aiogram has read the state for this update already (`raw_state`); keeping it here spares
    a database read each time a helper asks, and a write when the state does not change.
    """

    def __init__(self, context: FSMContext, current: str | None) -> None:
        self.context = context
        self.current = current

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


STATE_OF: dict[dialog.Stage, State] = {
    dialog.Stage.consent: RegistrationForm.consent,
    dialog.Stage.subscription: RegistrationForm.subscription,
    dialog.Stage.saved_profile: RegistrationForm.saved_profile,
    dialog.Stage.answering: RegistrationForm.answering,
    dialog.Stage.summary: RegistrationForm.summary,
}


async def show(
    bot: Bot,
    chat_id: int,
    form: Form,
    services: Services,
    event: Event,
    asked: dialog.Ask,
    prefix: str | None = None,
) -> None:
    """Keep the dialog where the step machine says, and show that step."""
    await form.enter(STATE_OF[asked.stage])
    await form.save(asked.draft)
    match asked.stage:
        case dialog.Stage.consent:
            screens = [views.consent(event)]
        case dialog.Stage.subscription:
            screens = [views.subscription_question(event.region_code or event.city)]
        case dialog.Stage.saved_profile:
            assert asked.saved is not None
            screens = [views.saved_profile(asked.saved, event)]
        case dialog.Stage.summary:
            now = services.clock.timestamp()
            screens = [views.summary(asked.draft, event, now), views.summary_question(event)]
        case dialog.Stage.answering:
            screens = [views.prompt(asked.draft, event)]
            if asked.first_question:
                prefix = views.registration_heading(event)
    for number, screen in enumerate(screens):
        text = f"{prefix}\n\n{screen.text}" if prefix and number == 0 else screen.text
        await bot.send_message(chat_id, text, reply_markup=screen.reply_markup)


async def proceed(
    bot: Bot,
    chat_id: int,
    form: Form,
    services: Services,
    draft: RegistrationDraft,
    event: Event,
) -> None:
    """The next thing to ask before the questions: consent, announcements, saved details."""
    settled = await dialog.standing(services.registrations, services.db, chat_id)
    await show(bot, chat_id, form, services, event, dialog.opening(draft, settled))


async def dialog_event(
    form: Form, services: Services, event_id: int | None = None
) -> tuple[RegistrationDraft, Event] | None:
    """The draft and its event while a registration dialog is on (for `event_id`, if given)."""
    if not form.active:
        return None
    draft = await form.draft()
    if draft is None or (event_id is not None and draft.event_id != event_id):
        return None
    event = await events_repo.get(services.db, draft.event_id)
    return None if event is None else (draft, event)


async def _pressed(
    form: Form,
    services: Services,
    event_id: int,
    callback_answer: CallbackAnswer,
    *stages: Stage,
) -> tuple[RegistrationDraft, Event] | None:
    """The dialog a button belongs to, when it waits at one of `stages`; else «dialog over»."""
    found = await dialog_event(form, services, event_id)
    if found is None or not any(form.is_in(STATE_OF[stage]) for stage in stages):
        callback_answer.text = views.dialog_over()
        return None
    return found


# -- starting ---------------------------------------------------------------------------------


async def on_register(
    query: CallbackQuery,
    callback_data: EventAction,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    form = Form(state, raw_state)
    user = query.from_user
    view = await services.catalog.view(callback_data.event_id, user.id)
    if view is None:
        callback_answer.text = event_views.refusal_text(Refusal.not_found)
        callback_answer.show_alert = True
        return
    if view.registration is not None or view.refusal is not None:
        # An old card: say why, and bring the card up to date.
        if view.registration is not None:
            callback_answer.text = views.already_registered_toast()
        else:
            assert view.refusal is not None
            callback_answer.text = event_views.refusal_text(view.refusal)
            callback_answer.show_alert = True
        screen = event_views.event_card(view, services.clock.timestamp())
        await edit_or_send(bot, query, screen.text, screen.inline)
        return
    if await dialog_event(form, services, callback_data.event_id) is not None:
        callback_answer.text = views.already_in_dialog()
        return
    companions = 1 if callback_data.action == EventActionKind.register_companion else 0
    if companions and not view.event.companions_allowed:
        callback_answer.text = event_views.refusal_text(Refusal.no_companion)
        callback_answer.show_alert = True
        return
    draft = RegistrationDraft(event_id=view.event.id, companions=companions)
    await proceed(bot, user.id, form, services, draft, view.event)


# -- consent and announcements ----------------------------------------------------------------


async def on_consent(
    query: CallbackQuery,
    callback_data: ConsentAnswer,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    form = Form(state, raw_state)
    user = query.from_user
    in_dialog = form.is_in(RegistrationForm.consent)
    has_consent = await services.registrations.has_consent(user.id)
    if not callback_data.agree:
        if not in_dialog and has_consent:
            # An old consent message: withdrawing is /forget's job, with its own confirmation.
            callback_answer.text = views.withdraw_hint()
            callback_answer.show_alert = True
            return
        await form.clear()
        await edit_or_send(bot, query, views.consent_declined())
        return
    if not has_consent:
        await services.registrations.give_consent(user.id)
    await edit_or_send(bot, query, views.consent_given())
    found = await dialog_event(form, services) if in_dialog else None
    if found is not None:
        draft, event = found
        await proceed(bot, user.id, form, services, draft, event)


async def on_subscription_choice(
    query: CallbackQuery,
    callback_data: SubscribeChoice,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    form = Form(state, raw_state)
    user = query.from_user
    if callback_data.city == SubscribeChoice.KEEP:
        # «Keep as is» changes nothing, whatever the subscription is by now.
        person = await people.get(services.db, user.id)
        kept = person is not None and person.subscribed
        city_now = person.subscription_city if person is not None else None
        town_now = person.subscription_town if person is not None else None
        await edit_or_send(bot, query, views.subscription_kept(kept, city_now, town_now))
        return
    city: str | None = None
    subscribed = callback_data.city != SubscribeChoice.NONE
    if callback_data.city > 0:
        city = await services.catalog.city_by_key(callback_data.city)
        if city is None:
            callback_answer.text = views.city_gone()
            callback_answer.show_alert = True
            return
        if not form.is_in(RegistrationForm.subscription):
            # In /subscribe the town comes next, when the region has (or had) events in any.
            towns = await services.catalog.subscription_towns(city)
            if towns:
                screen = subscription_views.town_choice(city, towns)
                await edit_or_send(bot, query, screen.text, screen.inline)
                return
    await services.registrations.set_announcements(user.id, subscribed, city)
    await edit_or_send(bot, query, views.subscription_saved(subscribed, city))
    if form.is_in(RegistrationForm.subscription):
        found = await dialog_event(form, services)
        if found is not None:
            draft, event = found
            await proceed(bot, user.id, form, services, draft, event)


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
    query: CallbackQuery,
    callback_data: DialogAction,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    form = Form(state, raw_state)
    found = await _pressed(
        form, services, callback_data.event_id, callback_answer, Stage.saved_profile
    )
    if found is None:
        return
    draft, event = found
    saved = await dialog.saved_profile(services.db, query.from_user.id)
    use_saved = callback_data.action == DialogStep.use_saved and saved is not None
    await edit_or_send(bot, query, views.using_saved() if use_saved else views.entering_new())
    asked = dialog.after_saved_choice(draft, event, saved, use_saved)
    await show(bot, query.from_user.id, form, services, event, asked)


async def _answered(
    message: Message,
    form: Form,
    services: Services,
    bot: Bot,
    text: str | None,
    contact: tuple[str, bool] | None = None,
) -> None:
    assert message.from_user is not None
    chat_id = message.from_user.id
    found = await dialog_event(form, services)
    if found is None or not dialog.is_valid_step(found[1], found[0].step):
        # The event disappeared or its questions changed under the dialog: start afresh.
        await form.clear()
        await message.answer(views.dialog_over(), reply_markup=views.no_keyboard())
        return
    draft, event = found
    skip = contact is None and text is not None and text.strip() == views.skip_label()
    try:
        asked = dialog.reply(draft, event, dialog.Reply(text=text, skip=skip, contact=contact))
    except InvalidInput as error:
        await _refused(message, error, draft, event)
        return
    await show(bot, chat_id, form, services, event, asked)


async def _refused(
    message: Message, error: InvalidInput, draft: RegistrationDraft, event: Event
) -> None:
    """The reason, then the same question again."""
    screen = views.prompt(draft, event)
    await message.answer(
        problem_text(error) + "\n\n" + screen.text, reply_markup=screen.reply_markup
    )


async def on_answer_text(
    message: Message, state: FSMContext, raw_state: str | None, services: Services, bot: Bot
) -> None:
    await _answered(message, Form(state, raw_state), services, bot, message.text)


async def on_answer_contact(
    message: Message, state: FSMContext, raw_state: str | None, services: Services, bot: Bot
) -> None:
    assert message.contact is not None
    assert message.from_user is not None
    own = message.contact.user_id == message.from_user.id
    contact = (message.contact.phone_number, own)
    await _answered(message, Form(state, raw_state), services, bot, None, contact=contact)


async def on_answer_other(
    message: Message, state: FSMContext, raw_state: str | None, services: Services
) -> None:
    form = Form(state, raw_state)
    found = await dialog_event(form, services)
    if found is None:
        await form.clear()
        await message.answer(views.dialog_over(), reply_markup=views.no_keyboard())
        return
    draft, event = found
    await _refused(message, InvalidInput(Problem.not_text), draft, event)


# -- the summary ------------------------------------------------------------------------------


async def on_summary_action(
    query: CallbackQuery,
    callback_data: DialogAction,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    form = Form(state, raw_state)
    found = await _pressed(form, services, callback_data.event_id, callback_answer, Stage.summary)
    if found is None:
        # Typically Confirm pressed twice: the first press has done the job.
        view = await services.catalog.view(callback_data.event_id, query.from_user.id)
        if view is not None and view.registration is not None:
            callback_answer.text = views.already_registered_toast()
        return
    draft, event = found
    if callback_data.action == DialogStep.edit:
        screen = views.edit_menu(event)
        await edit_or_send(bot, query, screen.text, screen.inline)
        return
    if callback_data.action == DialogStep.back:
        screen = views.summary_question(event)
        await edit_or_send(bot, query, screen.text, screen.inline)
        return
    if callback_data.action == DialogStep.cancel:
        await form.clear()
        await edit_or_send(bot, query, views.cancelled_dialog())
        return
    await confirm(query, form, services, bot, callback_answer, draft, event)


async def confirm(
    query: CallbackQuery,
    form: Form,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    draft: RegistrationDraft,
    event: Event,
) -> None:
    user = query.from_user
    missing = dialog.before_confirming(draft, event)
    if missing is not None:
        # A question was added meanwhile (or the data were tampered with): ask what is missing.
        await edit_or_send(bot, query, views.one_more_answer())
        await show(bot, user.id, form, services, event, missing)
        return
    profile = dialog.profile(draft)
    assert profile is not None, "before_confirming checks the profile"
    outcome = await services.registrations.register(
        user.id, event.id, profile, draft.answers, companions=draft.companions
    )
    if outcome is None:
        await proceed(bot, user.id, form, services, draft, event)
        return
    if not isinstance(outcome, Registered):
        await form.clear()
        callback_answer.text = event_views.refusal_text(outcome)
        callback_answer.show_alert = True
        await edit_or_send(bot, query, event_views.refusal_text(outcome))
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
    await edit_or_send(bot, query, text)
    await form.clear()


async def on_edit_field(
    query: CallbackQuery,
    callback_data: EditField,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    form = Form(state, raw_state)
    stages = (Stage.summary, Stage.answering)
    found = await _pressed(form, services, callback_data.event_id, callback_answer, *stages)
    if found is None:
        return
    draft, event = found
    if not dialog.is_valid_step(event, callback_data.field):
        callback_answer.text = views.dialog_over()
        return
    asked = dialog.go_to(draft, callback_data.field, editing=True)
    await show(bot, query.from_user.id, form, services, event, asked)


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


async def on_typed_instead_of_button(
    message: Message, state: FSMContext, raw_state: str | None, services: Services, bot: Bot
) -> None:
    """Words of a button are taken as the press; anything else asks the question again, with
    its buttons, so nobody is left with "not understood"."""
    assert message.from_user is not None
    user = message.from_user
    form = Form(state, raw_state)
    found = await dialog_event(form, services)
    stage = next((st for st in BUTTON_STAGES if form.is_in(STATE_OF[st])), None)
    if found is None or stage is None:
        await form.clear()
        await message.answer(views.dialog_over(), reply_markup=views.no_keyboard())
        return
    _draft, event = found
    screen = await waiting_screen(stage, services, user.id, event)
    if screen is None:
        await form.clear()
        await message.answer(views.dialog_over(), reply_markup=views.no_keyboard())
        return
    data = typed_button(screen, message.text)
    if data is None:
        hint = views.details_come_next() if stage == Stage.subscription else views.use_buttons()
        await message.answer(hint + "\n\n" + screen.text, reply_markup=screen.reply_markup)
        return
    # The same handler as the press; with no message to edit, the outcome comes as a new one.
    query = CallbackQuery(
        id=f"typed:{message.message_id}",
        from_user=user,
        chat_instance="typed",
        data=data,
        message=None,
    )
    answer = CallbackAnswer(answered=True)
    if stage == Stage.consent:
        await on_consent(
            query, ConsentAnswer.unpack(data), state, form.current, services, bot, answer
        )
    elif stage == Stage.subscription:
        await on_subscription_choice(
            query, SubscribeChoice.unpack(data), state, form.current, services, bot, answer
        )
    elif stage == Stage.saved_profile:
        await on_saved_profile_choice(
            query, DialogAction.unpack(data), state, form.current, services, bot, answer
        )
    else:
        await on_summary_action(
            query, DialogAction.unpack(data), state, form.current, services, bot, answer
        )
    if answer.text:
        # What a press would have shown in a toast belongs in the chat here.
        await message.answer(answer.text)


def build_router() -> Router:
    router = Router(name=__name__)
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
