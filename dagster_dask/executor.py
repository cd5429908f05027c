"""The dask executor: the whole plan submitted at once as one Dask graph.

Each task depends on the tasks of its upstream steps, so Dask decides order and placement. A task
runs one step, or a chain of steps in which each step is the only downstream step of the one
before and the only one it waits for: Dask could not run such steps side by side anyway, and
one task spares a scheduler round trip per step (as `dask.optimization.fuse` does for linear
tasks). A task returns only small StepResults; data goes through the intermediate store and
events through the event log, which the driver watches to yield them as they are written.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from typing import Any

from dask._task_spec import Task, TaskRef
from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
from distributed import Client, Future, as_completed
from distributed.comm.addressing import parse_address, parse_host_port

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
from dagster_core.definitions.retries import retries_config
from dagster_core.events import DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.step_runner import StepResult
from dagster_core.execution.step_session import RunPayload
from dagster_core.executors.base import Executor, LaunchContext, StepCompletion
from dagster_core.instance import DagsterInstance
from dagster_dask.clusters import (
    ClusterChoice,
    DagsterDaskError,
    dask_client,
    read_scheduler_file,
)
from dagster_dask.worker import (
    PAYLOAD_PREFIX,
    STEP_TASK,
    MarkRecomputes,
    ReleaseForgottenRuns,
    flush_run,
    pass_payload,
    release_run,
    run_steps_task,
    unavailable_step,
)

_CONNECT_TIMEOUT = 30.0
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
                    "address": Field(ConfigString, is_optional=True),
                    "scheduler_file": Field(
                        ConfigString,
                        is_optional=True,
                        description="Instead of address: the JSON file `dask scheduler "
                        "--scheduler-file PATH` writes.",
                    ),
                    "timeout": Field(ConfigFloat, default_value=_CONNECT_TIMEOUT),
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

# The seed's flat keys (`dask: {config: {address, timeout, scheduler_file}}`): a spelling of
# `cluster: existing`.
_SEED_KEYS = ("address", "scheduler_file", "timeout")

DASK_CONFIG = {
    "cluster": Field(
        _CLUSTER,
        is_optional=True,
        description="Where steps run; a new local cluster unless this or address / "
        "scheduler_file says otherwise.",
    ),
    "address": Field(
        ConfigString,
        is_optional=True,
        description="The seed's spelling of cluster: {existing: {address}}.",
    ),
    "scheduler_file": Field(
        ConfigString,
        is_optional=True,
        description="The seed's spelling of cluster: {existing: {scheduler_file}}.",
    ),
    "timeout": Field(
        ConfigFloat,
        is_optional=True,
        description="With address or scheduler_file: seconds to wait for the scheduler "
        f"(default {_CONNECT_TIMEOUT}).",
    ),
    "retries": retries_config(),
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


def _cluster_choice(config: Mapping[str, Any]) -> ClusterChoice:
    """The cluster the executor's validated config chooses: `cluster:`, else the seed's
    address / scheduler_file as an existing cluster, else a new local one."""
    if "cluster" in config:
        ((kind, settings),) = config["cluster"].items()
        return ClusterChoice(kind, settings or {}, ("execution", "dask", "cluster", kind))
    seed = {key: config[key] for key in _SEED_KEYS if key in config}
    if "address" in seed or "scheduler_file" in seed:
        return ClusterChoice(
            "existing", {"timeout": _CONNECT_TIMEOUT, **seed}, ("execution", "dask")
        )
    return ClusterChoice("local", {}, ("execution", "dask", "cluster", "local"))


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


def _scheduler_snapshot(client: Client) -> tuple[str, list[Mapping[str, float]]]:
    """The scheduler's id and the resources each of its workers offers (one round trip)."""
    info = client.scheduler_info(n_workers=-1)
    return info["id"], [w.get("resources", {}) for w in info["workers"].values()]


# The id of the scheduler each client installed the executor's plugins on: a process keeps its
# client across runs (dagster_dask.clusters), and a plugin stays with its scheduler, so they are
# installed again only on a new scheduler (one restarted at the same address among them).
_plugins_installed: weakref.WeakKeyDictionary[Client, str] = weakref.WeakKeyDictionary()


def _offered(offers: Sequence[Mapping[str, float]], wanted: Mapping[str, float]) -> bool:
    return any(all(o.get(name, 0) >= amount for name, amount in wanted.items()) for o in offers)


