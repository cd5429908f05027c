"""Persistence interfaces and their in-memory implementations; real backends live in storage_backends."""

from dagster_core.storage.artifacts import LocalArtifactStorage
from dagster_core.storage.compute_logs import ComputeLogManager, ComputeLogs, NoOpComputeLogManager
from dagster_core.storage.event_log import EventLogStorage, InMemoryEventLogStorage
from dagster_core.storage.intermediates import InMemoryIntermediateStore, IntermediateStore
from dagster_core.storage.runs import (
    ACTIVE_STATUSES,
    InMemoryRunStorage,
    PipelineRun,
    PipelineRunStatus,
    RunsFilter,
    RunStorage,
)
from dagster_core.storage.schedules import (
    InMemoryScheduleStorage,
    Schedule,
    ScheduleStatus,
    ScheduleStorage,
)

__all__ = [
    "ACTIVE_STATUSES",
    "ComputeLogManager",
    "ComputeLogs",
    "EventLogStorage",
    "InMemoryEventLogStorage",
    "InMemoryIntermediateStore",
    "InMemoryRunStorage",
    "InMemoryScheduleStorage",
    "IntermediateStore",
    "LocalArtifactStorage",
    "NoOpComputeLogManager",
    "PipelineRun",
    "PipelineRunStatus",
    "RunStorage",
    "RunsFilter",
    "Schedule",
    "ScheduleStatus",
    "ScheduleStorage",
]
