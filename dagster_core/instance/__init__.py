"""DagsterInstance: the run storage, event log, compute logs, artifact directory and schedules
that runs share."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
import uuid
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.instance.config import (
    ClassSpec,
    build_parts,
    class_spec,
    env_names,
    read_instance_yaml,
    resolve_spec,
)
from dagster_core.instance.ref import InstanceRef
from dagster_core.launcher import ChildProcessRunLauncher, RunLauncher
from dagster_core.redact import redact_config
from dagster_core.scheduler import Scheduler
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
from dagster_core.storage.event_log import EventCallback
from dagster_core.storage.runs import ACTIVE_STATUSES
from dagster_core.storage.schedules import InMemoryScheduleStorage, ScheduleStorage

_STATUS_FOR_EVENT = {
    DagsterEventType.PIPELINE_START: PipelineRunStatus.STARTED,
    DagsterEventType.PIPELINE_SUCCESS: PipelineRunStatus.SUCCESS,
    DagsterEventType.PIPELINE_FAILURE: PipelineRunStatus.FAILURE,
    DagsterEventType.PIPELINE_CANCELED: PipelineRunStatus.CANCELED,
}

_PART_BASES = {
    "run_storage": RunStorage,
    "event_log_storage": EventLogStorage,
    "compute_logs": ComputeLogManager,
    "local_artifact_storage": LocalArtifactStorage,
    "scheduler": Scheduler,
    "schedule_storage": ScheduleStorage,
    "run_launcher": RunLauncher,
}


def _local_defaults(home: str) -> dict[str, ClassSpec]:
    """The embedded defaults of an instance rooted at `home`: SQLite files and local logs."""
    history = os.path.join(home, "history")
    return {
        "run_storage": ClassSpec(
            "storage_backends.sqlite", "SqliteRunStorage", {"base_dir": history}
        ),
        "event_log_storage": ClassSpec(
            "storage_backends.sqlite", "SqliteEventLogStorage", {"base_dir": history}
        ),
        "compute_logs": ClassSpec(
            "storage_backends.filesystem",
            "LocalComputeLogManager",
            {"base_dir": os.path.join(home, "storage")},
        ),
        "local_artifact_storage": ClassSpec(
            "dagster_core.storage", "LocalArtifactStorage", {"base_dir": home}
        ),
        "schedule_storage": ClassSpec(
            "storage_backends.sqlite", "SqliteScheduleStorage", {"base_dir": history}
        ),
        "scheduler": ClassSpec("dagster_core.scheduler.cron", "SystemCronScheduler", {}),
        "run_launcher": ClassSpec("dagster_core.launcher", "ChildProcessRunLauncher", {}),
    }


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class DagsterInstance:
    """Everything a run records goes through here, so every tool sees the same history."""

    def __init__(
        self,
        run_storage: RunStorage,
        event_storage: EventLogStorage,
        compute_log_manager: ComputeLogManager,
        local_artifact_storage: LocalArtifactStorage,
        is_persistent: bool = False,
        scheduler: Scheduler | None = None,
        dead_after_seconds: float = 600,
        source: str = "ephemeral",
        specs: Mapping[str, ClassSpec] | None = None,
        schedule_storage: ScheduleStorage | None = None,
        home: str | None = None,
        run_launcher: RunLauncher | None = None,
    ):
        self.run_storage = run_storage
        self.event_storage = event_storage
        self.compute_log_manager = compute_log_manager
        self.local_artifact_storage = local_artifact_storage
        self.is_persistent = is_persistent
        self.scheduler = scheduler
        self.schedule_storage = schedule_storage or InMemoryScheduleStorage()
        # how the API and the UI start runs in the background (dagster.yaml's run_launcher)
        self.run_launcher = run_launcher or ChildProcessRunLauncher()
        self.home = home  # the DAGSTER_HOME the instance was loaded from; None if ephemeral
        self.dead_after_seconds = dead_after_seconds
        self.source = source
        self._specs = dict(specs or {})  # each part as dagster.yaml wrote it

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
    def from_home(cls, home: str) -> DagsterInstance:
        """An instance rooted at `home`: its dagster.yaml if there is one, over the embedded
        defaults (SQLite under `home/history`, compute logs under `home/storage`, the system's
        cron as scheduler)."""
        home = os.path.abspath(home)
        os.makedirs(home, exist_ok=True)
        path = os.path.join(home, "dagster.yaml")
        settings = read_instance_yaml(path) if os.path.exists(path) else {}
        specs = _local_defaults(home)
        for part in _PART_BASES:
            spec = class_spec(settings, part)
            if spec is not None:
                specs[part] = spec
        monitoring = settings.get("run_monitoring", {"dead_after_seconds": 600})
        return cls._from_parts(
            specs,
            source=path if os.path.exists(path) else home,
            is_persistent=True,
            dead_after_seconds=monitoring["dead_after_seconds"],
            home=home,
        )

    @classmethod
    def from_ref(cls, ref: InstanceRef) -> DagsterInstance:
        """The instance `ref` describes, opened in this process (a child, a worker, a task)."""
        return cls._from_parts(
            ref.parts,
            source=ref.source,
            is_persistent=ref.is_persistent,
            dead_after_seconds=ref.dead_after_seconds,
            home=ref.home,
        )

    @classmethod
    def _from_parts(
        cls,
        specs: Mapping[str, ClassSpec],
        source: str,
        is_persistent: bool,
        dead_after_seconds: float,
        home: str | None,
    ) -> DagsterInstance:
        parts = build_parts(source, specs, {part: _PART_BASES[part] for part in specs})
        return cls(
            parts["run_storage"],
            parts["event_log_storage"],
            parts["compute_logs"],
            parts["local_artifact_storage"],
            is_persistent=is_persistent,
            scheduler=parts.get("scheduler"),
            dead_after_seconds=dead_after_seconds,
            source=source,
            specs=specs,
            schedule_storage=parts.get("schedule_storage"),
            home=home,
            run_launcher=parts.get("run_launcher"),
        )

    def get_ref(self, *, keep_env_references: bool = False) -> InstanceRef:
        """This instance as a small picklable value that `from_ref` opens in another process.

        An ephemeral instance keeps runs and events in this process's memory; asked for a ref
        (because a run's steps will run in other processes) it moves them, and every later run,
        to SQLite files in its temporary directory, which other processes on this host reach.
        `keep_env_references=True` leaves `{env: NAME}` values unresolved, to be read where the
        ref is opened: for a ref written into a file (an Airflow DAG), which must hold no secret."""
        if not self._specs:
            self._share_ephemeral()
        return InstanceRef(
            {
                part: spec if keep_env_references else resolve_spec(self.source, part, spec)
                for part, spec in self._specs.items()
            },
            source=self.source,
            is_persistent=self.is_persistent,
            dead_after_seconds=self.dead_after_seconds,
            home=self.home,
        )

    def _share_ephemeral(self) -> None:
        base_dir = self.local_artifact_storage.base_dir
        specs = {
            **{
                part: spec
                for part, spec in _local_defaults(base_dir).items()
                if part in ("run_storage", "event_log_storage", "local_artifact_storage")
            },
            "compute_logs": ClassSpec("dagster_core.storage", "NoOpComputeLogManager", {}),
        }
        parts = build_parts(self.source, specs, _PART_BASES)
        run_storage, event_storage = parts["run_storage"], parts["event_log_storage"]
        for run in reversed(self.run_storage.get_runs()):
            run_storage.add_run(run)
            event_storage.store_events(self.event_storage.get_logs_for_run(run.run_id))
        self.run_storage, self.event_storage, self._specs = run_storage, event_storage, specs

    def environment_variable_names(self) -> set[str]:
        """The environment variables that this instance's dagster.yaml reads (`{env: NAME}`)."""
        return set().union(*(env_names(spec.config) for spec in self._specs.values()))

    def describe(self) -> list[str]:
        """Each part of the instance as a line: its class and its config, secrets redacted
        (values from the environment shown as `{env: NAME}`)."""
        if not self._specs:
            return ["ephemeral: runs and events in memory; set DAGSTER_HOME to keep them"]
        return [
            f"{part}: {spec.module}.{spec.class_name} {redact_config(dict(spec.config))}"
            for part, spec in self._specs.items()
        ] + [f"run_monitoring: dead_after_seconds={self.dead_after_seconds}"]

    @classmethod
    def get(cls) -> DagsterInstance:
        """`$DAGSTER_HOME` (its dagster.yaml, else SQLite files under it) when set, else an
        ephemeral instance."""
        home = os.environ.get("DAGSTER_HOME")
        return cls.from_home(home) if home else cls.ephemeral()

    @classmethod
    def local_temp(cls) -> DagsterInstance:
        """A local (SQLite) instance in a temporary directory removed with the instance: for tests."""
        home = tempfile.mkdtemp(prefix="dagster-home-")
        instance = cls.from_home(home)
        weakref.finalize(instance, shutil.rmtree, home, ignore_errors=True)
        return instance

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
            environment_dict=redact_config(dict(environment_dict or {})),  # kept without secrets
            mode=mode,
            tags=dict(tags or {}),
            solid_subset=None if solid_subset is None else tuple(solid_subset),
            step_keys_to_execute=None
            if step_keys_to_execute is None
            else tuple(step_keys_to_execute),
            parent_run_id=parent_run_id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
        )
        return self.run_storage.add_run(run)

    def claim_run(self, run_id: str) -> None:
        """Record this process as the one driving the run (it was recorded by another, which
        launched it), so that the run is marked FAILURE if this process dies."""
        self.run_storage.update_run_process(run_id, socket.gethostname(), os.getpid())

    def release_run(self, run_id: str) -> None:
        """Record that no process drives the run for now (between the tasks of an Airflow DAG
        run): it is then marked FAILURE only after `dead_after_seconds` without an event."""
        self.run_storage.update_run_process(run_id, socket.gethostname(), None)

    def get_run_by_id(self, run_id: str) -> PipelineRun | None:
        run = self.run_storage.get_run_by_id(run_id)
        return None if run is None else self._check_alive(run)

    def get_runs(
        self, filters: RunsFilter | None = None, cursor: str | None = None, limit: int | None = None
    ) -> list[PipelineRun]:
        """Runs newest first; a STARTED run whose process died is marked FAILURE on the way."""
        return [self._check_alive(r) for r in self.run_storage.get_runs(filters, cursor, limit)]

    def _check_alive(self, run: PipelineRun) -> PipelineRun:
        """Mark a STARTED run FAILURE, with the reason, if its process is gone (when it ran on
        this host, where that can be checked) or, run elsewhere, no event has come for
        `dead_after_seconds`. A live process on this host keeps its run alive however quiet."""
        if run.status not in ACTIVE_STATUSES or run.pid == os.getpid():
            return run
        reason = None
        if run.hostname == socket.gethostname() and run.pid:
            if not _process_is_gone(run.pid):
                return run
            reason = f"the process that ran it (pid {run.pid} on {run.hostname}) is gone"
        else:
            events = self.event_storage.get_logs_for_run(run.run_id)
            last = events[-1].timestamp if events else run.created_at
            if time.time() - last > self.dead_after_seconds:
                reason = (
                    f"no event for {time.time() - last:.0f}s (limit {self.dead_after_seconds}s)"
                )
        if reason is None:
            return run
        self.store_events(
            [
                DagsterEvent(
                    DagsterEventType.PIPELINE_FAILURE,
                    run.run_id,
                    run.pipeline_name,
                    message=f"Run marked FAILURE: {reason}",
                    level=logging.ERROR,
                )
            ]
        )
        return self.run_storage.get_run_by_id(run.run_id) or run

    def delete_run(self, run_id: str) -> None:
        """Forget a run: its record and its events."""
        self.event_storage.delete_events(run_id)
        self.run_storage.delete_run(run_id)

    def terminate_run(self, run_id: str) -> bool:
        """Ask a running run to stop, from any process: its driver cancels the steps that are
        running and marks it CANCELED. False when the run is not running."""
        run = self.run_storage.get_run_by_id(run_id)
        if run is None or run.status is not PipelineRunStatus.STARTED:
            return False
        self.run_storage.update_run_status(
            run_id, PipelineRunStatus.CANCELING, "termination requested"
        )
        return True

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

    def watch_event_logs(self, run_id: str, cursor: int, callback: EventCallback) -> None:
        """Call `callback` with each event of the run after position `cursor`, as any process
        stores it, until `end_watch_event_logs`."""
        self.event_storage.watch(run_id, cursor, callback)

    def end_watch_event_logs(self, run_id: str, callback: EventCallback) -> None:
        self.event_storage.end_watch(run_id, callback)

    # -- files ----------------------------------------------------------------------------------

    def storage_directory(self) -> str:
        """Where filesystem intermediates go when the run config names no base_dir."""
        return self.local_artifact_storage.storage_dir

    def wipe(self) -> None:
        self.run_storage.wipe()
        self.event_storage.wipe()

    def dispose(self) -> None:
        """Close database connections and watcher threads."""
        self.event_storage.dispose()
        self.run_storage.dispose()
        self.schedule_storage.dispose()
