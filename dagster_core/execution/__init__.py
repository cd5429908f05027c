"""Running pipelines: config -> plan -> executor -> events."""

from dagster_core.execution.api import (
    execute_pipeline,
    execute_pipeline_iterator,
    execute_plan,
    execute_solid,
    reexecute_pipeline,
    reexecute_pipeline_iterator,
)
from dagster_core.execution.plan import ExecutionPlan, ExecutionStep, StepInput, StepOutputHandle
from dagster_core.execution.results import (
    CompositeSolidExecutionResult,
    PipelineExecutionResult,
    SolidExecutionResult,
)

__all__ = [
    "CompositeSolidExecutionResult",
    "ExecutionPlan",
    "ExecutionStep",
    "PipelineExecutionResult",
    "SolidExecutionResult",
    "StepInput",
    "StepOutputHandle",
    "execute_pipeline",
    "execute_pipeline_iterator",
    "execute_plan",
    "execute_solid",
    "reexecute_pipeline",
    "reexecute_pipeline_iterator",
]
