"""Naming a pipeline in a query or mutation: `{name, solidSubset}`, found in the workspace or
answered with the error type that says what exists."""

from __future__ import annotations

from typing import NewType

import strawberry

from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.errors import PipelineNotFoundError

EnvironmentConfigData = NewType("EnvironmentConfigData", object)
ENVIRONMENT_CONFIG_DATA = strawberry.scalar(
    name="EnvironmentConfigData",
    description="Run config, as the JSON object that a YAML run config file holds.",
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
