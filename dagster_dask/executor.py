"""The dask executor: the whole plan submitted at once as futures, one per step.

Each step's future depends on its upstream steps' futures, so Dask decides order and placement.
A step returns only a small StepResult; data goes through the intermediate store and events
through the event log, which the driver watches to yield them as they are written.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from distributed import Client, Future, as_completed

from dagster_core.config import (
    ConfigBool,
    ConfigError,
    ConfigFloat,
    ConfigInt,
    ConfigString,
    Field,
    Permissive,
    Selector,
    Shape,
)
from dagster_core.definitions.executor import executor
from dagster_core.events import (
    STEP_END_EVENTS,
    DagsterEvent,
    DagsterEventType,
    ErrorInfo,
    engine_step_failure,
)
from dagster_core.execution.context import RunContext
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.recorder import StoredEvent
from dagster_core.execution.termination import TerminationCheck
from dagster_core.instance import DagsterInstance
from dagster_core.instance.config import ClassSpec, build_part, resolve_spec
from dagster_core.storage import EventLogStorage
from dagster_core.user_code import pickle_with_user_code
from dagster_dask.clusters import DagsterDaskError, dask_client
from dagster_dask.worker import (
    RunPayload,
    forget_run,
    pass_payload,
    run_step_task,
    unavailable_step,
)

_CLUSTER = Selector(
    {
        "local": Field(
            Shape(
                {
                    "n_workers": Field(ConfigInt, is_optional=True),
                    "threads_per_worker": Field(ConfigInt, default_value=1),
                    "processes": Field(ConfigBool, default_value=True),
                    "dashboard_address": Field(ConfigString, default_value=":0"),
                }
            )
        ),
        "existing": Field(
            Shape(
                {
                    "address": Field(ConfigString),
                    "timeout": Field(ConfigFloat, default_value=30.0),
                }
            )
        ),
        "custom": Field(
            Shape(
                {
                    "module": Field(ConfigString),
                    "class": Field(ConfigString),
                    "kwargs": Field(Permissive(), is_optional=True),
                }
            )
        ),
    }
)

DASK_CONFIG = {
    "cluster": Field(_CLUSTER, default_value={"local": {}}),
    "adapt": Field(
        Shape({"minimum": Field(ConfigInt), "maximum": Field(ConfigInt)}), is_optional=True
    ),
    "worker_timeout": Field(
        ConfigFloat,
        default_value=60.0,
        description="Seconds to wait for workers (or for a worker with a step's resources) "
        "before failing with that reason.",
    ),
}


def _submit_options(step: ExecutionStep) -> dict[str, Any]:
    """Solid tags `dask/resources`, `dask/priority` and `dask/retries` as Client.submit options."""
    options: dict[str, Any] = {}
    if "dask/resources" in step.tags:
        options["resources"] = dict(step.tags["dask/resources"])
    if "dask/priority" in step.tags:
        options["priority"] = int(step.tags["dask/priority"])
    if "dask/retries" in step.tags:
        options["retries"] = int(step.tags["dask/retries"])
    return options


def _offered(client: Client, wanted: Mapping[str, float]) -> bool:
    workers = client.scheduler_info(n_workers=-1)["workers"].values()
    return any(
        all(w.get("resources", {}).get(name, 0) >= amount for name, amount in wanted.items())
        for w in workers
    )


class DaskExecutor:
    """Submits every step of the plan to a Dask cluster and relays the steps' events."""

    def __init__(self, config: Mapping[str, Any]):
        self.cluster = config["cluster"]
        self.adapt = config.get("adapt")
        self.worker_timeout = config["worker_timeout"]

    def _event_log(self, instance: DagsterInstance) -> tuple[ClassSpec, EventLogStorage, bool]:
        """Where workers write events: the instance's own log when it is a persistent one,
        else a SQLite log in the instance's artifact directory that the driver copies from."""
        spec = instance.specs.get("event_log_storage")
        if instance.is_persistent and spec is not None:
            # resolved here, so workers need no copy of the driver's environment variables
            return (
                resolve_spec(instance.source, "event_log_storage", spec),
                instance.event_storage,
                True,
            )
        directory = tempfile.mkdtemp(
            prefix="dask-events-", dir=instance.local_artifact_storage.base_dir
        )
        spec = ClassSpec(
            "storage_backends.sqlite", "SqliteEventLogStorage", {"base_dir": directory}
        )
        return (
            spec,
            build_part("<dask executor>", "event_log_storage", spec, EventLogStorage),
            False,
        )

    def _engine_event(self, ctx: RunContext, message: str, **data: Any) -> DagsterEvent:
        return DagsterEvent(
            DagsterEventType.ENGINE_EVENT, ctx.run_id, ctx.pipeline.name, message, data=data
        )

    def _wait_for_workers(self, ctx: RunContext, client: Client) -> Iterator[DagsterEvent]:
        """Say so, then wait up to `worker_timeout` when the cluster has no worker yet."""
        if client.scheduler_info()["workers"]:
            return
        yield self._engine_event(
            ctx,
            f"Waiting up to {self.worker_timeout}s for a Dask worker to join the scheduler at "
            f"{client.scheduler.address}",
        )
        try:
            client.wait_for_workers(1, timeout=self.worker_timeout)
        except TimeoutError:
            raise DagsterDaskError(
                f"No Dask worker joined the scheduler at {client.scheduler.address} within "
                f"{self.worker_timeout}s (execution.dask.worker_timeout)"
            ) from None

    def execute(
        self, ctx: RunContext, instance: DagsterInstance
    ) -> Iterator[DagsterEvent | StoredEvent]:
        spec, event_log, stored = self._event_log(instance)
        steps = ctx.plan.steps_to_execute
        with dask_client(self.cluster, self.adapt) as client:
            workers = len(client.scheduler_info()["workers"])
            yield self._engine_event(
                ctx,
                f"Dask cluster at {client.scheduler.address} with {workers} workers; "
                f"dashboard: {client.dashboard_link}",
                dashboard=client.dashboard_link,
                scheduler=client.scheduler.address,
            )
            yield from self._wait_for_workers(ctx, client)
            missing = yield from self._unavailable_resources(ctx, client, steps)
            # a task rather than scattered data: Dask can recompute it if its worker dies
            payload = client.submit(
                pass_payload,
                RunPayload(ctx.run_id, pickle_with_user_code(ctx), spec),
                key=f"payload-{ctx.run_id}",
                pure=False,
            )
            futures: dict[str, Future] = {}
            for step in steps:
                deps = [futures[k] for k in sorted(step.upstream_keys) if k in futures]
                key = f"{step.key}-{ctx.run_id}"
                if step.key in missing:
                    futures[step.key] = client.submit(
                        unavailable_step, step.key, key=key, pure=False
                    )
                else:
                    futures[step.key] = client.submit(
                        run_step_task,
                        payload,
                        step.key,
                        *deps,
                        key=key,
                        pure=False,
                        **_submit_options(step),
                    )
            inbox: queue.Queue = queue.Queue()
            event_log.watch(ctx.run_id, -1, inbox.put)
            threading.Thread(
                target=_relay_completions, args=(client, futures, inbox), daemon=True
            ).start()
            try:
                yield from self._relay(
                    ctx, steps, inbox, stored, missing, TerminationCheck(instance, ctx.run_id)
                )
            finally:
                event_log.end_watch(ctx.run_id, inbox.put)
                client.cancel(list(futures.values()), force=True)
                client.run(forget_run, ctx.run_id)
                if not stored:
                    event_log.dispose()

    def _unavailable_resources(
        self, ctx: RunContext, client: Client, steps: list[ExecutionStep]
    ) -> Iterator[DagsterEvent]:
        """Steps whose `dask/resources` no worker offers after waiting `worker_timeout`."""
        wanted = {
            s.key: _submit_options(s)["resources"] for s in steps if "dask/resources" in s.tags
        }
        missing = {k: r for k, r in wanted.items() if not _offered(client, r)}
        if missing:
            yield self._engine_event(
                ctx,
                f"Waiting up to {self.worker_timeout}s for workers with resources: "
                + "; ".join(f"{k} needs {r}" for k, r in missing.items()),
            )
            deadline = time.monotonic() + self.worker_timeout
            while missing and time.monotonic() < deadline:
                time.sleep(0.2)
                missing = {k: r for k, r in missing.items() if not _offered(client, r)}
        reasons = {}
        for key, resources in missing.items():
            reasons[key] = (
                f"no Dask worker offers the resources {resources} that step {key} needs "
                f"(waited {self.worker_timeout}s; start workers with `--resources`)"
            )
        return reasons

    def _relay(
        self,
        ctx: RunContext,
        steps: list[ExecutionStep],
        inbox: queue.Queue,
        stored: bool,
        missing: Mapping[str, str],
        check_termination: TerminationCheck,
    ) -> Iterator[DagsterEvent | StoredEvent]:
        """Pass on step events until every step has ended; a task that failed outside the step
        runner (its worker kept dying, say) fails its step with the reason."""
        ended: set[str] = set()
        keys = {s.key: s for s in steps}
        while len(ended) < len(keys):
            check_termination()
            try:
                item = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(item, DagsterEvent):
                if item.step_key not in keys or item.step_key in ended:
                    continue
                yield StoredEvent(item) if stored else item
                if item.event_type in STEP_END_EVENTS:
                    ended.add(item.step_key)
                continue
            step_key, future = item
            if step_key in ended:
                continue
            if step_key in missing or future.status in ("error", "cancelled"):
                if step_key in missing:
                    message, error = missing[step_key], None
                elif future.status == "cancelled":
                    message, error = "its Dask task was cancelled", None
                else:
                    exc = future.exception()
                    message, error = (
                        f"its Dask task failed: {type(exc).__name__}: {exc}",
                        ErrorInfo.from_exception(exc),
                    )
                ended.add(step_key)
                yield engine_step_failure(
                    ctx.run_id,
                    ctx.pipeline.name,
                    step_key,
                    keys[step_key].solid_name,
                    f"Step {step_key} failed: {message}",
                    error=error,
                )


