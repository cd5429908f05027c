"""Errors as data, as in the seed: an `...OrError` field returns its result or one of these, and
an exception in a resolver becomes a PythonError, never a bare trace or an HTTP 500. Messages go
through the one redaction (dagster_core.redact), so no secret leaves the server in an error."""

from __future__ import annotations

import traceback
from enum import Enum

import strawberry

from dagster_core.config import ConfigError, DagsterEvaluationErrorReason
from dagster_core.redact import redact_text

EvaluationErrorReason = strawberry.enum(
    Enum("EvaluationErrorReason", {r.name: r.value for r in DagsterEvaluationErrorReason}),
    description="Why a run config value was refused.",
)


@strawberry.type
class PythonError:
    """An unexpected error in the server, with its traceback."""

    message: str
    class_name: str | None
    stack: list[str]


def python_error(exc: BaseException) -> PythonError:
    """`exc` as data, redacted."""
    stack = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return PythonError(
        message=redact_text(f"{type(exc).__name__}: {exc}"),
        class_name=type(exc).__name__,
        stack=[redact_text(line) for line in stack],
    )


@strawberry.type
class PipelineNotFoundError:
    pipeline_name: str
    message: str


@strawberry.type
class ModeNotFoundError:
    mode: str
    message: str


@strawberry.type
class PipelineRunNotFoundError:
    run_id: str
    message: str


@strawberry.type
class InvalidStepError:
    invalid_step_key: str
    message: str


@strawberry.type
class RunConflict:
    """A run id that is already taken."""

    message: str


@strawberry.type
class PipelineConfigValidationError:
    """One refused value of a run config: where (`path`), why, and what would be accepted."""

    message: str
    path: list[str]
    reason: EvaluationErrorReason  # type: ignore[valid-type]


@strawberry.type
class PipelineConfigValidationInvalid:
    """Every error of a run config at once, as the CLI reports them."""

    pipeline_name: str
    errors: list[PipelineConfigValidationError]


def config_validation_invalid(
    pipeline_name: str, errors: tuple[ConfigError, ...]
) -> PipelineConfigValidationInvalid:
    return PipelineConfigValidationInvalid(
        pipeline_name=pipeline_name,
        errors=[
            PipelineConfigValidationError(
                message=redact_text(error.message),
                path=[str(part) for part in error.path],
                reason=EvaluationErrorReason[error.reason.name],
            )
            for error in errors
        ],
    )
