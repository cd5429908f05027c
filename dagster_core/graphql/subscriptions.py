"""Subscriptions: a run's events live, from the instance's event-log watch (LISTEN/NOTIFY on
Postgres, polling on SQLite), and a step's stdout or stderr as it is written. Each ends when the
run has ended and everything has been sent; a client that goes away ends its watch."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from dagster_core.events import PIPELINE_END_EVENTS, DagsterEvent
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.events import Cursor, PipelineRunEvent, graphql_events
from dagster_core.graphql.runs import (
    ComputeIOType,
    ComputeLogFile,
    PipelineRun,
    compute_log_file,
)
from dagster_core.storage.runs import FINISHED_STATUSES

COMPUTE_LOG_POLL_SECONDS = 0.25  # how often a step's output files are read for news
RUN_CHECK_SECONDS = 5.0  # how long a run may be quiet before its subscribers check it is alive


@strawberry.type(description="Events of the run, in stored order, as they were stored.")
class PipelineRunLogsSubscriptionSuccess:
    run: PipelineRun
    messages: list[PipelineRunEvent]


@strawberry.type
class PipelineRunLogsSubscriptionFailure:
    message: str
    missing_run_id: str | None


PipelineRunLogsSubscriptionPayload = Annotated[
    PipelineRunLogsSubscriptionSuccess | PipelineRunLogsSubscriptionFailure,
    strawberry.union("PipelineRunLogsSubscriptionPayload"),
]


async def _run_events(
    context: GraphQLContext, run_id: str, cursor: int
) -> AsyncGenerator[list[DagsterEvent], None]:
    """Batches of the run's events after `cursor` as they are stored, until its end event."""
    instance = context.instance
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[DagsterEvent] = asyncio.Queue()

    def stored(event: DagsterEvent) -> None:  # on the storage's watch thread
        loop.call_soon_threadsafe(queue.put_nowait, event)

    def end_watch(_registered: object = None) -> None:
        instance.end_watch_event_logs(run_id, stored)

    # a client may leave while the watch is being registered: it is ended once registered
    registering = asyncio.ensure_future(
        asyncio.to_thread(instance.watch_event_logs, run_id, cursor, stored)
    )
    try:
        await asyncio.shield(registering)
        while True:
            try:
                batch = [await asyncio.wait_for(queue.get(), RUN_CHECK_SECONDS)]
            except TimeoutError:
                # A quiet run: looking it up marks it FAILURE if its process has died. Once it
                # has ended, what the watch has not brought yet is read here, and that is all.
                record = await asyncio.to_thread(instance.get_run_by_id, run_id)
                if record is not None and record.status not in FINISHED_STATUSES:
                    continue
                rest = await asyncio.to_thread(
                    instance.event_storage.get_logs_for_run, run_id, cursor
                )
                if rest:
                    yield rest
                return
            while not queue.empty():
                batch.append(queue.get_nowait())
            cursor += len(batch)
            yield batch
            if any(event.event_type in PIPELINE_END_EVENTS for event in batch):
                return
    finally:
        if registering.done():
            end_watch()
        else:
            registering.add_done_callback(end_watch)


@strawberry.type
class RunSubscriptions:
    @strawberry.subscription(
        description="The run's events after `after` (all when null), live, until the run ends."
    )
    async def pipeline_run_logs(
        self,
        info: strawberry.Info,
        run_id: strawberry.ID,
        after: Cursor | None = None,  # type: ignore[valid-type]
    ) -> AsyncGenerator[PipelineRunLogsSubscriptionPayload, None]:
        context: GraphQLContext = info.context
        cursor = -1 if after is None else after
        record = await asyncio.to_thread(context.instance.get_run_by_id, run_id)
        if record is None:
            yield PipelineRunLogsSubscriptionFailure(
                message=f"No run with id {run_id!r}", missing_run_id=run_id
            )
            return
        run = PipelineRun(record=record)
        if record.status in FINISHED_STATUSES:
            events = await asyncio.to_thread(
                context.instance.event_storage.get_logs_for_run, run_id, cursor
            )
            if events:
                yield PipelineRunLogsSubscriptionSuccess(run=run, messages=graphql_events(events))
            return
        # closed with this generator, so a client that leaves ends the watch at once (not when
        # the garbage collector finds the inner generator)
        async with contextlib.aclosing(_run_events(context, run_id, cursor)) as batches:
            async for batch in batches:
                yield PipelineRunLogsSubscriptionSuccess(run=run, messages=graphql_events(batch))

    @strawberry.subscription(
        description="What a step writes to stdout or stderr after `cursor`, until the run ends."
    )
    async def compute_logs(
        self,
        info: strawberry.Info,
        run_id: strawberry.ID,
        step_key: str,
        io_type: ComputeIOType,
        cursor: str | None = None,
    ) -> AsyncGenerator[ComputeLogFile | None, None]:
        context: GraphQLContext = info.context
        if cursor is not None and not cursor.isdigit():
            raise ValueError(
                f"cursor {cursor!r} is not a position in the step's output: pass the cursor of "
                "a ComputeLogFile, or none to start from the beginning"
            )
        position = int(cursor or 0)
        first = True
        while True:
            record = await asyncio.to_thread(context.instance.get_run_by_id, run_id)
            ended = record is None or record.status in FINISHED_STATUSES
            log = await asyncio.to_thread(
                compute_log_file, context, run_id, step_key, io_type, position
            )
            if log.data or first:
                yield log
                position, first = int(log.cursor), False
            if ended:
                return
            await asyncio.sleep(COMPUTE_LOG_POLL_SECONDS)
