"""Definitions: solids, pipelines, resources, modes, presets and executors, as plain objects."""

from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.events import (
    ExpectationResult,
    Failure,
    Materialization,
    Output,
    RetryRequested,
)
from dagster_core.definitions.executor import ExecutorDefinition, executor
from dagster_core.definitions.io import InputDefinition, OutputDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition, pipeline
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.resource import InitResourceContext, ResourceDefinition, resource
from dagster_core.definitions.schedule import ScheduleDefinition, schedules
from dagster_core.definitions.solid import Solid, SolidDefinition, lambda_solid, solid

__all__ = [
    "DependencyDefinition",
    "ExecutorDefinition",
    "ExpectationResult",
    "Failure",
    "InitResourceContext",
    "InputDefinition",
    "Materialization",
    "ModeDefinition",
    "MultiDependencyDefinition",
    "Output",
    "OutputDefinition",
    "PipelineDefinition",
    "PresetDefinition",
    "ResourceDefinition",
    "RetryRequested",
    "ScheduleDefinition",
    "Solid",
    "SolidDefinition",
    "SolidInvocation",
    "executor",
    "lambda_solid",
    "pipeline",
    "resource",
    "schedules",
    "solid",
]
