"""The suite: which combinations of workload, executor, storage and instance are measured, and how
each becomes Records next to its baseline.

The combinations answer "which executor, storage and instance should I pick" without the full cross
product: wide and chain on every executor (filesystem, SQLite); wide with PostgreSQL on in_process
and dask; data on filesystem and S3; the event log per backend; and how plan build and run time
grow with N.
"""

from __future__ import annotations

import functools
import secrets
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from distributed import get_task_stream

from benchmarks import graphql_api, webui_pages, workloads
from benchmarks.events import read_run, step_batches, write_batches
from benchmarks.measure import MB, Progress, Record, Sample, record, repeat, repeat_beside
from benchmarks.services import BUCKET, WORKERS, Services, instance
from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    PipelineDefinition,
    PipelineExecutionResult,
    execute_pipeline,
)
from dagster_core.execution.plan import ExecutionPlan, build_execution_plan
from dagster_core.execution.run_config import resolve_environment
from dagster_core.executors import default_executors
from dagster_core.storage import EventLogStorage, InMemoryEventLogStorage
from storage_backends.filesystem import FilesystemIntermediateStore
from storage_backends.postgres import PostgresEventLogStorage
from storage_backends.s3 import s3_client
from storage_backends.sqlite import SqliteEventLogStorage

WORKLOADS = ("wide", "chain", "data", "events", "scale", "graphql", "webui")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
BASELINE_NAMES = {
    "loop": "python loop",
    "futures": "distributed futures",
    "files": "plain files",
    "boto3": "boto3",
}


@dataclass(frozen=True)
class Settings:
    """Repetitions and workload sizes: the defaults, or smaller ones for `--quick`."""

    reps: int
    warmup: int
    wide_n: int
    chain_n: int
    data_bytes: int
    events: int
    scale_ns: tuple[int, ...]
    runs: int  # runs the graphql workload lists from

    @classmethod
    def make(cls, quick: bool, reps: int | None = None) -> Settings:
        if quick:
            return cls(reps or 2, 1, 200, 100, 8 * MB, 2_000, (100, 1_000), 1_000)
        return cls(reps or 5, 1, 200, 100, 64 * MB, 10_000, (100, 1_000, 10_000), 10_000)

    @property
    def calls(self) -> int:
        """Calls of one measured function: warm-ups, repetitions and the memory run."""
        return self.warmup + self.reps + 1

    @property
    def baseline_calls(self) -> int:
        """Calls of one baseline, whose memory is not measured."""
        return self.warmup + self.reps


@dataclass(frozen=True)
class PipelineCase:
    """One pipeline run on one executor, storage and instance, against its baseline."""

    workload: str
    n: int
    executor: str
    storage: str
    instance: str
    timeline: bool = False

    @property
    def label(self) -> str:
        return f"{self.workload} {self.executor} {self.storage} {self.instance}"

    @property
    def needs(self) -> set[str]:
        return {
            need
            for need, used in (
                ("dask", self.executor == "dask"),
                ("s3", self.storage == "s3"),
                ("postgres", self.instance == "postgres"),
            )
            if used
        }

    @property
    def baseline(self) -> tuple[str, str, int]:
        """(workload, kind, n) of the baseline: raw futures for dask, plain file or boto3 I/O
        for data, else a plain Python loop."""
        if self.workload == "data":
            return (self.workload, "boto3" if self.storage == "s3" else "files", self.n)
        return (self.workload, "futures" if self.executor == "dask" else "loop", self.n)

    def calls(self, settings: Settings) -> int:
        return settings.calls + (1 if self.timeline else 0)


@dataclass(frozen=True)
class EventsCase:
    """Event-log write and read rate of one backend."""

    backend: str
    workload: str = "events"

    @property
    def label(self) -> str:
        return f"events {self.backend}"

    @property
    def needs(self) -> set[str]:
        return {"postgres"} if self.backend == "postgres" else set()

    @property
    def baseline(self) -> None:
        return None

    def calls(self, settings: Settings) -> int:
        return 2 * settings.calls


