"""SqlScheduleStorage: schedule records in the schedules table, shared by SQLite and Postgres."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, select, update
from sqlalchemy.exc import IntegrityError

from dagster_core.storage.schedules import (
    DagsterScheduleAlreadyExistsError,
    DagsterScheduleNotFoundError,
    Schedule,
    ScheduleStatus,
    ScheduleStorage,
)
from storage_backends.sql.schema import schedules
from storage_backends.sql.storage import SqlStorage

_FIELDS = (
    "name",
    "pipeline_name",
    "cron_schedule",
    "status",
    "fingerprint",
    "python_file",
    "module_name",
    "fn_name",
    "created_at",
    "updated_at",
)
_COLUMNS = tuple(schedules.c[name] for name in _FIELDS)


def _values(schedule: Schedule) -> dict[str, Any]:
    values = {name: getattr(schedule, name) for name in _FIELDS}
    values["status"] = ScheduleStatus(schedule.status).value
    return values


def _schedule(row: Row) -> Schedule:
    values = dict(row._mapping)
    values["status"] = ScheduleStatus(values["status"])
    return Schedule(**values)


class SqlScheduleStorage(SqlStorage, ScheduleStorage):
    """Each schedule is a row, one column per field of the record."""

    def all_schedules(self) -> list[Schedule]:
        query = select(*_COLUMNS).order_by(schedules.c.name)
        rows = self._db.read(lambda connection: connection.execute(query).all())
        return [_schedule(row) for row in rows]

    def get_schedule(self, name: str) -> Schedule | None:
        query = select(*_COLUMNS).where(schedules.c.name == name)
        row = self._db.read(lambda connection: connection.execute(query).one_or_none())
        return None if row is None else _schedule(row)

    def add_schedule(self, schedule: Schedule) -> Schedule:
        try:
            self._db.write(
                lambda connection: connection.execute(
                    schedules.insert().values(**_values(schedule))
                )
            )
        except IntegrityError:
            raise DagsterScheduleAlreadyExistsError(
                f"A schedule named '{schedule.name}' already exists"
            ) from None
        return schedule

    def update_schedule(self, schedule: Schedule) -> Schedule:
        statement = (
            update(schedules).where(schedules.c.name == schedule.name).values(**_values(schedule))
        )

        def change(connection: Connection) -> None:
            if connection.execute(statement).rowcount == 0:
                raise DagsterScheduleNotFoundError(f"No schedule named '{schedule.name}'")

        self._db.write(change)
        return schedule

    def delete_schedule(self, name: str) -> None:
        self._db.write(
            lambda connection: connection.execute(delete(schedules).where(schedules.c.name == name))
        )

    def wipe(self) -> None:
        self._db.write(lambda connection: connection.execute(delete(schedules)))
