"""Events: what happened in a run, as small immutable records that pickle, compare and print well."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

from dagster_core.redact import redact_text
from dagster_core.serdes import whitelist_for_serdes
from dagster_core.solid_handle import SolidHandle

_STORED_STEP_RETRY = "STEP_RETRY"  # how logs written before STEP_UP_FOR_RETRY name it


@whitelist_for_serdes
class DagsterEventType(StrEnum):
    """Every kind of event a run writes to its event log.

    A step's first attempt begins with STEP_START, each later one with STEP_RESTARTED; an
    attempt that asks to run again (RetryRequested) ends with STEP_UP_FOR_RETRY. `STEP_RETRY`,
    this project's earlier name, is STEP_UP_FOR_RETRY, and events stored under it read back so."""

    PIPELINE_START = "PIPELINE_START"
    PIPELINE_SUCCESS = "PIPELINE_SUCCESS"
    PIPELINE_FAILURE = "PIPELINE_FAILURE"
    PIPELINE_CANCELED = "PIPELINE_CANCELED"
    STEP_START = "STEP_START"
    STEP_RESTARTED = "STEP_RESTARTED"
    STEP_INPUT = "STEP_INPUT"
    STEP_OUTPUT = "STEP_OUTPUT"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_RETRY = "STEP_UP_FOR_RETRY"  # an alias: the same member
    STEP_MATERIALIZATION = "STEP_MATERIALIZATION"
    STEP_EXPECTATION_RESULT = "STEP_EXPECTATION_RESULT"
    OBJECT_STORE_OPERATION = "OBJECT_STORE_OPERATION"
    ENGINE_EVENT = "ENGINE_EVENT"
    LOG_MESSAGE = "LOG_MESSAGE"

    @classmethod
    def _missing_(cls, value: object) -> DagsterEventType | None:
        return cls.STEP_UP_FOR_RETRY if value == _STORED_STEP_RETRY else None


PIPELINE_END_EVENTS = frozenset(
    {
        DagsterEventType.PIPELINE_SUCCESS,
        DagsterEventType.PIPELINE_FAILURE,
        DagsterEventType.PIPELINE_CANCELED,
    }
)
STEP_START_EVENTS = frozenset({DagsterEventType.STEP_START, DagsterEventType.STEP_RESTARTED})
STEP_END_EVENTS = frozenset(
    {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED}
)


@whitelist_for_serdes
@dataclass(frozen=True)
class ErrorInfo:
    """An exception as plain data: it survives pickling across processes and storage in a database."""

    message: str
    cls_name: str
    stack: tuple[str, ...] = ()
    cause: ErrorInfo | None = None

    def __post_init__(self) -> None:
        # Exceptions often carry connection URLs; what is recorded never shows their secrets.
        object.__setattr__(self, "message", redact_text(self.message))
        object.__setattr__(self, "stack", tuple(redact_text(line) for line in self.stack))

    @classmethod
    def from_exception(cls, exc: BaseException, raised: BaseException | None = None) -> ErrorInfo:
        """`exc` as plain data. `raised` is the exception that `execute_pipeline` raises for it
        with `raise_on_error=True` (the user's own, as the seed did): held in this process only,
        it is not a field, so it is never stored, compared, printed or pickled."""
        cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        info = cls(
            message="".join(traceback.format_exception_only(type(exc), exc)).strip(),
            cls_name=type(exc).__name__,
            stack=tuple(traceback.format_tb(exc.__traceback__)),
            cause=cls.from_exception(cause) if cause is not None else None,
        )
        object.__setattr__(info, "_raised", raised)
        return info

    @property
    def raised(self) -> BaseException | None:
        """The exception to raise for this error, in the process that recorded it; else None."""
        return self.__dict__.get("_raised")

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_raised"}

    def to_string(self) -> str:
        """The message and traceback, as Python would print them (causes first)."""
        text = "".join(self.stack) + self.message + "\n"
        if self.cause is not None:
            text = (
                self.cause.to_string()
                + "\nThe above exception was the direct cause of the following exception:\n\n"
                + text
            )
        return text


