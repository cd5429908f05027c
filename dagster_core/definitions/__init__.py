"""Definitions: solids, pipelines, resources, modes, presets, executors, loggers, schedules and
repositories, as plain objects."""

from dagster_core.definitions.composite import (
    CompositeSolidDefinition,
    ConfigMapping,
    ConfigMappingContext,
    composite_solid,
)
from dagster_core.definitions.date_schedules import (
    daily_schedule,
    hourly_schedule,
    monthly_schedule,
    weekly_schedule,
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
from dagster_core.definitions.handle import (
    ExecutionTargetHandle,
    HandleEntry,
    HandleTarget,
    load_pipeline,
    load_pipelines,
    load_schedules,
)
from dagster_core.definitions.io import (
    InputDefinition,
    InputMapping,
    OutputDefinition,
    OutputMapping,
)
from dagster_core.definitions.logger import (
    InitLoggerContext,
    LoggerDefinition,
    colored_console_logger,
    logger,
)
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import ExecutionSelector, PipelineDefinition, pipeline
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.repository import RepositoryDefinition
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
    "ExecutionTargetHandle",
    "ExecutorDefinition",
    "ExpectationResult",
    "Failure",
    "FloatMetadataEntryData",
    "HandleEntry",
    "HandleTarget",
    "InitLoggerContext",
    "InitResourceContext",
    "InputDefinition",
    "InputMapping",
    "IntMetadataEntryData",
    "JsonMetadataEntryData",
    "LoggerDefinition",
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
    "RepositoryDefinition",
    "ResourceDefinition",
    "RetryRequested",
    "ScheduleDefinition",
    "Solid",
    "SolidDefinition",
    "SolidInvocation",
    "TextMetadataEntryData",
    "TypeCheck",
    "UrlMetadataEntryData",
    "colored_console_logger",
    "composite_solid",
    "daily_schedule",
    "executor",
    "hourly_schedule",
    "lambda_solid",
    "load_pipeline",
    "load_pipelines",
    "load_schedules",
    "logger",
    "monthly_schedule",
    "pipeline",
    "resource",
    "schedules",
    "solid",
    "weekly_schedule",
]
