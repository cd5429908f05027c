"""Definitions: solids, pipelines, resources, modes, presets and executors, as plain objects."""

from dagster_core.definitions.composite import (
    CompositeSolidDefinition,
    ConfigMapping,
    ConfigMappingContext,
    composite_solid,
)
from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.events import (
    EventMetadataEntry,
    ExpectationResult,
    Failure,
    FloatMetadataEntryData,
    IntMetadataEntryData,
    JsonMetadataEntryData,
    MarkdownMetadataEntryData,
    Materialization,
    Output,
    PathMetadataEntryData,
    RetryRequested,
    TextMetadataEntryData,
    TypeCheck,
    UrlMetadataEntryData,
)
from dagster_core.definitions.executor import ExecutorDefinition, executor
from dagster_core.definitions.io import (
    InputDefinition,
    InputMapping,
    OutputDefinition,
    OutputMapping,
)
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import ExecutionSelector, PipelineDefinition, pipeline
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.resource import InitResourceContext, ResourceDefinition, resource
from dagster_core.definitions.schedule import ScheduleDefinition, schedules
from dagster_core.definitions.solid import Solid, SolidDefinition, lambda_solid, solid

__all__ = [
    "CompositeSolidDefinition",
    "ConfigMapping",
    "ConfigMappingContext",
    "DependencyDefinition",
    "EventMetadataEntry",
    "ExecutionSelector",
    "ExecutorDefinition",
    "ExpectationResult",
    "Failure",
    "FloatMetadataEntryData",
    "InitResourceContext",
    "InputDefinition",
    "InputMapping",
    "IntMetadataEntryData",
    "JsonMetadataEntryData",
    "MarkdownMetadataEntryData",
    "Materialization",
    "ModeDefinition",
    "MultiDependencyDefinition",
    "Output",
    "OutputDefinition",
    "OutputMapping",
    "PathMetadataEntryData",
    "PipelineDefinition",
    "PresetDefinition",
    "ResourceDefinition",
    "RetryRequested",
    "ScheduleDefinition",
    "Solid",
    "SolidDefinition",
    "SolidInvocation",
    "TextMetadataEntryData",
    "TypeCheck",
    "UrlMetadataEntryData",
    "composite_solid",
    "executor",
    "lambda_solid",
    "pipeline",
    "resource",
    "schedules",
    "solid",
]