USER_FAILURE_LABEL = "intentional-failure"


@dataclass(frozen=True)
class UserFailureData:
    """What a solid's `raise Failure(...)` said, as the seed's `failure_data.user_failure_data`."""

    label: str
    description: str | None
    metadata_entries: tuple[Any, ...] = ()


@whitelist_for_serdes
@dataclass(frozen=True, slots=True)
class DagsterEvent:
    """One event of a run. `data` holds the event's small payload (output name, error, metadata)."""

    event_type: DagsterEventType
    run_id: str
    pipeline_name: str
    message: str = ""
    step_key: str | None = None
    solid_name: str | None = None
    attempt: int = 1
    level: int = logging.INFO
    timestamp: float = field(default_factory=time.time)
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", redact_text(self.message))

    @property
    def event_type_value(self) -> str:
        return self.event_type.value

    @property
    def event_specific_data(self) -> SimpleNamespace:
        """The event's data by attribute, as the seed named it
        (`event.event_specific_data.expectation_result`, `.error`, `.user_failure_data`)."""
        extra = {"user_failure_data": self.user_failure_data} if self.is_step_failure else {}
        return SimpleNamespace(**self.data, **extra)

    @property
    def user_failure_data(self) -> UserFailureData | None:
        """For a step that raised Failure: its description and metadata entries; else None."""
        error = self.error
        if not self.is_step_failure or error is None or error.cls_name != "Failure":
            return None
        entries = tuple(self.data.get("metadata_entries") or ())
        return UserFailureData(USER_FAILURE_LABEL, self.message, entries)

    @property
    def solid_handle(self) -> SolidHandle | None:
        """The solid of a step event, as a handle (None for run events)."""
        return None if self.solid_name is None else SolidHandle.from_string(self.solid_name)

    @property
    def is_step_event(self) -> bool:
        return self.step_key is not None

    @property
    def is_pipeline_event(self) -> bool:
        return self.event_type.value.startswith("PIPELINE_")

    @property
    def is_log_message(self) -> bool:
        return self.event_type is DagsterEventType.LOG_MESSAGE

    @property
    def is_failure(self) -> bool:
        return self.event_type in (
            DagsterEventType.STEP_FAILURE,
            DagsterEventType.PIPELINE_FAILURE,
        )

    @property
    def is_step_start(self) -> bool:
        return self.event_type is DagsterEventType.STEP_START

    @property
    def is_step_success(self) -> bool:
        return self.event_type is DagsterEventType.STEP_SUCCESS

    @property
    def is_step_failure(self) -> bool:
        return self.event_type is DagsterEventType.STEP_FAILURE

    @property
    def is_step_skipped(self) -> bool:
        return self.event_type is DagsterEventType.STEP_SKIPPED

    @property
    def is_step_up_for_retry(self) -> bool:
        return self.event_type is DagsterEventType.STEP_UP_FOR_RETRY

    @property
    def is_successful_output(self) -> bool:
        """A STEP_OUTPUT: the value passed its type check and was stored."""
        return self.event_type is DagsterEventType.STEP_OUTPUT

    @property
    def is_step_materialization(self) -> bool:
        return self.event_type is DagsterEventType.STEP_MATERIALIZATION

    @property
    def is_expectation_result(self) -> bool:
        return self.event_type is DagsterEventType.STEP_EXPECTATION_RESULT

    @property
    def is_engine_event(self) -> bool:
        return self.event_type is DagsterEventType.ENGINE_EVENT

    @property
    def is_pipeline_success(self) -> bool:
        return self.event_type is DagsterEventType.PIPELINE_SUCCESS

    @property
    def is_pipeline_failure(self) -> bool:
        return self.event_type is DagsterEventType.PIPELINE_FAILURE

    @property
    def error(self) -> ErrorInfo | None:
        return self.data.get("error")

    def __str__(self) -> str:
        where = f" {self.step_key}" if self.step_key else ""
        attempt = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        return f"{self.event_type.value}{where}{attempt}: {self.message}"
