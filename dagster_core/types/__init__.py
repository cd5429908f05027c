"""Runtime types: checked on every step input and output."""

from dagster_core.types.dagster_type import (
    Any,
    Bool,
    DagsterType,
    Float,
    Int,
    List,
    Nothing,
    Optional,
    String,
    resolve_dagster_type,
)

__all__ = [
    "Any",
    "Bool",
    "DagsterType",
    "Float",
    "Int",
    "List",
    "Nothing",
    "Optional",
    "String",
    "resolve_dagster_type",
]
