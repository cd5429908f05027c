"""DagsterInstance: the run storage, event log, compute logs and artifact directory runs share."""

from __future__ import annotations

import shutil
import tempfile
import uuid
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.storage import (
    ComputeLogManager,
    EventLogStorage,
    InMemoryEventLogStorage,
    InMemoryRunStorage,
    LocalArtifactStorage,
    NoOpComputeLogManager,
    PipelineRun,
    PipelineRunStatus,
    RunsFilter,
    RunStorage,
)

_STATUS_FOR_EVENT = {
    DagsterEventType.PIPELINE_START: PipelineRunStatus.STARTED,
    DagsterEventType.PIPELINE_SUCCESS: PipelineRunStatus.SUCCESS,
    DagsterEventType.PIPELINE_FAILURE: PipelineRunStatus.FAILURE,
    DagsterEventType.PIPELINE_CANCELED: PipelineRunStatus.CANCELED,
}


class DagsterInstance:
    """Everything a run records goes through here, so every tool sees the same history."""

    def __init__(
        self,
        run_storage: RunStorage,
        event_storage: EventLogStorage,
        compute_log_manager: ComputeLogManager,
        local_artifact_storage: LocalArtifactStorage,
        is_persistent: bool = False,
    ):
        self.run_storage = run_storage
        self.event_storage = event_storage
        self.compute_log_manager = compute_log_manager
        self.local_artifact_storage = local_artifact_storage
        self.is_persistent = is_persistent

    @classmethod
    def ephemeral(cls) -> DagsterInstance:
        """Runs and events in memory, artifacts in a temporary directory removed with the instance."""
        tempdir = tempfile.mkdtemp(prefix="dagster-ephemeral-")
        instance = cls(
            InMemoryRunStorage(),
            InMemoryEventLogStorage(),
            NoOpComputeLogManager(),
            LocalArtifactStorage(tempdir),
        )
        weakref.finalize(instance, shutil.rmtree, tempdir, ignore_errors=True)
        return instance

    @classmethod
    def get(cls) -> DagsterInstance:
        """The instance configured for this environment (ephemeral when nothing is configured)."""
        return cls.ephemeral()

    # -- runs -----------------------------------------------------------------------------------

    def create_run(
        self,
        pipeline_name: str,
        environment_dict: Mapping[str, Any] | None = None,
        mode: str = "default",
        tags: Mapping[str, str] | None = None,
        solid_subset: Sequence[str] | None = None,
        step_keys_to_execute: Sequence[str] | None = None,
        parent_run_id: str | None = None,
        run_id: str | None = None,
    ) -> PipelineRun:
        run = PipelineRun(
            run_id=run_id or str(uuid.uuid4()),
            pipeline_name=pipeline_name,
            environment_dict=dict(environment_dict or {}),
            mode=mode,
            tags=dict(tags or {}),
            solid_subset=None if solid_subset is None else tuple(solid_subset),
            step_keys_to_execute=None
            if step_keys_to_execute is None
            else tuple(step_keys_to_execute),
            parent_run_id=parent_run_id,
        )
        return self.run_storage.add_run(run)

    def get_run_by_id(self, run_id: str) -> PipelineRun | None:
        return self.run_storage.get_run_by_id(run_id)

    def get_runs(
        self, filters: RunsFilter | None = None, cursor: str | None = None, limit: int | None = None
    ) -> list[PipelineRun]:
        return self.run_storage.get_runs(filters, cursor, limit)

    # -- events ---------------------------------------------------------------------------------

    def store_events(self, events: Sequence[DagsterEvent]) -> None:
        """Store a batch of events; pipeline start/end events also move the run's status."""
        self.event_storage.store_events(events)
        for event in events:
            status = _STATUS_FOR_EVENT.get(event.event_type)
            if status is not None:
                message = event.message if status is not PipelineRunStatus.STARTED else None
                self.run_storage.update_run_status(event.run_id, status, message)

    def all_logs(self, run_id: str) -> list[DagsterEvent]:
        return self.event_storage.get_logs_for_run(run_id)

    # -- files ----------------------------------------------------------------------------------

    def storage_directory(self) -> str:
        """Where filesystem intermediates go when the run config names no base_dir."""
        return self.local_artifact_storage.storage_dir

    def wipe(self) -> None:
        self.run_storage.wipe()
        self.event_storage.wipe()
