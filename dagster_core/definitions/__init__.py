"""Definitions: solids, pipelines, resources, modes, presets and executors, as plain objects."""

from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.events import (
    EventMetadataEntry,
    ExpectationResult,
    Failure,
    Materialization,
    Output,
    RetryRequested,
    TypeCheck,
)
from dagster_core.definitions.executor import ExecutorDefinition, executor
from dagster_core.definitions.io import InputDefinition, OutputDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition, pipeline
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.resource import InitResourceContext, ResourceDefinition, resource
from dagster_core.definitions.schedule import ScheduleDefinition, schedules
from dagster_core.definitions.solid import SolidDefinition, lambda_solid, solid

__all__ = [
    "DependencyDefinition",
    "EventMetadataEntry",
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
    "SolidDefinition",
    "SolidInvocation",
    "TypeCheck",
    "executor",
    "lambda_solid",
    "pipeline",
    "resource",
    "schedules",
    "solid",
]