@dataclass(frozen=True)
class ScaleCase:
    """The wide pipeline with `n` no-op solids: plan build and in-process run time, or (dask)
    a run on the warm cluster against raw futures of the same graph."""

    n: int
    executor: str = "in_process"
    workload: str = "scale"

    @property
    def label(self) -> str:
        return f"scale {self.executor} n={self.n:,}"

    @property
    def needs(self) -> set[str]:
        return {"dask"} if self.executor == "dask" else set()

    @property
    def baseline(self) -> tuple[str, str, int]:
        return ("wide", "futures" if self.executor == "dask" else "loop", self.n)

    def calls(self, settings: Settings) -> int:
        return settings.calls if self.executor == "dask" else 2 * settings.calls


@dataclass(frozen=True)
class GraphqlCase:
    """The GraphQL API on a real server over one instance (PostgreSQL, else SQLite)."""

    workload: str = "graphql"
    label: str = "graphql"
    needs: frozenset[str] = frozenset({"postgres"})
    baseline: None = None

    def calls(self, settings: Settings) -> int:
        return 3 * settings.calls + settings.warmup + graphql_api.SUBSCRIBER_EVENTS + 1


@dataclass(frozen=True)
class WebuiCase:
    """The web UI in a real browser on a real `dagit` (SQLite instance)."""

    workload: str = "webui"
    label: str = "webui"
    needs: frozenset[str] = frozenset()
    baseline: None = None

    def calls(self, settings: Settings) -> int:
        return 4 * settings.baseline_calls + 1


Case = PipelineCase | EventsCase | ScaleCase | GraphqlCase | WebuiCase


def plan_cases(settings: Settings, only: set[str]) -> list[Case]:
    """The cases of the selected workloads, in report order."""
    wide, chain, data = settings.wide_n, settings.chain_n, settings.data_bytes
    cases: list[Case] = [
        PipelineCase("wide", wide, "in_process", "filesystem", "sqlite"),
        PipelineCase("wide", wide, "multiprocess", "filesystem", "sqlite"),
        PipelineCase("wide", wide, "dask", "filesystem", "sqlite", timeline=True),
        PipelineCase("wide", wide, "in_process", "filesystem", "postgres"),
        PipelineCase("wide", wide, "dask", "filesystem", "postgres"),
        PipelineCase("chain", chain, "in_process", "filesystem", "sqlite"),
        PipelineCase("chain", chain, "multiprocess", "filesystem", "sqlite"),
        PipelineCase("chain", chain, "dask", "filesystem", "sqlite"),
        PipelineCase("data", data, "in_process", "filesystem", "sqlite"),
        PipelineCase("data", data, "in_process", "s3", "sqlite"),
        PipelineCase("data", data, "multiprocess", "filesystem", "sqlite"),
        PipelineCase("data", data, "dask", "filesystem", "sqlite"),
        PipelineCase("data", data, "dask", "s3", "sqlite"),
        *(EventsCase(backend) for backend in ("in_memory", "sqlite", "postgres")),
        *(ScaleCase(n) for n in settings.scale_ns),
        ScaleCase(settings.scale_ns[-1], "dask"),
        GraphqlCase(),
        WebuiCase(),
    ]
    return [case for case in cases if case.workload in only]


def progress_units(cases: list[Case], settings: Settings) -> int:
    """Timed and warm-up calls the cases make, their baselines' among them."""
    beside = sum(1 for case in cases if case.baseline is not None)
    return sum(case.calls(settings) for case in cases) + beside * settings.baseline_calls


@dataclass(frozen=True)
class TimelineBar:
    """One step of a Dask run: which worker ran it, from when to when (seconds from the run's
    first STEP_START)."""

    step_key: str
    worker: str
    start_s: float
    end_s: float


def timeline_summary(bars: list[TimelineBar]) -> str:
    """One sentence on the Dask timeline: steps per worker, a step's median duration, the span."""
    per_worker = Counter(bar.worker for bar in bars)
    durations = statistics.median(bar.end_s - bar.start_s for bar in bars)
    span = max(bar.end_s for bar in bars)
    counts = ", ".join(f"{worker} ran {n}" for worker, n in sorted(per_worker.items()))
    return (
        f"Dask timeline (one wide run, {len(bars)} steps): {counts}; a step takes "
        f"{durations * 1e3:.1f} ms (median) from STEP_START to STEP_SUCCESS; {span:.2f} s from "
        "the first STEP_START to the last STEP_SUCCESS."
    )


