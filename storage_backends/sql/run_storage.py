"""SqlRunStorage: run records in the runs and run_tags tables, shared by SQLite and Postgres."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from dagster_core.errors import DagsterRunNotFoundError
from dagster_core.serdes import deserialize_value, serialize_value
from dagster_core.storage.runs import PipelineRun, PipelineRunStatus, RunsFilter, RunStorage
from storage_backends.sql import DagsterRunAlreadyExistsError
from storage_backends.sql.schema import run_tags, runs
from storage_backends.sql.storage import SqlStorage


class SqlRunStorage(SqlStorage, RunStorage):
    """Each run is a row whose body is the serialized PipelineRun; its tags are indexed apart."""

    def add_run(self, run: PipelineRun) -> PipelineRun:
        def insert(connection: Connection) -> None:
            connection.execute(
                runs.insert().values(
                    run_id=run.run_id,
                    pipeline_name=run.pipeline_name,
                    status=PipelineRunStatus(run.status).value,
                    created_at=run.created_at,
                    updated_at=run.updated_at,
                    body=serialize_value(run),
                )
            )
            if run.tags:
                connection.execute(
                    run_tags.insert(),
                    [{"run_id": run.run_id, "key": k, "value": v} for k, v in run.tags.items()],
                )

        try:
            self._db.write(insert)
        except IntegrityError:
            raise DagsterRunAlreadyExistsError(
                f"A run with id {run.run_id} already exists"
            ) from None
        return run

    def _change_run(self, run_id: str, change: Callable[[PipelineRun], PipelineRun]) -> None:
        """Rewrite one run's record under a row lock."""

        def write(connection: Connection) -> None:
            query = select(runs.c.body).where(runs.c.run_id == run_id).with_for_update()
            body = connection.execute(query).scalar_one_or_none()
            if body is None:
                raise DagsterRunNotFoundError(f"No run with id {run_id}")
            run = change(deserialize_value(body))
            connection.execute(
                update(runs)
                .where(runs.c.run_id == run_id)
                .values(
                    status=PipelineRunStatus(run.status).value,
                    updated_at=run.updated_at,
                    body=serialize_value(run),
                )
            )

        self._db.write(write)

    def update_run_status(
        self, run_id: str, status: PipelineRunStatus, message: str | None = None
    ) -> None:
        self._change_run(run_id, lambda run: run.with_status(status, message))

    def update_run_process(self, run_id: str, hostname: str, pid: int | None) -> None:
        self._change_run(run_id, lambda run: replace(run, hostname=hostname, pid=pid))

    def get_run_by_id(self, run_id: str) -> PipelineRun | None:
        query = select(runs.c.body).where(runs.c.run_id == run_id)
        body = self._db.read(lambda connection: connection.execute(query).scalar_one_or_none())
        return None if body is None else deserialize_value(body)

    def get_runs(
        self, filters: RunsFilter | None = None, cursor: str | None = None, limit: int | None = None
    ) -> list[PipelineRun]:
        query = select(runs.c.body).order_by(runs.c.id.desc()).limit(limit)
        if cursor is not None:
            cursor_id = select(runs.c.id).where(runs.c.run_id == cursor).scalar_subquery()
            query = query.where(runs.c.id < cursor_id)
        if filters is not None:
            if filters.pipeline_name is not None:
                query = query.where(runs.c.pipeline_name == filters.pipeline_name)
            if filters.status is not None:
                query = query.where(runs.c.status == PipelineRunStatus(filters.status).value)
            for key, value in filters.tags.items():
                tagged = select(run_tags.c.run_id).where(
                    run_tags.c.key == key, run_tags.c.value == value
                )
                query = query.where(runs.c.run_id.in_(tagged))
        bodies = self._db.read(lambda connection: connection.execute(query).scalars().all())
        return [deserialize_value(body) for body in bodies]

    def get_run_tags(self) -> dict[str, list[str]]:
        query = (
            select(run_tags.c.key, run_tags.c.value)
            .distinct()
            .order_by(run_tags.c.key, run_tags.c.value)
        )
        rows = self._db.read(lambda connection: connection.execute(query).all())
        tags: dict[str, list[str]] = {}
        for key, value in rows:
            tags.setdefault(key, []).append(value)
        return tags

    def delete_run(self, run_id: str) -> None:
        def remove(connection: Connection) -> None:
            connection.execute(delete(run_tags).where(run_tags.c.run_id == run_id))
            connection.execute(delete(runs).where(runs.c.run_id == run_id))

        self._db.write(remove)

    def wipe(self) -> None:
        def remove_all(connection: Connection) -> None:
            connection.execute(delete(run_tags))
            connection.execute(delete(runs))

        self._db.write(remove_all)
