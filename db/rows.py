"""Rows into dataclasses: each field from the column of its name, unless the caller converts it."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from sqlite3 import Row
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


@cache
def _names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(field.name for field in fields(cls))


def from_row(cls: type[T], row: Row, **converted: Any) -> T:
    """`cls` with every field read from `row` by name; `converted` gives those that need more
    than the column as it is (an enum, a bool, JSON)."""
    values = {name: row[name] for name in _names(cls) if name not in converted}
    return cls(**values, **converted)
