"""Storage: SQLite schema, migrations and repositories; knows nothing of Telegram frameworks."""

from db.database import Database, Queries, Transaction

__all__ = ["Database", "Queries", "Transaction"]
