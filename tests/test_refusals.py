"""Every refusal a service or the seat's transaction can give has its words, in both languages."""

from __future__ import annotations

import pytest

from bot.services import Services
from bot.services.refusals import Refusal
from bot.views.refusals import refusal_text
from db.registrations import RegistrationRefusal

EVERY_REFUSAL = [*Refusal, *RegistrationRefusal]


def test_the_two_refusal_types_never_share_a_value() -> None:
    assert not {str(r) for r in Refusal} & {str(r) for r in RegistrationRefusal}


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_every_refusal_is_worded(services: Services, locale: str) -> None:
    with services.i18n.context(), services.i18n.use_locale(locale):
        words = {reason: refusal_text(reason) for reason in EVERY_REFUSAL}
    assert all(words.values())
    # The same value under two names would say the wrong thing to one of them.
    assert words[RegistrationRefusal.not_found] != words[Refusal.event_not_found]
    assert words[RegistrationRefusal.cancelled] != words[Refusal.event_cancelled]


async def test_russian_words_for_a_closed_registration(services: Services) -> None:
    with services.i18n.context(), services.i18n.use_locale("ru"):
        text = refusal_text(RegistrationRefusal.closed)
    assert text == "Регистрация на это мероприятие закрыта."