def _task_key(solid_def_name: str, run_id: str, step_key: str) -> str:
    """`<solid definition>-<run id>-<step key>`: Dask groups tasks by the words before the run id,
    so the steps of one solid definition share a task group (one colour on the dashboard, one
    duration estimate for work stealing, queued across workers) and concurrent runs never
    share a key."""
    return f"{solid_def_name}-{run_id}-{step_key}"


def _chains(
    steps: Sequence[ExecutionStep],
    options: Mapping[str, Mapping[str, Any]],
    unavailable: Mapping[str, str],
) -> list[list[str]]:
    """The steps (in topological order) grouped into the runs of steps that each make one task:
    a step joins the chain of its only upstream step in the plan when it is that step's only
    downstream step and both run (are not `unavailable`) with the same Dask `options`."""
    by_key = {s.key: s for s in steps}
    downstream: dict[str, int] = defaultdict(int)
    for step in steps:
        for key in step.upstream_keys & by_key.keys():
            downstream[key] += 1
    chain_of: dict[str, list[str]] = {}
    chains: list[list[str]] = []
    for step in steps:
        upstream = list(step.upstream_keys & by_key.keys())
        joins = (
            len(upstream) == 1
            and downstream[upstream[0]] == 1
            and step.key not in unavailable
            and upstream[0] not in unavailable
            and options[step.key] == options[upstream[0]]
        )
        chain = chain_of[upstream[0]] if joins else []
        if not joins:
            chains.append(chain)
        chain.append(step.key)
        chain_of[step.key] = chain
    return chains


# A future in these states has not ended: pending, or lost with its worker and to be recomputed.
_RUNNING = frozenset({"pending", "lost"})


def _completion(step_key: str, future: Future, index: int) -> StepCompletion:
    """What the finished future of the task that ran a step (its `index`-th) says. A task that
    finished has stored its steps' end events, so their results need not travel back (rarely,
    fetch one)."""
    if future.status == "finished":
        return StepCompletion(step_key, fetch_result=lambda: future.result()[index])
    if future.status == "cancelled":
        return StepCompletion(step_key, failure="its Dask task was cancelled")
    exc = future.exception()
    return StepCompletion(
        step_key,
        failure=f"its Dask task failed: {type(exc).__name__}: {exc}",
        error=ErrorInfo.from_exception(exc),
    )


