"""Locale choice and the person middleware."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.i18n import choose_locale
from bot.services import Services
from db import people
from db.people import Person
from tests.kit import updates
from tests.kit.client import ChatClient


@pytest.fixture
async def stored_person(services: Services) -> Person:
    return await people.ensure(services.db, 1, now=0)


@pytest.mark.parametrize(
    ("saved", "telegram", "expected"),
    [
        ("en", "ru", "en"),  # the saved choice wins
        (None, "en", "en"),
        (None, "en-GB", "en"),
        (None, "ru", "ru"),
        (None, "uk", "ru"),  # unsupported: the default
        (None, None, "ru"),
    ],
)
def test_choose_locale(
    stored_person: Person, saved: str | None, telegram: str | None, expected: str
) -> None:
    user = updates.user(1, language_code=telegram)
    assert choose_locale(replace(stored_person, language=saved), user, "ru") == expected


def test_choose_locale_without_a_person_or_user() -> None:
    assert choose_locale(None, None, "en") == "en"


async def test_a_person_who_writes_again_is_reachable_again(
    member: ChatClient, services: Services
) -> None:
    await people.mark_unreachable(services.db, member.user.id, now=5)
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert person.unreachable_at == 5
    await member.send("/help")
    person = await people.get(services.db, member.user.id)
    assert person is not None
    assert person.unreachable_at is None
