"""Runtime types: checked on every step input and output, loadable from run config and
writable to files by it."""

from dagster_core.types.builtin_types import Any, Bool, Float, Int, Nothing, Path, String
from dagster_core.types.config_schema import (
    InputHydrationConfig,
    OutputMaterializationConfig,
    input_hydration_config,
    output_materialization_config,
)
from dagster_core.types.dagster_type import DagsterType, PythonObjectDagsterType, TypeCheckContext
from dagster_core.types.decorator import (
    make_python_type_usable_as_dagster_type,
    usable_as_dagster_type,
)
from dagster_core.types.type_check import check_dagster_type
from dagster_core.types.wrapping import Dict, List, Optional, Set, Tuple, resolve_dagster_type

__all__ = [
    "Any",
    "Bool",
    "DagsterType",
    "Dict",
    "Float",
    "InputHydrationConfig",
    "Int",
    "List",
    "Nothing",
    "Optional",
    "OutputMaterializationConfig",
    "Path",
    "PythonObjectDagsterType",
    "Set",
    "String",
    "Tuple",
    "TypeCheckContext",
    "check_dagster_type",
    "input_hydration_config",
    "make_python_type_usable_as_dagster_type",
    "output_materialization_config",
    "resolve_dagster_type",
    "usable_as_dagster_type",
]
