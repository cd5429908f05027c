"""ExecutorDefinition: a named, configurable way of running an execution plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dagster_core.config import Field, resolve_field


class ExecutorDefinition:
    """`executor_creation_fn(executor_config)` returns an object whose
    `execute(run_context, instance)` yields the run's step events.

    `requires_persistent_storage` executors run steps outside the driver's memory, so their
    intermediates must go to filesystem or S3 storage. `check_run(executor_config, storage_name,
    storage_config, instance)` returns ConfigErrors for runs the executor cannot do, before the
    run starts.
    """

    def __init__(
        self,
        name: str,
        executor_creation_fn: Callable[[Any], Any],
        config: object = None,
        requires_persistent_storage: bool = False,
        description: str | None = None,
        check_run: Callable[..., list[Any]] | None = None,
    ):
        self.name = name
        self.executor_creation_fn = executor_creation_fn
        self.config_field: Field | None = None if config is None else resolve_field(config)
        self.requires_persistent_storage = requires_persistent_storage
        self.description = description
        self.check_run = check_run

    def __repr__(self) -> str:
        return f"<ExecutorDefinition {self.name}>"


def executor(
    name: str,
    config: object = None,
    requires_persistent_storage: bool = False,
    check_run: Callable[..., list[Any]] | None = None,
) -> Callable[[Callable[[Any], Any]], ExecutorDefinition]:
    """Make an ExecutorDefinition from a function of the executor's validated config."""

    def decorator(fn: Callable[[Any], Any]) -> ExecutorDefinition:
        return ExecutorDefinition(
            name, fn, config, requires_persistent_storage, fn.__doc__, check_run
        )

    return decorator
