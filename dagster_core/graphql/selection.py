"""Naming a pipeline in a query or mutation: `{name, solidSubset}`, found in the workspace or
answered with the error type that says what exists; and the run config a query or mutation
gives, as a JSON object or as YAML text (what an editor holds: browsers have no YAML parser).
Text that is not YAML, or not a mapping, is a config error at the root of the run config naming
its line and column, answered as data (PipelineConfigValidationInvalid) like any other."""

from __future__ import annotations

from typing import Any, NewType

import strawberry

from dagster_core.config import ConfigError, DagsterEvaluationErrorReason, DagsterInvalidConfigError
from dagster_core.config.yaml_files import YamlMappingError, parse_yaml_mapping
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import PipelineNotFoundError

EnvironmentConfigData = NewType("EnvironmentConfigData", object)
ENVIRONMENT_CONFIG_DATA = strawberry.scalar(
    name="EnvironmentConfigData",
    description="Run config: the JSON object that a YAML run config file holds, or a string "
    "holding that YAML (text that is not YAML or not a mapping is a config error naming its "
    "line and column).",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)


@strawberry.input
class ExecutionSelector:
    """A pipeline by name, optionally just some of its solids."""

    name: str
    solid_subset: list[str] | None = None


def find_pipeline(
    context: GraphQLContext, selector: ExecutionSelector
) -> PipelineDefinition | PipelineNotFoundError:
    """The selected pipeline (its sub-pipeline for a solid subset), or why there is none."""
    repository = context.workspace.repository
    if not repository.has_pipeline(selector.name):
        return PipelineNotFoundError(
            pipeline_name=selector.name,
            message=(
                f"No pipeline '{selector.name}' in the workspace; it has: "
                + (", ".join(repository.pipeline_names) or "none")
            ),
        )
    pipeline = repository.get_pipeline(selector.name)
    if selector.solid_subset is None:
        return pipeline
    try:
        return pipeline.build_sub_pipeline(selector.solid_subset)
    except (DagsterInvalidDefinitionError, DagsterInvariantViolationError) as exc:
        return PipelineNotFoundError(pipeline_name=selector.name, message=str(exc))


def environment_dict_of(value: Any) -> Any:
    """The run config an `EnvironmentConfigData` value gives: YAML text parsed (empty text is
    {}), anything else as it is; DagsterInvalidConfigError at the root for bad text."""
    if not isinstance(value, str):
        return value
    try:
        return parse_yaml_mapping(value)
    except YamlMappingError as exc:
        where = f" at line {exc.line}, column {exc.column}" if exc.line is not None else ""
        message = (
            f"Invalid YAML{where}: {exc.problem}"
            if exc.is_syntax
            else f"Run config{where}: {exc.problem}"
        )
        raise DagsterInvalidConfigError(
            [ConfigError((), message, DagsterEvaluationErrorReason.RUNTIME_TYPE_MISMATCH)]
        ) from None
