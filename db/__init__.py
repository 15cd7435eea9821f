"""Storage: SQLite schema, migrations and repositories; knows nothing of Telegram frameworks."""

from db.database import Database

__all__ = ["Database"]