def build_plan(pipeline: PipelineDefinition, environment_dict: dict[str, Any]) -> ExecutionPlan:
    """What a run does before any step: validate the run config, build the ExecutionPlan."""
    mode = pipeline.get_mode(None)
    executor_defs = tuple(mode.executor_defs or default_executors)
    environment = resolve_environment(
        pipeline, mode, executor_defs, environment_dict, DagsterInstance.ephemeral()
    )
    return build_execution_plan(pipeline, environment)


def execute(
    pipeline: PipelineDefinition, environment_dict: dict[str, Any], on: DagsterInstance
) -> PipelineExecutionResult:
    """Run the pipeline; a failed run stops the suite rather than being timed."""
    result = execute_pipeline(pipeline, environment_dict, instance=on)
    if not result.success:
        raise RuntimeError(f"benchmark run {result.run_id} of {pipeline.name} failed")
    return result


def _output_write_us(scratch: str, steps: int = 200) -> float:
    """Microseconds the filesystem intermediate store takes to store one small step output in
    `scratch`: on some disks creating files, not Python, is most of it."""
    with tempfile.TemporaryDirectory(dir=scratch) as base_dir:
        store = FilesystemIntermediateStore(base_dir)
        seconds = []
        for step in range(steps):
            started = time.perf_counter()
            store.set_output("run", f"step_{step}.compute", "result", step)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1e6