class DaskExecutor(Executor):
    """Submits every step of the plan to a Dask cluster at once and reports completions."""

    takes_whole_plan = True

    def __init__(self, config: Mapping[str, Any]):
        self.cluster = _cluster_choice(config)
        self.adapt = config.get("adapt")
        self.worker_timeout = config["worker_timeout"]
        self._stack = ExitStack()
        self._client: Client | None = None
        self._payload: Future | None = None
        self._futures: dict[str, Future] = {}  # by the key of the task's first step
        self._chains: dict[str, list[str]] = {}  # the step keys each task runs, by its first
        self._upstream: dict[str, list[str]] = {}  # the tasks each task waits for, by first step
        self._unavailable: dict[str, str] = {}

    def _engine_event(self, message: str, **data: Any) -> DagsterEvent:
        ctx = self.launch_context.ctx
        return DagsterEvent(
            DagsterEventType.ENGINE_EVENT, ctx.run_id, ctx.pipeline.name, message, data=data
        )

    def start(self, launch: LaunchContext) -> Iterator[DagsterEvent]:
        super().start(launch)
        client = self._client = self._stack.enter_context(dask_client(self.cluster, self.adapt))
        scheduler_id, offers = _scheduler_snapshot(client)
        if _plugins_installed.get(client) != scheduler_id:
            try:
                client.register_plugin(ReleaseForgottenRuns())
                client.register_plugin(MarkRecomputes())
            except ImportError as exc:  # the scheduler's, sent back
                raise DagsterDaskError(
                    f"The Dask scheduler at {client.scheduler.address} cannot import dagster "
                    f"({type(exc).__name__}: {exc}): install dagster in the scheduler's "
                    "environment as in the workers'; the scheduler reads each run's task graph"
                ) from None
            _plugins_installed[client] = scheduler_id
        yield self._engine_event(
            f"Dask cluster at {client.scheduler.address} with {len(offers)} workers; "
            f"dashboard: {client.dashboard_link}",
            dashboard=client.dashboard_link,
            scheduler=client.scheduler.address,
        )
        if not offers:
            yield from self._wait_for_workers()
            _, offers = _scheduler_snapshot(client)
        self._unavailable = yield from self._unavailable_resources(offers)

    def _wait_for_workers(self) -> Iterator[DagsterEvent]:
        """Say so, then wait up to `worker_timeout` for a worker to join the cluster."""
        client = self._client
        assert client is not None
        yield self._engine_event(
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

    def _unavailable_resources(
        self, offers: Sequence[Mapping[str, float]]
    ) -> Iterator[DagsterEvent]:
        """Why each step whose `dask/resources` no worker offers (`offers`: what each worker
        offers now) after waiting `worker_timeout` cannot run."""
        client = self._client
        assert client is not None
        steps = self.launch_context.ctx.plan.steps_to_execute
        wanted = {
            s.key: _submit_options(s)["resources"] for s in steps if "dask/resources" in s.tags
        }
        missing = {k: r for k, r in wanted.items() if not _offered(offers, r)}
        if missing:
            yield self._engine_event(
                f"Waiting up to {self.worker_timeout}s for workers with resources: "
                + "; ".join(f"{k} needs {r}" for k, r in missing.items()),
            )
            deadline = time.monotonic() + self.worker_timeout
            while missing and time.monotonic() < deadline:
                time.sleep(0.2)
                _, offers = _scheduler_snapshot(client)
                missing = {k: r for k, r in missing.items() if not _offered(offers, r)}
        return {
            key: f"no Dask worker offers the resources {resources} that step {key} needs "
            f"(waited {self.worker_timeout}s; start workers with `--resources`)"
            for key, resources in missing.items()
        }

    def launch(
        self, steps: Sequence[ExecutionStep], results: Mapping[str, StepResult]
    ) -> Iterator[DagsterEvent]:
        """Submit the whole plan as one Dask graph, in one message to the scheduler, which
        orders its tasks (`dask.order`); each layer of it holds the tasks of one set of options."""
        client, launch = self._client, self.launch_context
        assert client is not None and launch.instance_ref is not None
        run_id = launch.ctx.run_id
        by_key = {s.key: s for s in steps}
        solids = launch.ctx.pipeline.solids_by_handle
        # a stand-in for a step no worker can run asks for nothing
        options = {s.key: {} if s.key in self._unavailable else _submit_options(s) for s in steps}
        self._chains = {chain[0]: chain for chain in _chains(steps, options, self._unavailable)}
        keys: dict[str, str] = {}  # task key by step key
        for first, chain in self._chains.items():
            named = first if len(chain) == 1 else f"{first}..{chain[-1]}"
            key = _task_key(solids[by_key[first].solid_name].name, run_id, named)
            keys.update(dict.fromkeys(chain, key))
        # a task rather than scattered data: Dask can recompute it if its worker dies
        payload_key = f"{PAYLOAD_PREFIX}{run_id}"
        payload = RunPayload.of(launch.ctx, launch.instance_ref)
        layers: dict[str, dict[str, Task]] = {
            payload_key: {payload_key: Task(payload_key, pass_payload, payload)}
        }
        annotations: dict[str, dict[str, Any]] = {}
        first_of = {keys[first]: first for first in self._chains}
        for first, chain in self._chains.items():
            step, key = by_key[first], keys[first]
            upstream = sorted({keys[u] for u in step.upstream_keys if u in keys})
            self._upstream[first] = [first_of[u] for u in upstream]
            deps = [TaskRef(k) for k in upstream]
            if first in self._unavailable:
                task = Task(key, unavailable_step, self._unavailable[first], *deps)
            else:
                task = Task(key, run_steps_task, TaskRef(payload_key), tuple(chain), *deps)
            layer = f"dagster-steps-{run_id}-{sorted(options[first].items())}"
            layers.setdefault(layer, {})[key] = task
            annotations[layer] = {STEP_TASK: True, **options[first]}
        graph = HighLevelGraph(
            {
                name: MaterializedLayer(tasks, annotations=annotations.get(name))
                for name, tasks in layers.items()
            },
            {name: set() for name in layers},
        )
        wanted = [payload_key, *(keys[first] for first in self._chains)]
        futures = dict(zip(wanted, client.get(graph, wanted, sync=False), strict=True))
        # held: workers release the run once no client wants the payload
        self._payload = futures.pop(payload_key)
        self._futures = {first: futures[keys[first]] for first in self._chains}
        threading.Thread(
            target=self._report_completions, daemon=True, name="dagster-dask-completions"
        ).start()
        return iter(())

    def _report_completions(self) -> None:
        """Report the steps of each task that ended, upstream first. Only the tasks nothing
        depends on are watched: Dask runs a task after the tasks it depends on and errs it as
        soon as one of them errs, so when a watched task ends so have those it depends on,
        but for any still running beside a failure, watched from then on. (A client keeps a
        waiting coroutine per watched future: 40 MB for a fan-out of 10,000.)"""
        client = self._client
        assert client is not None
        first_of = {f.key: first for first, f in self._futures.items()}
        depended_on = {u for upstream in self._upstream.values() for u in upstream}
        watched = {first for first in self._futures if first not in depended_on}  # waited on now
        watching = as_completed([self._futures[f] for f in watched], loop=client.loop)
        reported: set[str] = set()
        for future in watching:
            watched.discard(first_of[future.key])
            ended, running = self._ended(first_of[future.key], reported)
            for first in ended:
                for index, step_key in enumerate(self._chains[first]):
                    self.launch_context.report(_completion(step_key, self._futures[first], index))
            for first in running:
                if first not in watched:
                    watched.add(first)
                    watching.add(self._futures[first])

    def _ended(self, last: str, reported: set[str]) -> tuple[list[str], list[str]]:
        """Of the task `last` and the tasks it depends on, not reported yet: those that ended,
        each after the tasks it depends on (now marked reported), and those still running
        (whose own upstream tasks are left for when they end)."""
        ended: list[str] = []
        running: list[str] = []
        stack = [(last, False)]
        while stack:
            first, walked = stack.pop()
            if walked:
                ended.append(first)
            elif first not in reported:
                if self._futures[first].status in _RUNNING:
                    running.append(first)
                    continue
                reported.add(first)
                stack.append((first, True))
                stack.extend((u, False) for u in self._upstream[first] if u not in reported)
        return ended, running

    def flush(self) -> None:
        client = self._client
        assert client is not None
        client.run(flush_run, self.launch_context.ctx.run_id)

    def cancel(self) -> None:
        client = self._client
        if client is None:
            return
        client.cancel(list(self._futures.values()), force=True)
        client.run(release_run, self.launch_context.ctx.run_id, True)

    def close(self) -> None:
        """Let go of the run: the scheduler forgets its tasks once no client holds them (a task
        still pending is canceled), and each worker then releases the run
        (ReleaseForgottenRuns), off the driver's time; every step has ended and its events are
        stored by now."""
        client, self._client = self._client, None
        held = [f for f in (self._payload, *self._futures.values()) if f is not None]
        if client is not None and client.status == "running":
            pending = [f for f in held if not f.done()]
            if pending:
                client.cancel(pending)
        for future in held:
            future.release()
        self._stack.close()


def _address_problem(address: str) -> str | None:
    """Why `address` is not a Dask scheduler address, or None."""
    try:
        scheme, location = parse_address(address, strict=False)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        return (
            f'"{address}" is not a scheduler address ({exc}): expected tcp://HOST:PORT, '
            "HOST:PORT or tls://HOST:PORT, as `dask scheduler` prints it"
        )
    return None


def _existing_problems(choice: ClusterChoice) -> list[ConfigError]:
    """What is wrong with how an existing cluster's scheduler is given."""
    given = [key for key in ("address", "scheduler_file") if choice.config.get(key)]
    if not given:
        return [
            ConfigError(
                choice.config_path,
                "give the scheduler's address (tcp://HOST:PORT) or its scheduler_file (the file "
                "`dask scheduler --scheduler-file PATH` writes)",
            )
        ]
    if len(given) > 1:
        return [
            ConfigError(
                choice.config_path, "give the scheduler's address or its scheduler_file, not both"
            )
        ]
    (key,) = given
    if key == "address":
        problem = _address_problem(choice.config[key])
    else:
        try:
            read_scheduler_file(choice.config[key])
            problem = None
        except DagsterDaskError as exc:
            problem = str(exc)
    return [] if problem is None else [ConfigError((*choice.config_path, key), problem)]


def check_dask_run(
    config: Mapping[str, Any],
    storage_name: str,
    storage_config: Mapping[str, Any],
    instance: DagsterInstance,
) -> list[ConfigError]:
    """Refuse, before the run starts, what remote workers could not use, and a cluster chosen
    unclearly."""
    seed_keys = [key for key in _SEED_KEYS if key in config]
    if "cluster" in config and seed_keys:
        return [
            ConfigError(
                ("execution", "dask", seed_keys[0]),
                f"{', '.join(seed_keys)} (the seed's spelling of cluster: existing) and cluster "
                "both choose the cluster: give one of them",
            )
        ]
    choice = _cluster_choice(config)
    errors = _existing_problems(choice) if choice.kind == "existing" else []
    if choice.kind != "local" and not instance.is_persistent:
        errors.append(
            ConfigError(
                choice.config_path,
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
