"""Definitions: solids, pipelines, resources, modes, presets, executors, loggers, schedules and
repositories, as plain objects."""

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
    ExpectationResult,
    Failure,
    Materialization,
    Output,
    RetryRequested,
)
from dagster_core.definitions.executor import ExecutorDefinition, executor
from dagster_core.definitions.io import InputDefinition, OutputDefinition
from dagster_core.definitions.logger import (
    InitLoggerContext,
    LoggerDefinition,
    colored_console_logger,
    logger,
)
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition, pipeline
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.repository import RepositoryDefinition
from dagster_core.definitions.resource import InitResourceContext, ResourceDefinition, resource
from dagster_core.definitions.schedule import ScheduleDefinition, schedules
from dagster_core.definitions.solid import SolidDefinition, lambda_solid, solid

__all__ = [
    "DependencyDefinition",
    "ExecutorDefinition",
    "ExpectationResult",
    "Failure",
    "InitLoggerContext",
    "InitResourceContext",
    "InputDefinition",
    "LoggerDefinition",
    "Materialization",
    "ModeDefinition",
    "MultiDependencyDefinition",
    "Output",
    "OutputDefinition",
    "PipelineDefinition",
    "PresetDefinition",
    "RepositoryDefinition",
    "ResourceDefinition",
    "RetryRequested",
    "ScheduleDefinition",
    "SolidDefinition",
    "SolidInvocation",
    "colored_console_logger",
    "daily_schedule",
    "executor",
    "hourly_schedule",
    "lambda_solid",
    "logger",
    "monthly_schedule",
    "pipeline",
    "resource",
    "schedules",
    "solid",
    "weekly_schedule",
]
