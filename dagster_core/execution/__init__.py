"""Running pipelines: config -> plan -> executor -> events."""

from dagster_core.execution.api import (
    create_run_for_pipeline,
    execute_pipeline,
    execute_pipeline_iterator,
    execute_pipeline_with_mode,
    execute_pipeline_with_preset,
    execute_plan,
    execute_run_iterator,
    execute_solid,
    execute_solid_within_pipeline,
    execute_solids_within_pipeline,
    reexecute_pipeline,
    reexecute_pipeline_iterator,
)
from dagster_core.execution.plan import ExecutionPlan, ExecutionStep, StepInput, StepOutputHandle
from dagster_core.execution.results import (
    CompositeSolidExecutionResult,
    PipelineExecutionResult,
    SolidExecutionResult,
)
from dagster_core.execution.run_options import RunConfig

__all__ = [
    "CompositeSolidExecutionResult",
    "ExecutionPlan",
    "ExecutionStep",
    "PipelineExecutionResult",
    "RunConfig",
    "SolidExecutionResult",
    "StepInput",
    "StepOutputHandle",
    "create_run_for_pipeline",
    "execute_pipeline",
    "execute_pipeline_iterator",
    "execute_pipeline_with_mode",
    "execute_pipeline_with_preset",
    "execute_plan",
    "execute_run_iterator",
    "execute_solid",
    "execute_solid_within_pipeline",
    "execute_solids_within_pipeline",
    "reexecute_pipeline",
    "reexecute_pipeline_iterator",
]
