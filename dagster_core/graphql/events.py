"""A run's events as the seed's API showed them: one type per kind of event (the
`PipelineRunEvent` union), each a `MessageEvent` with its run, message, time, level, step and
attempt, and the kind's own data (error, output name, materialization, ...). Built from the
stored DagsterEvents, whose messages and errors are already redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Annotated, Any, NewType

import strawberry

from dagster_core.definitions.events import (
    EventMetadataEntry,
    FloatMetadataEntryData,
    IntMetadataEntryData,
    JsonMetadataEntryData,
    MarkdownMetadataEntryData,
    PathMetadataEntryData,
    UrlMetadataEntryData,
)
from dagster_core.events import DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.graphql.errors import PythonError
from dagster_core.redact import redact_config, redact_text


def _parse_cursor(value: Any) -> int:
    cursor = int(value)
    if cursor < -1:
        raise ValueError(f"A cursor is an event position, -1 or more; got {value!r}")
    return cursor


Cursor = NewType("Cursor", int)
CURSOR_SCALAR = strawberry.scalar(
    name="Cursor",
    serialize=str,
    parse_value=_parse_cursor,
    description=(
        "The position of a run's event (0 is its first); `after: Cursor` asks for the events "
        "after it (-1: from the first)."
    ),
)


@strawberry.enum(description="The level of an event, as in Python's logging.")
class LogLevel(Enum):
    CRITICAL = "CRITICAL"
    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"
    DEBUG = "DEBUG"


_LEVELS = tuple((getattr(logging, name), name) for name in ("CRITICAL", "ERROR", "WARNING", "INFO"))


def log_level(level: int) -> str:
    """The name of the LogLevel at or below a numeric logging level. A name, not the member:
    graphql-core serializes a name with one lookup, a member by scanning the enum (which costs
    a third of the time of a run's 10,000 events)."""
    for number, name in _LEVELS:
        if level >= number:
            return name
    return LogLevel.DEBUG.value


@strawberry.type(description="The step an event belongs to.")
class StepReference:
    key: str
    solid_handle_id: str | None = strawberry.field(name="solidHandleID")


# -- metadata entries ----------------------------------------------------------------------------


@strawberry.interface(
    name="EventMetadataEntry", description="A labelled piece of metadata shown with an event."
)
class EventMetadataEntryType:
    label: str
    description: str | None


@strawberry.type
class EventTextMetadataEntry(EventMetadataEntryType):
    text: str


@strawberry.type
class EventUrlMetadataEntry(EventMetadataEntryType):
    url: str


@strawberry.type
class EventPathMetadataEntry(EventMetadataEntryType):
    path: str


@strawberry.type
class EventJsonMetadataEntry(EventMetadataEntryType):
    json_string: str


@strawberry.type
class EventMarkdownMetadataEntry(EventMetadataEntryType):
    md_str: str


@strawberry.type
class EventFloatMetadataEntry(EventMetadataEntryType):
    value: float


@strawberry.type
class EventIntMetadataEntry(EventMetadataEntryType):
    int_value: int


METADATA_ENTRY_TYPES = (
    EventTextMetadataEntry,
    EventUrlMetadataEntry,
    EventPathMetadataEntry,
    EventJsonMetadataEntry,
    EventMarkdownMetadataEntry,
    EventFloatMetadataEntry,
    EventIntMetadataEntry,
)


def _metadata_entry(entry: EventMetadataEntry) -> EventMetadataEntryType:
    data, label, description = entry.entry_data, entry.label, entry.description
    if isinstance(data, UrlMetadataEntryData):
        return EventUrlMetadataEntry(
            label=label, description=description, url=redact_text(data.url)
        )
    if isinstance(data, PathMetadataEntryData):
        return EventPathMetadataEntry(
            label=label, description=description, path=redact_text(data.path)
        )
    if isinstance(data, JsonMetadataEntryData):
        return EventJsonMetadataEntry(
            label=label,
            description=description,
            json_string=json.dumps(redact_config(data.data), default=str),
        )
    if isinstance(data, MarkdownMetadataEntryData):
        return EventMarkdownMetadataEntry(
            label=label, description=description, md_str=redact_text(data.md_str)
        )
    if isinstance(data, FloatMetadataEntryData):
        return EventFloatMetadataEntry(label=label, description=description, value=data.value)
    if isinstance(data, IntMetadataEntryData):
        return EventIntMetadataEntry(label=label, description=description, int_value=data.value)
    return EventTextMetadataEntry(
        label=label, description=description, text=redact_text(str(data.text))
    )


def metadata_entries(
    entries: Iterable[EventMetadataEntry] = (), metadata: Mapping[str, Any] | None = None
) -> list[EventMetadataEntryType]:
    """Typed entries, then each key of a plain `metadata` dict as a text entry."""
    return [_metadata_entry(entry) for entry in entries] + [
        EventTextMetadataEntry(label=str(key), description=None, text=redact_text(str(value)))
        for key, value in (metadata or {}).items()
    ]


# -- the events ----------------------------------------------------------------------------------


@strawberry.interface(description="What every event of a run has.")
class MessageEvent:
    run_id: str
    message: str
    timestamp: str = strawberry.field(description="Milliseconds since the epoch.")
    level: LogLevel
    step_key: str | None
    step: StepReference | None
    attempt: int


@strawberry.type
class LogMessageEvent(MessageEvent):
    pass


@strawberry.type
class PipelineStartEvent(MessageEvent):
    pipeline_name: str


@strawberry.type
class PipelineSuccessEvent(MessageEvent):
    pipeline_name: str


@strawberry.type
class PipelineFailureEvent(MessageEvent):
    pipeline_name: str
    error: PythonError | None


@strawberry.type(description="The run was terminated (this project's; the seed had none).")
class PipelineCanceledEvent(MessageEvent):
    pipeline_name: str


@strawberry.type
class ExecutionStepStartEvent(MessageEvent):
    pass


@strawberry.type(description="A later attempt of a step began.")
class ExecutionStepRestartEvent(MessageEvent):
    pass


@strawberry.type
class ExecutionStepSuccessEvent(MessageEvent):
    pass


@strawberry.type(description="What a solid's `raise Failure(...)` said.")
class StepFailureMetadata:
    label: str
    description: str | None
    metadata_entries: list[EventMetadataEntryType]


@strawberry.type
class ExecutionStepFailureEvent(MessageEvent):
    error: PythonError | None
    failure_metadata: StepFailureMetadata | None


@strawberry.type
class ExecutionStepSkippedEvent(MessageEvent):
    pass


@strawberry.type
class ExecutionStepUpForRetryEvent(MessageEvent):
    error: PythonError | None
    seconds_to_wait: float | None


@strawberry.type
class ExecutionStepInputEvent(MessageEvent):
    input_name: str
    type_name: str | None


@strawberry.type
class ExecutionStepOutputEvent(MessageEvent):
    output_name: str
    type_name: str | None


@strawberry.type
class Materialization:
    label: str
    description: str | None
    metadata_entries: list[EventMetadataEntryType]


@strawberry.type
class StepMaterializationEvent(MessageEvent):
    materialization: Materialization


@strawberry.type
class ExpectationResult:
    success: bool
    label: str | None
    description: str | None
    metadata_entries: list[EventMetadataEntryType]


@strawberry.type
class StepExpectationResultEvent(MessageEvent):
    expectation_result: ExpectationResult


@strawberry.enum
class ObjectStoreOperationType(Enum):
    SET_OBJECT = "SET_OBJECT"
    GET_OBJECT = "GET_OBJECT"


@strawberry.type
class ObjectStoreOperationResult:
    op: ObjectStoreOperationType
    metadata_entries: list[EventMetadataEntryType]


@strawberry.type
class ObjectStoreOperationEvent(MessageEvent):
    operation_result: ObjectStoreOperationResult


@strawberry.type(description="What the engine (executor, cluster, resources) did.")
class EngineEvent(MessageEvent):
    metadata_entries: list[EventMetadataEntryType]
    error: PythonError | None


PipelineRunEvent = Annotated[
    # the most frequent kinds first: a node's type is found by trying each in turn
    LogMessageEvent
    | ExecutionStepOutputEvent
    | ObjectStoreOperationEvent
    | ExecutionStepInputEvent
    | ExecutionStepStartEvent
    | ExecutionStepSuccessEvent
    | StepMaterializationEvent
    | StepExpectationResultEvent
    | EngineEvent
    | ExecutionStepFailureEvent
    | ExecutionStepSkippedEvent
    | ExecutionStepUpForRetryEvent
    | ExecutionStepRestartEvent
    | PipelineStartEvent
    | PipelineSuccessEvent
    | PipelineFailureEvent
    | PipelineCanceledEvent,
    strawberry.union("PipelineRunEvent", description="Any event of a run."),
]


def error_data(info: ErrorInfo | None) -> PythonError | None:
    """A stored error (already redacted) as the API's PythonError."""
    if info is None:
        return None
    return PythonError(message=info.message, class_name=info.cls_name, stack=list(info.stack))


_Steps = dict[tuple[str, str | None], StepReference]


def _common(event: DagsterEvent, steps: _Steps) -> dict[str, Any]:
    step = event.step_key
    reference = None
    if step is not None:
        key = (step, event.solid_name)
        reference = steps.get(key)
        if reference is None:
            reference = steps[key] = StepReference(key=step, solid_handle_id=event.solid_name)
    return {
        "run_id": event.run_id,
        "message": event.message,
        "timestamp": str(int(event.timestamp * 1000)),
        "level": log_level(event.level),
        "step_key": step,
        "step": reference,
        "attempt": event.attempt,
    }


def _failure(event: DagsterEvent, common: dict[str, Any]) -> ExecutionStepFailureEvent:
    user = event.user_failure_data
    failure = None
    if user is not None:
        failure = StepFailureMetadata(
            label=user.label,
            description=user.description,
            metadata_entries=metadata_entries(user.metadata_entries, event.data.get("metadata")),
        )
    error = error_data(event.error) or PythonError(message=event.message, class_name=None, stack=[])
    return ExecutionStepFailureEvent(**common, error=error, failure_metadata=failure)


def _materialization(event: DagsterEvent, common: dict[str, Any]) -> StepMaterializationEvent:
    value = event.data["materialization"]
    return StepMaterializationEvent(
        **common,
        materialization=Materialization(
            label=value.label,
            description=value.description,
            metadata_entries=metadata_entries(value.metadata_entries, value.metadata),
        ),
    )


def _expectation(event: DagsterEvent, common: dict[str, Any]) -> StepExpectationResultEvent:
    value = event.data["expectation_result"]
    return StepExpectationResultEvent(
        **common,
        expectation_result=ExpectationResult(
            success=value.success,
            label=value.label,
            description=value.description,
            metadata_entries=metadata_entries(value.metadata_entries, value.metadata),
        ),
    )


def _object_store(event: DagsterEvent, common: dict[str, Any]) -> ObjectStoreOperationEvent:
    data = event.data
    shown = {
        key: str(value)
        for key, value in data.items()
        if key in ("location", "step_output", "step_outputs", "source_run_ids")
    }
    op = (
        ObjectStoreOperationType.SET_OBJECT
        if data.get("op") == "set"
        else (ObjectStoreOperationType.GET_OBJECT)
    )
    return ObjectStoreOperationEvent(
        **common,
        operation_result=ObjectStoreOperationResult(
            op=op, metadata_entries=metadata_entries((), shown)
        ),
    )


def _engine(event: DagsterEvent, common: dict[str, Any]) -> EngineEvent:
    shown = {key: value for key, value in event.data.items() if key != "error"}
    return EngineEvent(
        **common,
        metadata_entries=metadata_entries((), shown),
        error=error_data(event.error),
    )


T = DagsterEventType
_BUILDERS: dict[DagsterEventType, Callable[[DagsterEvent, dict[str, Any]], Any]] = {
    T.LOG_MESSAGE: lambda _e, c: LogMessageEvent(**c),
    T.PIPELINE_START: lambda e, c: PipelineStartEvent(**c, pipeline_name=e.pipeline_name),
    T.PIPELINE_SUCCESS: lambda e, c: PipelineSuccessEvent(**c, pipeline_name=e.pipeline_name),
    T.PIPELINE_FAILURE: lambda e, c: PipelineFailureEvent(
        **c, pipeline_name=e.pipeline_name, error=error_data(e.error)
    ),
    T.PIPELINE_CANCELED: lambda e, c: PipelineCanceledEvent(**c, pipeline_name=e.pipeline_name),
    T.STEP_START: lambda _e, c: ExecutionStepStartEvent(**c),
    T.STEP_RESTARTED: lambda _e, c: ExecutionStepRestartEvent(**c),
    T.STEP_SUCCESS: lambda _e, c: ExecutionStepSuccessEvent(**c),
    T.STEP_FAILURE: _failure,
    T.STEP_SKIPPED: lambda _e, c: ExecutionStepSkippedEvent(**c),
    T.STEP_UP_FOR_RETRY: lambda e, c: ExecutionStepUpForRetryEvent(
        **c, error=error_data(e.error), seconds_to_wait=e.data.get("seconds_to_wait")
    ),
    T.STEP_INPUT: lambda e, c: ExecutionStepInputEvent(
        **c, input_name=e.data.get("input_name", ""), type_name=e.data.get("type_name")
    ),
    T.STEP_OUTPUT: lambda e, c: ExecutionStepOutputEvent(
        **c, output_name=e.data.get("output_name", ""), type_name=e.data.get("type_name")
    ),
    T.STEP_MATERIALIZATION: _materialization,
    T.STEP_EXPECTATION_RESULT: _expectation,
    T.OBJECT_STORE_OPERATION: _object_store,
    T.ENGINE_EVENT: _engine,
}


def graphql_events(events: Iterable[DagsterEvent]) -> list[Any]:
    """The API's types for stored events. The events of one step share its StepReference: a run
    has thousands of events and far fewer steps."""
    steps: _Steps = {}
    return [_BUILDERS[event.event_type](event, _common(event, steps)) for event in events]
