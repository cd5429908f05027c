"""Resources: objects (clients, connections) that solids share, built once per run from config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dagster_core.config import ConfigString, Field, resolve_field


@dataclass(frozen=True)
class InitResourceContext:
    """What a resource function receives."""

    resource_config: Any
    run_id: str
    pipeline_name: str


class ResourceDefinition:
    """`resource_fn(init_context)` returns the resource, or yields it and tears it down after."""

    def __init__(
        self,
        resource_fn: Callable[[InitResourceContext], Any],
        config: object = None,
        description: str | None = None,
    ):
        self.resource_fn = resource_fn
        self.config_field: Field | None = None if config is None else resolve_field(config)
        self.description = description

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource that is always `value` (handy in tests)."""
        return ResourceDefinition(lambda _: value, description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is always None: a stand-in for a resource a test does not use."""
        return ResourceDefinition.hardcoded_resource(None, description)

    @staticmethod
    def string_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is the string given as its config (`resources: {key: {config: "s"}}`)."""
        return ResourceDefinition(
            lambda init_context: init_context.resource_config, ConfigString, description
        )


def resource(
    config: object = None, description: str | None = None
) -> Callable[[Callable[[InitResourceContext], Any]], ResourceDefinition] | ResourceDefinition:
    """Make a ResourceDefinition from a function; usable bare (`@resource`) or called."""
    if callable(config) and not isinstance(config, Field | type):
        return ResourceDefinition(config)

    def decorator(fn: Callable[[InitResourceContext], Any]) -> ResourceDefinition:
        return ResourceDefinition(fn, config=config, description=description or fn.__doc__)

    return decorator
