"""Request parameters of the fake Bot API: typed access to form, JSON and multipart values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Fields whose form values must stay strings even when they look like JSON numbers,
# because Telegram treats them as text ("123" as a message text is not a number).
STRING_FIELDS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "inline_message_id",
        "inline_query_id",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "query_id",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedPart:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None

    def __repr__(self) -> str:
        # Keeps ApiCall reprs readable when a test prints the calls list.
        return f"UploadedPart({self.filename!r}, {len(self.data)} bytes)"


def _normalize(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in STRING_FIELDS:
        return value
    if not value:
        return value
    first = value[0]
    if first in '{["-0123456789tfn':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Params:
    """Parameters of one request; values may be strings (forms) or typed (JSON bodies)."""

    __slots__ = ("files", "raw", "values")

    def __init__(self, raw: dict[str, Any], files: dict[str, UploadedPart]) -> None:
        self.raw = raw
        self.files = files
        # Normalized once so that recorded ApiCall params have natural types (chat_id as int).
        self.values: dict[str, Any] = {key: _normalize(key, val) for key, val in raw.items()}

    def __contains__(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def get_str(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, UploadedPart):
            return None
        return str(value)

    def get_int(self, key: str, default: int | None = None) -> int | None:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f'field "{key}" must be an integer') from None

    def get_float(self, key: str) -> float | None:
        value = self.values.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{key}" must be a number')
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            raise bad_request(f'field "{key}" must be a number') from None

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        return str(value).lower() in {"true", "1", "yes"}

    def get_json(self, key: str) -> Any:
        """A complex field: already decoded in JSON bodies, a JSON string in forms."""
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
        return value

    def chat_id(self, key: str = "chat_id") -> int | str:
        value = self.values.get(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value)
        try:
            return int(text)
        except ValueError:
            return text

    def upload(self, key: str) -> UploadedPart | str | None:
        """A file field: an uploaded part (directly or via attach://) or a file id / URL."""
        value = self.raw.get(key)
        if isinstance(value, UploadedPart):
            return value
        if value is None:
            return self.files.get(key)
        text = str(value)
        if text.startswith("attach://"):
            part = self.files.get(text[len("attach://") :])
            if part is None:
                raise bad_request(f'file "{text}" must be uploaded as a multipart part')
            return part
        return text
