"""The execution plan as the API shows it (the seed's ExecutionPlan, ExecutionStep and their
inputs and outputs): what a run of a pipeline with some run config would run, built by the one
planner (`build_execution_plan`) from the one validation."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from dagster_core.config import DagsterInvalidConfigError
from dagster_core.execution.plan import ExecutionPlan as Plan
from dagster_core.execution.plan import ExecutionStep as Step
from dagster_core.execution.plan import StepInput, build_execution_plan
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.environment import SelectedMode, select_mode
from dagster_core.graphql.errors import (
    ModeNotFoundError,
    PipelineConfigValidationInvalid,
    PipelineNotFoundError,
    PythonError,
    config_validation_invalid,
    python_error,
)
from dagster_core.graphql.runtime_types import MetadataItemDefinition, RuntimeType, metadata_items
from dagster_core.graphql.selection import ExecutionSelector

if TYPE_CHECKING:
    from dagster_core.graphql.pipelines import Pipeline

_PipelineType = Annotated["Pipeline", strawberry.lazy("dagster_core.graphql.pipelines")]


@strawberry.enum(description="What a step does.")
class StepKind(Enum):
    COMPUTE = "COMPUTE"


@strawberry.type
class ExecutionStepOutput:
    name: str
    type: RuntimeType


@strawberry.type
class ExecutionStepInput:
    plan: strawberry.Private[ExecutionPlan]
    step_input: strawberry.Private[StepInput]
    type: RuntimeType

    @strawberry.field
    def name(self) -> str:
        return self.step_input.name

    @strawberry.field(description="The steps whose outputs feed it (several for fan-in).")
    def depends_on(self) -> list[ExecutionStep]:
        keys = dict.fromkeys(h.step_key for h in self.step_input.sources)
        return [ExecutionStep(plan=self.plan, step=self.plan.plan.get_step(k)) for k in keys]


@strawberry.type(description="One step of a plan: running the solid at a handle.")
class ExecutionStep:
    plan: strawberry.Private[ExecutionPlan]
    step: strawberry.Private[Step]

    @strawberry.field
    def key(self) -> str:
        return self.step.key

    @strawberry.field(name="solidHandleID", description="The handle of its solid (outer.inner).")
    def solid_handle_id(self) -> str:
        return self.step.solid_name

    @strawberry.field
    def kind(self) -> StepKind:
        return StepKind.COMPUTE

    @strawberry.field
    def inputs(self) -> list[ExecutionStepInput]:
        solid = self.plan.selected.pipeline.solids_by_handle[self.step.solid_name]
        return [
            ExecutionStepInput(
                plan=self.plan,
                step_input=i,
                type=RuntimeType(dagster_type=solid.input_dict[i.name].dagster_type),
            )
            for i in self.step.inputs
        ]

    @strawberry.field
    def outputs(self) -> list[ExecutionStepOutput]:
        solid = self.plan.selected.pipeline.solids_by_handle[self.step.solid_name]
        return [
            ExecutionStepOutput(
                name=name, type=RuntimeType(dagster_type=solid.output_dict[name].dagster_type)
            )
            for name in self.step.outputs
        ]

    @strawberry.field(description="The step's tags: its solid's, under those of its use.")
    def metadata(self) -> list[MetadataItemDefinition]:
        return metadata_items(self.step.tags)


@strawberry.type(description="The steps a run would run, upstream first.")
class ExecutionPlan:
    selected: strawberry.Private[SelectedMode]
    plan: strawberry.Private[Plan]
    artifacts_persisted: bool = strawberry.field(
        description="Whether outputs go to storage that outlives the run (filesystem, s3)."
    )

    @strawberry.field
    def steps(self) -> list[ExecutionStep]:
        return [ExecutionStep(plan=self, step=s) for s in self.plan.steps]

    @strawberry.field
    def pipeline(self) -> _PipelineType:
        # imported here: pipelines.py holds the root queries, which import this module
        from dagster_core.graphql.pipelines import pipeline_type

        return pipeline_type(self.selected.pipeline)


ExecutionPlanResult = Annotated[
    ExecutionPlan
    | PipelineConfigValidationInvalid
    | PipelineNotFoundError
    | ModeNotFoundError
    | PythonError,
    strawberry.union("ExecutionPlanResult"),
]


def execution_plan_or_error(
    context: GraphQLContext,
    selector: ExecutionSelector,
    environment_dict: Any,
    mode: str | None,
) -> ExecutionPlanResult:  # type: ignore[valid-type]
    """`executionPlan`: the plan for this run config, or every error in it, or why not."""
    try:
        selected = select_mode(context, selector, mode)
        if not isinstance(selected, SelectedMode):
            return selected
        try:
            environment = selected.resolve(context, environment_dict)
        except DagsterInvalidConfigError as exc:
            return config_validation_invalid(selected.pipeline.name, exc.errors)
        plan = build_execution_plan(selected.pipeline, environment)
        storage = next(
            d for d in selected.mode.system_storage_defs if d.name == environment.storage_name
        )
        return ExecutionPlan(
            selected=selected, plan=plan, artifacts_persisted=storage.is_persistent
        )
    except Exception as exc:
        return python_error(exc)
