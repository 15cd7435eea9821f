"""Deep-link payloads (`t.me/<bot>?start=...`): parsing and building."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Telegram only passes payloads of this shape; anything else is garbage typed by hand.
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KNOWN = re.compile(r"^(?P<kind>ev|ci)_(?P<value>[A-Za-z0-9-]{1,60})$")


@dataclass(frozen=True, slots=True)
class DeepLink:
    kind: str  # "ev" opens an event card, "ci" checks a ticket in
    value: str

    @property
    def event_id(self) -> int | None:
        if self.kind == "ev" and self.value.isdigit() and len(self.value) <= 12:
            return int(self.value)
        return None


def parse(payload: str | None) -> DeepLink | None:
    """The link, or None when the payload is empty, malformed or of an unknown kind."""
    if not payload or not PAYLOAD.match(payload):
        return None
    match = KNOWN.match(payload)
    if match is None:
        return None
    return DeepLink(kind=match["kind"], value=match["value"])


def link(bot_username: str, kind: str, value: str | int) -> str:
    payload = f"{kind}_{value}"
    if not PAYLOAD.match(payload):
        raise ValueError(f"payload {payload!r} is not a valid deep link")
    return f"https://t.me/{bot_username}?start={payload}"
