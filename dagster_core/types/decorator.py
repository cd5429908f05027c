"""@usable_as_dagster_type (and make_python_type_usable_as_dagster_type): a class that can
itself be written where a type is expected."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.storage.serialization import SerializationStrategy
from dagster_core.types.config_schema import InputHydrationConfig, OutputMaterializationConfig
from dagster_core.types.dagster_type import (
    DagsterType,
    PythonObjectDagsterType,
    register_python_type,
)

_Class = TypeVar("_Class", bound=type)


def usable_as_dagster_type(
    name: str | type | None = None,
    description: str | None = None,
    input_hydration_config: InputHydrationConfig | None = None,
    output_materialization_config: OutputMaterializationConfig | None = None,
    serialization_strategy: SerializationStrategy | None = None,
) -> _Class | Callable[[_Class], _Class]:
    """Decorate a class (bare, or with these arguments) so that it can be used as a type in
    InputDefinition / OutputDefinition: values must be instances of it."""
    if isinstance(name, type):
        return usable_as_dagster_type()(name)

    def decorator(cls: _Class) -> _Class:
        if not isinstance(cls, type):
            raise DagsterInvalidDefinitionError(
                f"@usable_as_dagster_type decorates a class, not {cls!r}"
            )
        dagster_type = PythonObjectDagsterType(
            cls,
            name=name or cls.__name__,
            description=description,
            input_hydration_config=input_hydration_config,
            output_materialization_config=output_materialization_config,
            serialization_strategy=serialization_strategy,
        )
        register_python_type(cls, dagster_type)
        return cls

    return decorator


def make_python_type_usable_as_dagster_type(python_type: type, dagster_type: DagsterType) -> None:
    """Make an existing class (one you cannot decorate, e.g. from a library) stand for
    `dagster_type` wherever a type is expected."""
    if not isinstance(python_type, type) or not isinstance(dagster_type, DagsterType):
        raise DagsterInvalidDefinitionError(
            "make_python_type_usable_as_dagster_type takes a class and a DagsterType, got "
            f"{python_type!r} and {dagster_type!r}"
        )
    register_python_type(python_type, dagster_type)
