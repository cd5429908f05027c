"""ModeDefinition: the resources, executors and storages a pipeline may run with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster_core.definitions.executor import ExecutorDefinition
from dagster_core.definitions.resource import ResourceDefinition
from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.storage.system_storage import (
    SystemStorageDefinition,
    default_system_storage_defs,
)


class ModeDefinition:
    """A named set of resources, executors and system storages.

    `executor_defs=None` means the framework's `default_executors`, resolved when a run starts.
    """

    def __init__(
        self,
        name: str = "default",
        resource_defs: Mapping[str, ResourceDefinition] | None = None,
        executor_defs: Sequence[ExecutorDefinition] | None = None,
        system_storage_defs: Sequence[SystemStorageDefinition] | None = None,
        description: str | None = None,
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
