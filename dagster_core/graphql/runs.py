"""Runs as the API shows them: a run's record (config with secrets redacted, tags, status), its
events (paged), step stats, compute logs and Dask dashboard, and the queries that list and find
runs. A run's events are read through a DataLoader, so a page of N runs asking for their stats
reads the event log once, not N times."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
import yaml
from strawberry.dataloader import DataLoader

from dagster_core.events import PIPELINE_END_EVENTS, DagsterEvent, DagsterEventType
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import PipelineRunNotFoundError, PythonError, python_error
from dagster_core.graphql.events import Cursor, PipelineRunEvent, graphql_events
from dagster_core.graphql.intermediates import StepOutputsOrError, step_outputs
from dagster_core.redact import redact_config, redact_text
from dagster_core.storage import PipelineRun as RunRecord
from dagster_core.storage import PipelineRunStatus as RunStatus
from dagster_core.storage.event_log import EventLogStorage, step_stats_from_events
from dagster_core.storage.runs import ACTIVE_STATUSES, RunsFilter

if TYPE_CHECKING:
    from dagster_core.graphql.execution_plan import ExecutionPlanResult
    from dagster_core.graphql.pipelines import Pipeline

PipelineRunStatus = strawberry.enum(RunStatus, description="Where a run stands.")
DASHBOARD_KEY = "dashboard"  # the dask executor's ENGINE_EVENT data naming its dashboard
_EVENTS_LOADER = "run_events"


async def _load_events(context: GraphQLContext, run_ids: list[str]) -> Sequence[list[DagsterEvent]]:
    logs = await asyncio.to_thread(context.instance.event_storage.get_logs_for_runs, run_ids)
    return [logs[run_id] for run_id in run_ids]


def _page_and_count(
    storage: EventLogStorage, run_id: str, cursor: int, limit: int
) -> tuple[list[DagsterEvent], int]:
    """A page of the run's events, then their count, which then covers the page (events are
    only appended)."""
    page = storage.get_logs_for_run(run_id, cursor, limit)
    return page, storage.count_events(run_id)


def run_events(info: strawberry.Info, run_id: str) -> asyncio.Future[list[DagsterEvent]]:
    """The run's stored events, read with those of every other run the same operation asks for
    in one query (not cached: a subscription's connection lives long)."""
    context: GraphQLContext = info.context
    loader = context.loaders.get(_EVENTS_LOADER)
    if loader is None or loader.loop is not asyncio.get_running_loop():
        loader = context.loaders[_EVENTS_LOADER] = DataLoader(
            lambda keys: _load_events(context, keys), cache=False
        )
    return loader.load(run_id)


@strawberry.type(description="A pipeline a run names that the served code does not define.")
class UnknownPipeline:
    name: str


PipelineReference = Annotated[
    Annotated["Pipeline", strawberry.lazy("dagster_core.graphql.pipelines")] | UnknownPipeline,
    strawberry.union("PipelineReference"),
]


@strawberry.type
class PipelineTag:
    key: str
    value: str


@strawberry.type(description="A tag key with every value runs have for it.")
class PipelineTagAndValues:
    key: str
    values: list[str]


@strawberry.enum(description="How a step ended.")
class StepEventStatus(Enum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"


@strawberry.type(
    description="One step of a run: how it ended (null while running), when, and tries."
)
class PipelineRunStepStats:
    run_id: str
    step_key: str
    status: StepEventStatus | None
    start_time: float | None
    end_time: float | None
    attempts: int


@strawberry.type(description="Counts and times of a run, from its events.")
class PipelineRunStatsSnapshot:
    run_id: str
    steps_succeeded: int
    steps_failed: int
    materializations: int
    expectations: int
    start_time: float | None
    end_time: float | None


@strawberry.type
class PageInfo:
    last_cursor: Cursor | None  # type: ignore[valid-type]
    has_next_page: bool
    count: int
    total_count: int


@strawberry.type(description="A page of a run's events.")
class LogMessageConnection:
    nodes: list[PipelineRunEvent]
    page_info: PageInfo


@strawberry.enum
class ComputeIOType(Enum):
    STDOUT = "stdout"
    STDERR = "stderr"


@strawberry.type(description="What a step wrote to stdout or stderr, from `cursor` on.")
class ComputeLogFile:
    data: str
    cursor: str = strawberry.field(description="Where the next read starts.")
    size: int


def compute_log_file(
    context: GraphQLContext, run_id: str, step_key: str, io_type: ComputeIOType, cursor: int
) -> ComputeLogFile:
    """The step's output of one kind after character `cursor`, read from the instance's compute
    log manager."""
    logs = context.instance.compute_log_manager.read_logs(run_id, step_key)
    text = redact_text(getattr(logs, io_type.value))
    return ComputeLogFile(data=text[cursor:], cursor=str(len(text)), size=len(text))


@strawberry.type
class ComputeLogs:
    run_id: str
    step_key: str
    stdout: ComputeLogFile
    stderr: ComputeLogFile


@strawberry.type
class PipelineRun:
    """One run of a pipeline."""

    record: strawberry.Private[RunRecord]

    @strawberry.field
    def run_id(self) -> str:
        return self.record.run_id

    @strawberry.field
    def pipeline_name(self) -> str:
        return self.record.pipeline_name

    @strawberry.field(
        description="The run's pipeline as the served code defines it, or only its name."
    )
    def pipeline(self, info: strawberry.Info) -> PipelineReference:  # type: ignore[valid-type]
        from dagster_core.graphql.pipelines import pipeline_type  # pipelines imports this module

        repository = info.context.workspace.repository
        if repository.has_pipeline(self.record.pipeline_name):
            return pipeline_type(repository.get_pipeline(self.record.pipeline_name))
        return UnknownPipeline(name=self.record.pipeline_name)

    @strawberry.field
    def status(self) -> PipelineRunStatus:  # type: ignore[valid-type]
        return self.record.status

    @strawberry.field(description="Why the run has its status, when something said so.")
    def status_message(self) -> str | None:
        return self.record.status_message

    @strawberry.field
    def mode(self) -> str:
        return self.record.mode

    @strawberry.field
    def tags(self) -> list[PipelineTag]:
        return [PipelineTag(key=k, value=v) for k, v in sorted(self.record.tags.items())]

    @strawberry.field(description="The run config as YAML, with credentials shown as ***.")
    def environment_config_yaml(self) -> str:
        return yaml.safe_dump(redact_config(self.record.environment_dict), sort_keys=False)

    @strawberry.field
    def solid_subset(self) -> list[str] | None:
        return None if self.record.solid_subset is None else list(self.record.solid_subset)

    @strawberry.field
    def step_keys_to_execute(self) -> list[str] | None:
        keys = self.record.step_keys_to_execute
        return None if keys is None else list(keys)

    @strawberry.field(description="The run this one re-executes, if any.")
    def parent_run_id(self) -> str | None:
        return self.record.parent_run_id

    @strawberry.field
    def parent_run(self, info: strawberry.Info) -> PipelineRun | None:
        parent_id = self.record.parent_run_id
        parent = parent_id and info.context.instance.get_run_by_id(parent_id)
        return PipelineRun(record=parent) if parent else None

    @strawberry.field(
        description="The plan of the whole run (every step, stepKeysToExecute or not), as the "
        "served code plans it from the run's pipeline, solid subset, mode and stored config."
    )
    def execution_plan(
        self, info: strawberry.Info
    ) -> Annotated[ExecutionPlanResult, strawberry.lazy("dagster_core.graphql.execution_plan")]:  # type: ignore[valid-type]
        # imported here: execution_plan imports pipelines, which imports this module
        from dagster_core.graphql.execution_plan import execution_plan_or_error
        from dagster_core.graphql.selection import ExecutionSelector

        record = self.record
        selector = ExecutionSelector(
            name=record.pipeline_name,
            solid_subset=None if record.solid_subset is None else list(record.solid_subset),
        )
        return execution_plan_or_error(
            info.context, selector, dict(record.environment_dict), record.mode
        )

    @strawberry.field(description="Whether the run may be terminated now.")
    def can_cancel(self) -> bool:
        return self.record.status in ACTIVE_STATUSES

    @strawberry.field(description="The run's events after `after`, at most `limit` of them.")
    async def logs(
        self,
        info: strawberry.Info,
        after: Cursor | None = None,  # type: ignore[valid-type]
        limit: int | None = None,
    ) -> LogMessageConnection:
        start = -1 if after is None else after
        if limit is None:
            events = await run_events(info, self.record.run_id)
            total, page = len(events), events[start + 1 :]
        else:
            storage = info.context.instance.event_storage
            page, total = await asyncio.to_thread(
                _page_and_count, storage, self.record.run_id, start, max(limit, 0)
            )
        end = min(total, start + 1 + len(page))
        nodes = graphql_events(page)
        return LogMessageConnection(
            nodes=nodes,
            page_info=PageInfo(
                last_cursor=end - 1 if end > 0 else None,
                has_next_page=end < total,
                count=len(nodes),
                total_count=total,
            ),
        )

    @strawberry.field
    async def step_stats(self, info: strawberry.Info) -> list[PipelineRunStepStats]:
        events = await run_events(info, self.record.run_id)
        return [
            PipelineRunStepStats(
                run_id=self.record.run_id,
                step_key=stats.step_key,
                status=None if stats.status is None else StepEventStatus(stats.status),
                start_time=stats.start_time,
                end_time=stats.end_time,
                attempts=stats.attempts,
            )
            for stats in step_stats_from_events(events)
        ]

    @strawberry.field
    async def stats(self, info: strawberry.Info) -> PipelineRunStatsSnapshot:
        events = await run_events(info, self.record.run_id)
        counts = {kind: 0 for kind in DagsterEventType}
        for event in events:
            counts[event.event_type] += 1
        starts = [e.timestamp for e in events if e.event_type is DagsterEventType.PIPELINE_START]
        ends = [e.timestamp for e in events if e.event_type in PIPELINE_END_EVENTS]
        return PipelineRunStatsSnapshot(
            run_id=self.record.run_id,
            steps_succeeded=counts[DagsterEventType.STEP_SUCCESS],
            steps_failed=counts[DagsterEventType.STEP_FAILURE],
            materializations=counts[DagsterEventType.STEP_MATERIALIZATION],
            expectations=counts[DagsterEventType.STEP_EXPECTATION_RESULT],
            start_time=starts[0] if starts else None,
            end_time=ends[-1] if ends else None,
        )

    @strawberry.field(description="What the step wrote to stdout and stderr.")
    def compute_logs(self, info: strawberry.Info, step_key: str) -> ComputeLogs:
        run_id = self.record.run_id
        return ComputeLogs(
            run_id=run_id,
            step_key=step_key,
            stdout=compute_log_file(info.context, run_id, step_key, ComputeIOType.STDOUT, 0),
            stderr=compute_log_file(info.context, run_id, step_key, ComputeIOType.STDERR, 0),
        )

    @strawberry.field(
        description="What the step stored in the run's intermediate storage, with previews "
        "(refused by a server started with --no-intermediates)."
    )
    async def step_outputs(self, info: strawberry.Info, step_key: str) -> StepOutputsOrError:  # type: ignore[valid-type]
        events = await run_events(info, self.record.run_id)
        return await asyncio.to_thread(step_outputs, info.context, self.record, events, step_key)

    @strawberry.field(description="The Dask dashboard of the cluster the run used, if any.")
    async def dask_dashboard_url(self, info: strawberry.Info) -> str | None:
        events = await run_events(info, self.record.run_id)
        for event in events:
            if event.event_type is DagsterEventType.ENGINE_EVENT and event.data.get(DASHBOARD_KEY):
                return str(event.data[DASHBOARD_KEY])
        return None


@strawberry.input
class ExecutionTag:
    key: str
    value: str


@strawberry.input(description="Which runs to list; every field given must match.")
class PipelineRunsFilter:
    run_id: str | None = None
    pipeline_name: str | None = None
    status: PipelineRunStatus | None = None  # type: ignore[valid-type]
    tags: list[ExecutionTag] | None = None


@strawberry.type
class PipelineRuns:
    results: list[PipelineRun]


@strawberry.type
class InvalidPipelineRunsFilterError:
    message: str


PipelineRunsOrError = Annotated[
    PipelineRuns | InvalidPipelineRunsFilterError | PythonError,
    strawberry.union("PipelineRunsOrError"),
]
PipelineRunOrError = Annotated[
    PipelineRun | PipelineRunNotFoundError | PythonError,
    strawberry.union("PipelineRunOrError"),
]


def run_not_found(run_id: str) -> PipelineRunNotFoundError:
    return PipelineRunNotFoundError(run_id=run_id, message=f"No run with id {run_id!r}")


def _find_runs(
    context: GraphQLContext,
    filter: PipelineRunsFilter | None,
    cursor: str | None,
    limit: int | None,
) -> PipelineRuns | InvalidPipelineRunsFilterError:
    if limit is not None and limit < 0:
        return InvalidPipelineRunsFilterError(message=f"limit must be 0 or more, got {limit}")
    tags = {tag.key: tag.value for tag in (filter and filter.tags) or ()}
    runs_filter = RunsFilter(
        pipeline_name=filter and filter.pipeline_name,
        status=None if filter is None or filter.status is None else RunStatus(filter.status),
        tags=tags,
    )
    instance = context.instance
    if filter is not None and filter.run_id is not None:
        run = instance.get_run_by_id(filter.run_id)
        found = [run] if run is not None and runs_filter.matches(run) and not cursor else []
        return PipelineRuns(results=[PipelineRun(record=r) for r in found[:limit]])
    if cursor is not None and instance.get_run_by_id(cursor) is None:
        return InvalidPipelineRunsFilterError(
            message=f"cursor {cursor!r} is not a run id: pass the runId of a page's last run"
        )
    runs = instance.get_runs(runs_filter, cursor, limit)
    return PipelineRuns(results=[PipelineRun(record=run) for run in runs])


@strawberry.type
class RunQueries:
    @strawberry.field(description="Runs newest first; `cursor` is the last runId of a page.")
    def pipeline_runs_or_error(
        self,
        info: strawberry.Info,
        filter: PipelineRunsFilter | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> PipelineRunsOrError:
        try:
            return _find_runs(info.context, filter, cursor, limit)
        except Exception as exc:
            return python_error(exc)

    @strawberry.field
    def pipeline_run_or_error(self, info: strawberry.Info, run_id: str) -> PipelineRunOrError:
        try:
            run = info.context.instance.get_run_by_id(run_id)
            return run_not_found(run_id) if run is None else PipelineRun(record=run)
        except Exception as exc:
            return python_error(exc)

    @strawberry.field(description="Every tag key of every run, with its values.")
    def pipeline_run_tags(self, info: strawberry.Info) -> list[PipelineTagAndValues]:
        tags = info.context.instance.run_storage.get_run_tags()
        return [PipelineTagAndValues(key=key, values=values) for key, values in tags.items()]
