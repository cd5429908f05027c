"""SqlStorage: what the SQL run, event and schedule storages share: a database and its schema."""

from __future__ import annotations

from sqlalchemy import Engine

from storage_backends.sql import SqlDatabase
from storage_backends.sql.migrate import migrate, schema_version


class SqlStorage:
    """A storage backed by one SqlDatabase, upgraded with the family's migrations."""

    def __init__(self, database: SqlDatabase):
        self._db = database

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._db.location!r})"

    @property
    def engine(self) -> Engine:
        """The engine, for `migrate` and `schema_version`."""
        return self._db.engine

    def upgrade(self) -> str | None:
        migrate(self.engine)
        return schema_version(self.engine)

    def dispose(self) -> None:
        self._db.dispose()
