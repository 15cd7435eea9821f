"""A person in a private chat with the bot: send text, press buttons, read the replies."""

from __future__ import annotations

import time
from typing import Any

from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Chat, InlineKeyboardMarkup, Message

from tests.kit import updates
from tests.kit.mocked_bot import BOT_ID, MockedBot, Sent


class ChatClient:
    """Drives the real Dispatcher through `feed_update`, as one Telegram user would."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: MockedBot,
        user_id: int,
        first_name: str = "Анна",
        language_code: str | None = "ru",
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.user = updates.user(user_id, first_name, language_code)
        self._seen = 0

    @property
    def session(self) -> Any:
        return self.bot.session

    @property
    def messages(self) -> list[Sent]:
        return [m for m in self.bot.session.messages.get(self.user.id, []) if not m.deleted]

    @property
    def last(self) -> Sent:
        if not self.messages:
            raise AssertionError("the bot has sent nothing to this chat")
        return self.messages[-1]

    def find(self, contains: str) -> Sent:
        for sent in reversed(self.messages):
            if contains in sent.body or any(contains in b for b in sent.buttons()):
                return sent
        bodies = [m.body[:80] for m in self.messages[-5:]]
        raise AssertionError(f"no message with {contains!r}; last ones: {bodies}")

    async def _feed(self, update: Any) -> list[Sent]:
        before = len(self.bot.session.messages.get(self.user.id, []))
        await self.dp.feed_update(self.bot, update)
        return self.bot.session.messages.get(self.user.id, [])[before:]

    async def send(self, text: str) -> list[Sent]:
        """Type a message (or a /command); returns the messages the bot sent in reply."""
        message_id = self.bot.session.record_user_message(self.user.id)
        return await self._feed(updates.message(self.user, message_id, text=text))

    async def send_in_group(self, text: str, group_id: int = -100500) -> list[Sent]:
        chat = Chat(id=group_id, type="supergroup", title="НКО чат")
        message_id = self.bot.session.record_user_message(group_id)
        before = len(self.bot.session.messages.get(group_id, []))
        await self.dp.feed_update(
            self.bot, updates.message(self.user, message_id, text=text, chat=chat)
        )
        return self.bot.session.messages.get(group_id, [])[before:]

    async def send_contact(self, phone: str, owner_id: int | None = -1) -> list[Sent]:
        """Share a contact: by default one's own (the "share my contact" button)."""
        owner = self.user.id if owner_id == -1 else owner_id
        message_id = self.bot.session.record_user_message(self.user.id)
        return await self._feed(updates.contact(self.user, message_id, phone, owner))

    async def send_location(self, latitude: float, longitude: float) -> list[Sent]:
        message_id = self.bot.session.record_user_message(self.user.id)
        return await self._feed(updates.location(self.user, message_id, latitude, longitude))

    async def send_update(self, **content: Any) -> list[Sent]:
        """Any other kind of message: a sticker, a photo, a document."""
        message_id = self.bot.session.record_user_message(self.user.id)
        return await self._feed(updates.message(self.user, message_id, **content))

    async def send_sticker(self) -> list[Sent]:
        """A sticker: a message with no text where the bot may be waiting for some."""
        return await self.send_update(sticker=updates.STICKER)

    async def click(self, label: str, message: Sent | None = None) -> list[Sent]:
        """Press the button whose label contains `label` on `message` (default: the latest
        message that has such a button)."""
        target = message or self._with_button(label)
        return await self.press(target.callback_data(label), target)

    async def pick(self, title: str, message: Sent | None = None) -> list[Sent]:
        """Press the short numbered button («3. 2 дек.») of the item whose title the
        message lists as «3. <b>«title»</b>» (default: the latest message listing it)."""
        for sent in [message] if message else reversed(self.messages):
            for line in sent.body.split("\n"):
                number, dot, rest = line.partition(". ")
                if dot and number.isdigit() and title in rest:
                    return await self.click(f"{number}. ", sent)
        raise AssertionError(f"no numbered item {title!r} in the messages")

    async def press(self, data: str, message: Sent | None = None) -> list[Sent]:
        """Send callback data as if a button carried it: forged data included."""
        target = message or self.last
        return await self._feed(updates.callback(self.user, data, self._as_message(target)))

    def answers(self) -> list[AnswerCallbackQuery]:
        return self.bot.session.calls(AnswerCallbackQuery)

    @property
    def last_answer(self) -> AnswerCallbackQuery:
        answers = self.answers()
        if not answers:
            raise AssertionError("no callback query was answered")
        return answers[-1]

    def _with_button(self, label: str) -> Sent:
        for sent in reversed(self.messages):
            if any(label in b for b in sent.buttons()) and isinstance(
                sent.reply_markup, InlineKeyboardMarkup
            ):
                return sent
        raise AssertionError(f"no message with a button {label!r}")

    def _as_message(self, sent: Sent) -> Message:
        return Message(
            message_id=sent.message_id,
            date=int(time.time()),
            chat=Chat(id=sent.chat_id, type="private"),
            from_user=updates.User(id=BOT_ID, is_bot=True, first_name="NGO Events"),
            text=sent.text,
            caption=sent.caption,
            reply_markup=sent.reply_markup
            if isinstance(sent.reply_markup, InlineKeyboardMarkup)
            else None,
        )
