"""English screens quote event titles the English way (“…”), never with Russian «…»."""

from __future__ import annotations

from collections.abc import Callable

from bot.services import Services
from tests.kit.client import ChatClient
from tests.member_kit import make_event, open_card
from tests.reminders_kit import seat


async def test_an_english_member_sees_titles_in_english_quotes(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, title="Round table of Tyumen NGOs")
    john = make_client(5001, "en")
    await open_card(john, event)  # a deep link: the card in the person's own language
    await seat(services, event, 5001, language="en")
    await john.send("/my")
    await john.send("/mydata")

    bodies = [message.body for message in john.messages]
    assert any("“Round table of Tyumen NGOs”" in body for body in bodies)
    russian_quoted = [body for body in bodies if "«Round table of Tyumen NGOs»" in body]
    assert russian_quoted == []
