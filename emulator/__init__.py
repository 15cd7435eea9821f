"""A local Telegram Bot API emulator: serves the tests, the benchmarks and `make demo`."""

from __future__ import annotations

from .fake import ChatRef, FakeTelegram
from .faults import Fault, Faults
from .models import (
    ApiCall,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    MessageVersion,
    SentMessage,
    StoredFile,
    UserMessage,
)

__all__ = [
    "ApiCall",
    "CallbackAnswer",
    "ChatRef",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "Faults",
    "MessageVersion",
    "SentMessage",
    "StoredFile",
    "UserMessage",
]