def _relay_completions(client: Client, futures: Mapping[str, Future], inbox: queue.Queue) -> None:
    by_future = {f.key: k for k, f in futures.items()}
    for future in as_completed(list(futures.values()), loop=client.loop):
        inbox.put((by_future[future.key], future))


def check_dask_run(
    config: Mapping[str, Any],
    storage_name: str,
    storage_config: Mapping[str, Any],
    instance: DagsterInstance,
) -> list[ConfigError]:
    """Refuse, before the run starts, what remote workers could not use."""
    ((kind, _),) = config["cluster"].items()
    errors = []
    if kind != "local" and not instance.is_persistent:
        errors.append(
            ConfigError(
                ("execution", "dask", "cluster", kind),
                "workers of an existing or custom cluster write events to the instance's "
                "database, so they need a shared one: set DAGSTER_HOME to an instance whose "
                "dagster.yaml uses PostgreSQL (see cluster_configs/postgres_instance.yaml)",
            )
        )
    base_dir = (storage_config or {}).get("base_dir")
    if storage_name == "filesystem" and base_dir and not os.path.isabs(base_dir):
        errors.append(
            ConfigError(
                ("storage", "filesystem", "base_dir"),
                f'"{base_dir}" is not absolute: every Dask worker must reach the same path; '
                "use an absolute path on a shared filesystem, or s3 storage",
            )
        )
    return errors


@executor(
    name="dask", config=DASK_CONFIG, requires_persistent_storage=True, check_run=check_dask_run
)
def dask_executor(config: Mapping[str, Any]) -> DaskExecutor:
    """Run the plan on a Dask cluster: local, an existing scheduler, or any cluster class."""
    return DaskExecutor(config)
