"""Run config for a selected pipeline and mode: its schema as config types (the seed's
EnvironmentSchema, for editors) and its validation, the same one pass as the CLI
(`resolve_environment`: schema, storage and executor checks, every error at once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from dagster_core.config import DagsterInvalidConfigError, Shape
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.execution.api import executor_defs_for
from dagster_core.execution.run_config import (
    EnvironmentConfig,
    environment_schema,
    resolve_environment,
)
from dagster_core.graphql.config_types import ConfigType, all_config_types, to_config_type
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import (
    ModeNotFoundError,
    PipelineConfigValidationInvalid,
    PipelineNotFoundError,
    PythonError,
    config_validation_invalid,
    python_error,
)
from dagster_core.graphql.selection import (
    EnvironmentConfigData,
    ExecutionSelector,
    environment_dict_of,
    find_pipeline,
)

if TYPE_CHECKING:
    from dagster_core.graphql.pipelines import Pipeline

_PipelineType = Annotated["Pipeline", strawberry.lazy("dagster_core.graphql.pipelines")]


@dataclass(frozen=True)
class SelectedMode:
    """A pipeline (cut to its solid subset) and one of its modes, found for a query."""

    pipeline: PipelineDefinition
    mode: ModeDefinition

    def resolve(self, context: GraphQLContext, environment_dict: Any) -> EnvironmentConfig:
        """The run config (a mapping or YAML text) validated in one pass;
        DagsterInvalidConfigError with every error."""
        return resolve_environment(
            self.pipeline,
            self.mode,
            executor_defs_for(self.mode),
            environment_dict_of(environment_dict),
            context.instance,
        )


def select_mode(
    context: GraphQLContext, selector: ExecutionSelector, mode: str | None
) -> SelectedMode | PipelineNotFoundError | ModeNotFoundError:
    """The selected pipeline in `mode` (its only mode, or `default`, when None), or why not."""
    pipeline = find_pipeline(context, selector)
    if isinstance(pipeline, PipelineNotFoundError):
        return pipeline
    try:
        return SelectedMode(pipeline, pipeline.get_mode(mode))
    except DagsterInvariantViolationError as exc:
        return ModeNotFoundError(mode=mode or "", message=str(exc))


@strawberry.type(description="The run config is valid for the pipeline in that mode.")
class PipelineConfigValidationValid:
    selected: strawberry.Private[SelectedMode]

    @strawberry.field
    def pipeline_name(self) -> str:
        return self.selected.pipeline.name

    @strawberry.field
    def pipeline(self) -> _PipelineType:
        # imported here: pipelines.py holds the root queries, which import this module
        from dagster_core.graphql.pipelines import pipeline_type

        return pipeline_type(self.selected.pipeline)


PipelineConfigValidationResult = Annotated[
    PipelineConfigValidationValid
    | PipelineConfigValidationInvalid
    | PipelineNotFoundError
    | ModeNotFoundError
    | PythonError,
    strawberry.union("PipelineConfigValidationResult"),
]


def _validation_result(
    context: GraphQLContext, selected: SelectedMode, environment_dict: Any
) -> PipelineConfigValidationValid | PipelineConfigValidationInvalid:
    try:
        selected.resolve(context, environment_dict)
    except DagsterInvalidConfigError as exc:
        return config_validation_invalid(selected.pipeline.name, exc.errors)
    return PipelineConfigValidationValid(selected=selected)


def validate_pipeline_config(
    context: GraphQLContext,
    selector: ExecutionSelector,
    environment_dict: Any,
    mode: str | None,
) -> PipelineConfigValidationResult:  # type: ignore[valid-type]
    """`isPipelineConfigValid`: valid, every error of the run config, or why it cannot say."""
    try:
        selected = select_mode(context, selector, mode)
        if not isinstance(selected, SelectedMode):
            return selected
        return _validation_result(context, selected, environment_dict)
    except Exception as exc:
        return python_error(exc)


@strawberry.type(
    description="The run config schema of a pipeline in a mode: the type at the root of a run "
    "config document, and every type within it (for an editor's completion and a type browser)."
)
class EnvironmentSchema:
    selected: strawberry.Private[SelectedMode]
    root: strawberry.Private[Shape]

    @strawberry.field(description="The type of a whole run config document.")
    def root_environment_type(self) -> ConfigType:
        return to_config_type(self.root)

    @strawberry.field(description="Every config type in the schema, once each, by key.")
    def all_config_types(self) -> list[ConfigType]:
        return [to_config_type(t) for t in all_config_types(self.root)]

    @strawberry.field(description="Whether this run config is valid, or every error in it.")
    def is_environment_config_valid(
        self, info: strawberry.Info, environment_config_data: EnvironmentConfigData | None = None
    ) -> PipelineConfigValidationResult:
        try:
            return _validation_result(info.context, self.selected, environment_config_data)
        except Exception as exc:
            return python_error(exc)


EnvironmentSchemaOrError = Annotated[
    EnvironmentSchema | PipelineNotFoundError | ModeNotFoundError | PythonError,
    strawberry.union("EnvironmentSchemaOrError"),
]


def environment_schema_or_error(
    context: GraphQLContext, selector: ExecutionSelector, mode: str | None
) -> EnvironmentSchemaOrError:  # type: ignore[valid-type]
    """`environmentSchemaOrError`: the run config schema of the selected pipeline and mode."""
    try:
        selected = select_mode(context, selector, mode)
        if not isinstance(selected, SelectedMode):
            return selected
        root = environment_schema(
            selected.pipeline, selected.mode, executor_defs_for(selected.mode)
        )
        return EnvironmentSchema(selected=selected, root=root)
    except Exception as exc:
        return python_error(exc)
