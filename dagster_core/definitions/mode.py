"""ModeDefinition: the resources, executors, storages and loggers a pipeline may run with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster_core.definitions.executor import ExecutorDefinition
from dagster_core.definitions.logger import LoggerDefinition, default_loggers
from dagster_core.definitions.resource import ResourceDefinition
from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.storage.system_storage import (
    SystemStorageDefinition,
    default_system_storage_defs,
)


class ModeDefinition:
    """A named set of resources, executors, system storages and loggers.

    `executor_defs=None` means the framework's `default_executors`, resolved when a run starts;
    `logger_defs=None` means the console logger alone (`{"console": colored_console_logger}`).
    """

    def __init__(
        self,
        name: str = "default",
        resource_defs: Mapping[str, ResourceDefinition] | None = None,
        executor_defs: Sequence[ExecutorDefinition] | None = None,
        system_storage_defs: Sequence[SystemStorageDefinition] | None = None,
        description: str | None = None,
        logger_defs: Mapping[str, LoggerDefinition] | None = None,
    ):
        self.name = name
        self.resource_defs = dict(resource_defs or {})
        for key, rdef in self.resource_defs.items():
            if not isinstance(rdef, ResourceDefinition):
                raise DagsterInvalidDefinitionError(
                    f"Resource '{key}' of mode '{name}' is {rdef!r}: expected a ResourceDefinition "
                    "(use @resource, or ResourceDefinition.hardcoded_resource(value))"
                )
        self.executor_defs = None if executor_defs is None else tuple(executor_defs)
        self.system_storage_defs = tuple(
            default_system_storage_defs if system_storage_defs is None else system_storage_defs
        )
        self.description = description
        self.logger_defs = default_loggers() if logger_defs is None else dict(logger_defs)
        for key, ldef in self.logger_defs.items():
            if not isinstance(key, str) or not isinstance(ldef, LoggerDefinition):
                raise DagsterInvalidDefinitionError(
                    f"Logger {key!r} of mode '{name}' is {ldef!r}: logger_defs must map names "
                    "to LoggerDefinitions (use @logger)"
                )

    @staticmethod
    def from_resources(resources: Mapping[str, Any], name: str | None = None) -> ModeDefinition:
        """A mode whose resources are these ready-made objects (handy in tests)."""
        if not isinstance(resources, Mapping):
            raise DagsterInvalidDefinitionError(
                f"ModeDefinition.from_resources takes a dict of resource key to object, "
                f"got {resources!r}"
            )
        return ModeDefinition(
            name=name or "default",
            resource_defs={
                key: ResourceDefinition.hardcoded_resource(value)
                for key, value in resources.items()
            },
        )

    def __repr__(self) -> str:
        return f"<ModeDefinition {self.name}>"
