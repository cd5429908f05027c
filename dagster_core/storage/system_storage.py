"""System storage definitions: the run config's `storage:` choices, each making an IntermediateStore."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dagster_core.config import ConfigString, Field, resolve_field
from dagster_core.storage.intermediates import InMemoryIntermediateStore, IntermediateStore

if TYPE_CHECKING:
    from dagster_core.instance import DagsterInstance


@dataclass(frozen=True)
class InitSystemStorageContext:
    storage_config: Any
    instance: DagsterInstance


class SystemStorageDefinition:
    """A named `storage:` choice; `creation_fn(init_context)` returns the run's IntermediateStore."""

    def __init__(
        self,
        name: str,
        is_persistent: bool,
        creation_fn: Callable[[InitSystemStorageContext], IntermediateStore],
        config: object = None,
    ):
        self.name = name
        self.is_persistent = is_persistent
        self.creation_fn = creation_fn
        self.config_field: Field | None = None if config is None else resolve_field(config)

    def __repr__(self) -> str:
        return f"<SystemStorageDefinition {self.name}>"


def system_storage(
    name: str, is_persistent: bool, config: object = None
) -> Callable[[Callable[[InitSystemStorageContext], IntermediateStore]], SystemStorageDefinition]:
    """Make a SystemStorageDefinition from a function of its init context."""

    def decorator(fn: Callable[..., IntermediateStore]) -> SystemStorageDefinition:
        return SystemStorageDefinition(name, is_persistent, fn, config)

    return decorator


@system_storage(name="in_memory", is_persistent=False)
def mem_system_storage(_init_context: InitSystemStorageContext) -> IntermediateStore:
    """Intermediates in the driver's memory: for the in-process executor only."""
    return InMemoryIntermediateStore()


@system_storage(
    name="filesystem",
    is_persistent=True,
    config={"base_dir": Field(ConfigString, is_optional=True)},
)
def fs_system_storage(init_context: InitSystemStorageContext) -> IntermediateStore:
    """Intermediates as files under `base_dir` (default: the instance's artifact directory)."""
    from storage_backends.filesystem import FilesystemIntermediateStore

    base_dir = init_context.storage_config.get("base_dir")
    return FilesystemIntermediateStore(base_dir or init_context.instance.storage_directory())


default_system_storage_defs = [mem_system_storage, fs_system_storage]
