"""A step's stored outputs as the API shows them (`PipelineRun.stepOutputs`): their type, size
and a short preview, read from the run's intermediate storage. A server started with
`--no-intermediates` refuses with IntermediatesHiddenError, since the data can be sensitive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from dagster_core.events import DagsterEvent
from dagster_core.execution.stored_outputs import read_step_outputs
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import PipelineNotFoundError, PythonError, python_error
from dagster_core.storage import PipelineRun as RunRecord

HIDDEN_MESSAGE = "This server does not show stored outputs: it was started with --no-intermediates"


@strawberry.type(description="One output a step stored.")
class StepOutput:
    name: str
    type_name: str
    location: str | None = strawberry.field(description="Where the store put it (path or URI).")
    size_bytes: float | None = strawberry.field(
        description="Bytes as stored; null when the store cannot say."
    )
    preview: str | None = strawberry.field(
        description="A short text preview: a truncated repr, or shape, dtype(s) and first rows "
        "for numpy arrays and pandas frames."
    )
    preview_error: str | None = strawberry.field(description="Why there is no preview.")


@strawberry.type(description="What a step stored in the run's intermediate storage.")
class StepOutputs:
    run_id: str
    step_key: str
    storage_name: str = strawberry.field(description="The run's `storage:` choice.")
    stored: bool = strawberry.field(
        description="False when that storage keeps outputs in memory only (in_memory)."
    )
    outputs: list[StepOutput]


@strawberry.type(description="The server does not show stored outputs (--no-intermediates).")
class IntermediatesHiddenError:
    message: str


StepOutputsOrError = Annotated[
    StepOutputs | IntermediatesHiddenError | PipelineNotFoundError | PythonError,
    strawberry.union("StepOutputsOrError"),
]


def step_outputs(
    context: GraphQLContext, run: RunRecord, events: Sequence[DagsterEvent], step_key: str
) -> StepOutputsOrError:  # type: ignore[valid-type]
    """The outputs `step_key` of `run` stored, or why they cannot be shown."""
    if not context.show_intermediates:
        return IntermediatesHiddenError(message=HIDDEN_MESSAGE)
    repository = context.workspace.repository
    if not repository.has_pipeline(run.pipeline_name):
        return PipelineNotFoundError(
            pipeline_name=run.pipeline_name,
            message=f"The served code does not define pipeline {run.pipeline_name!r}, whose "
            "definition says how the run stored its outputs",
        )
    try:
        found = read_step_outputs(
            repository.get_pipeline(run.pipeline_name), run, events, step_key, context.instance
        )
    except Exception as exc:
        return python_error(exc)
    return StepOutputs(
        run_id=run.run_id,
        step_key=step_key,
        storage_name=found.storage_name,
        stored=found.is_persistent,
        outputs=[
            StepOutput(
                name=output.name,
                type_name=output.type_name,
                location=output.location,
                size_bytes=output.size_bytes,
                preview=output.preview,
                preview_error=output.preview_error,
            )
            for output in found.outputs
        ],
    )