class Suite:
    """Runs cases against started services, collecting Records, notes and one Dask timeline."""

    def __init__(self, settings: Settings, found: Services, progress: Progress):
        self.settings = settings
        self.found = found
        self.progress = progress
        self.records: list[Record] = []
        self.notes: list[str] = []
        self.timeline: list[TimelineBar] = []
        self._in_memory_events: dict[str, Sample] = {}  # the events cases' baselines, by phase
        if found.dask_start_s is not None:
            self.records.append(
                record(
                    Sample([found.dask_start_s], peak_mb=None),
                    workload="cluster",
                    executor="dask",
                    storage=None,
                    instance=None,
                    n=WORKERS,
                    steps=None,
                    phase="start",
                )
            )
        if found.postgres_missing:
            self.notes.append(found.postgres_missing)
        self.notes.append(
            f"The filesystem under {found.scratch} (intermediates and SQLite instances) takes "
            f"{_output_write_us(found.scratch):,.0f} us (median) to store one small step output "
            "(a directory, a temporary file renamed into place): part of every step's cost "
            "that Dask's own futures do not have."
        )

    def run(self, case: Case) -> None:
        if isinstance(case, GraphqlCase | WebuiCase):
            self.progress.describe(case.label)
            self._graphql_case() if isinstance(case, GraphqlCase) else self._webui_case()
            return
        if "postgres" in case.needs and self.found.postgres_url is None:
            self.progress.advance(case.calls(self.settings))
            return
        self.progress.describe(case.label)
        if isinstance(case, PipelineCase):
            self._pipeline_case(case)
        elif isinstance(case, EventsCase):
            self._events_case(case)
        else:
            self._scale_case(case)

    def _repeat(self, fn: Callable[[], Any], memory: bool = True) -> Sample:
        return repeat(fn, self.settings.reps, self.settings.warmup, self.progress.advance, memory)

    # -- baselines --------------------------------------------------------------------------------

    def _repeat_beside(
        self, fn: Callable[[], Any], key: tuple[str, str, int]
    ) -> tuple[Sample, tuple[str, Sample]]:
        """`fn`'s sample and its baseline's (named), timed in turns."""
        sample, baseline = repeat_beside(
            fn,
            self._baseline_fn(*key),
            self.settings.reps,
            self.settings.warmup,
            self.progress.advance,
        )
        return sample, (BASELINE_NAMES[key[1]], baseline)

    def _baseline_fn(self, workload: str, kind: str, n: int) -> Callable[[], Any]:
        if kind == "futures":
            client = self.found.dask_client
            futures = workloads.wide_futures if workload == "wide" else workloads.chain_futures
            return lambda: futures(client, n)
        if kind == "loop":
            loop = workloads.wide_loop if workload == "wide" else workloads.chain_loop
            return lambda: loop(n)
        if kind == "boto3":
            io = workloads.boto3_io(s3_client(self.found.s3_endpoint), BUCKET)
        else:
            io = workloads.file_io(tempfile.mkdtemp(prefix="files-", dir=self.found.scratch))
        return lambda: workloads.data_loop(n, *io)

    # -- cases ------------------------------------------------------------------------------------

    def _run_config(self, case: PipelineCase, base_dir: str) -> dict[str, Any]:
        executors = {
            "in_process": {},
            "multiprocess": {"max_concurrent": WORKERS},
            "dask": {"cluster": {"existing": {"address": self.found.dask_address}}},
        }
        storages = {
            "filesystem": {"base_dir": base_dir},
            "s3": {
                "s3_bucket": BUCKET,
                "s3_prefix": "runs",
                "endpoint_url": self.found.s3_endpoint,
            },
        }
        solids = workloads.data_solids_config(case.n) if case.workload == "data" else {}
        return {
            "solids": solids,
            "execution": {case.executor: executors[case.executor]},
            "storage": {case.storage: storages[case.storage]},
            **QUIET,
        }

    def _pipeline_case(self, case: PipelineCase) -> None:
        builders = {
            "wide": lambda: workloads.wide_pipeline(case.n),
            "chain": lambda: workloads.chain_pipeline(case.n),
            "data": workloads.data_pipeline,
        }
        pipeline = builders[case.workload]()
        steps = len(pipeline.solids)
        with self._scratch_dir() as base_dir, instance(case.instance, self.found) as on:
            config = self._run_config(case, base_dir)
            sample, baseline = self._repeat_beside(
                lambda: execute(pipeline, config, on), case.baseline
            )
            if case.timeline:
                self.timeline = self._dask_timeline(pipeline, config, on)
                self.notes.append(timeline_summary(self.timeline))
                self.progress.advance()
        self.records.append(
            record(
                sample,
                workload=case.workload,
                executor=case.executor,
                storage=case.storage,
                instance=case.instance,
                n=case.n,
                steps=steps,
                baseline=baseline,
            )
        )

    def _dask_timeline(
        self, pipeline: PipelineDefinition, config: dict[str, Any], on: DagsterInstance
    ) -> list[TimelineBar]:
        """One more run, its steps' times from the run's STEP_START and STEP_SUCCESS events and
        their workers from Dask's task stream (task keys are `<solid>-<run id>-<step key>`)."""
        client = self.found.dask_client
        assert client is not None
        with get_task_stream(client=client) as stream:
            result = execute(pipeline, config, on)
        names = {
            address: f"worker {info['name']}"
            for address, info in client.scheduler_info(n_workers=-1)["workers"].items()
        }
        marker = f"-{result.run_id}-"
        workers = {
            str(task["key"]).partition(marker)[2]: names.get(task["worker"], task["worker"])
            for task in stream.data
            if marker in str(task["key"])
        }
        starts, ends = {}, {}
        for event in result.step_event_list:
            if event.event_type is DagsterEventType.STEP_START:
                starts[event.step_key] = event.timestamp
            elif event.event_type is DagsterEventType.STEP_SUCCESS:
                ends[event.step_key] = event.timestamp
        t0 = min(starts.values())
        return [
            TimelineBar(key, workers.get(key, "unknown"), starts[key] - t0, ends[key] - t0)
            for key in sorted(starts, key=starts.get)
            if key in ends
        ]

    def _events_case(self, case: EventsCase) -> None:
        n = self.settings.events
        with self._event_log(case.backend) as storage:
            run_ids = [f"bench-{secrets.token_hex(4)}" for _ in range(self.settings.calls)]
            batches = iter([step_batches(run_id, n) for run_id in run_ids])
            written = self._repeat(lambda: write_batches(storage, next(batches)))
            read = self._repeat(lambda: read_run(storage, run_ids[-1], n))
        samples = {"write": written, "read": read}
        if case.backend == "in_memory":
            self._in_memory_events.update(samples)
        for phase, sample in samples.items():
            in_memory = self._in_memory_events.get(phase)
            self.records.append(
                record(
                    sample,
                    workload="events",
                    executor=None,
                    storage="event log",
                    instance=case.backend,
                    n=n,
                    steps=n,
                    baseline=None
                    if case.backend == "in_memory" or in_memory is None
                    else ("in-memory event log", in_memory),
                    phase=phase,
                )
            )

    @contextmanager
    def _event_log(self, backend: str) -> Iterator[EventLogStorage]:
        if backend == "postgres":
            storage = PostgresEventLogStorage(self.found.postgres_url)
        elif backend == "sqlite":
            storage = SqliteEventLogStorage(tempfile.mkdtemp(dir=self.found.scratch))
        else:
            storage = InMemoryEventLogStorage()
        try:
            yield storage
        finally:
            storage.dispose()

    def _scale_case(self, case: ScaleCase) -> None:
        pipeline = workloads.wide_pipeline(case.n)
        steps = len(pipeline.solids)
        common = {"workload": "scale", "executor": case.executor, "n": case.n, "steps": steps}
        with self._scratch_dir() as base_dir, instance("sqlite", self.found) as on:
            config = {"storage": {"filesystem": {"base_dir": base_dir}}, **QUIET}
            if case.executor == "dask":
                address = self.found.dask_address
                config["execution"] = {"dask": {"cluster": {"existing": {"address": address}}}}
            else:
                plan = self._repeat(lambda: build_plan(pipeline, config))
                self.records.append(
                    record(plan, storage=None, instance=None, phase="plan", **common)
                )
            run, baseline = self._repeat_beside(
                lambda: execute(pipeline, config, on), case.baseline
            )
        self.records.append(
            record(
                run,
                storage="filesystem",
                instance="sqlite",
                baseline=baseline,
                **common,
            )
        )

    def _graphql_case(self) -> None:
        """Round trip, the big run, a page of runs and subscription latency on a real server."""
        events, runs = self.settings.events, self.settings.runs
        kind = "sqlite" if self.found.postgres_url is None else "postgres"
        with graphql_api.instance_home(self.found.postgres_url) as home:
            on = DagsterInstance.from_home(home)
            try:
                populated = graphql_api.populate(on, events, runs)
                with graphql_api.server(home) as client:
                    timed = {
                        ("version", 1): lambda: client.query("{ version }"),
                        ("run with its events", events): lambda: graphql_api.check_big_run(
                            client, populated.big_run_id, events
                        ),
                        (f"page of {graphql_api.PAGE} runs", runs): lambda: graphql_api.check_page(
                            client, populated.middle_cursor
                        ),
                    }
                    samples = {key: self._repeat(fn, memory=False) for key, fn in timed.items()}
                    subscriber = graphql_api.Subscriber(client, on)
                    try:
                        samples[("event stored -> subscriber", 1)] = repeat(
                            subscriber.one_event,
                            graphql_api.SUBSCRIBER_EVENTS,
                            self.settings.warmup,
                            self.progress.advance,
                            memory=False,
                        )
                    finally:
                        subscriber.close()
                    self.progress.advance()
            finally:
                on.dispose()
        for (phase, n), sample in samples.items():
            self.records.append(
                record(
                    sample,
                    workload="graphql",
                    executor=None,
                    storage="http" if "subscriber" not in phase else "websocket",
                    instance=kind,
                    n=n,
                    steps=None,
                    phase=phase,
                )
            )
        if self.found.postgres_url is None:
            self.notes.append("graphql: measured on SQLite (PostgreSQL unreachable)")

    def _webui_case(self) -> None:
        """First visits of the explorer and the run view, then each page's warm visits against
        the pipelines page's (the floor)."""
        missing = webui_pages.chromium_missing()
        if missing is not None:
            self.notes.append(missing)
            self.progress.advance(WebuiCase().calls(self.settings))
            return
        with webui_pages.dagit_pages() as pages, webui_pages.browser_page() as page:
            samples: dict[str, Sample] = {}
            for phase, (path, selector, count) in pages.timed.items():
                visit = functools.partial(
                    webui_pages.visit, page, pages.url + path, selector, count
                )
                if "explorer" in phase:  # once before the server has laid the pipeline out
                    first = repeat(visit, 1, 0, self.progress.advance, memory=False)
                    samples[f"{phase}, first visit"] = first
                samples[phase] = self._repeat(visit, memory=False)
        floor = ("pipelines page", samples.pop("pipelines page (floor)"))
        self.records.append(
            record(floor[1], workload="webui", executor=None, storage="browser", instance="sqlite",
                   n=2, steps=None, phase="pipelines page (floor)")
        )  # fmt: skip
        for phase, sample in samples.items():
            size = webui_pages.SOLIDS if "explorer" in phase else webui_pages.STEPS
            self.records.append(
                record(sample, workload="webui", executor=None, storage="browser",
                       instance="sqlite", n=size, steps=None, baseline=floor, phase=phase)
            )  # fmt: skip

    @contextmanager
    def _scratch_dir(self) -> Iterator[str]:
        with tempfile.TemporaryDirectory(dir=self.found.scratch) as path:
            yield path
