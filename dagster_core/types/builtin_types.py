"""The builtin types: Any, Int, Float, String, Bool, Path and Nothing."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from dagster_core.config import ConfigAny, ConfigBool, ConfigFloat, ConfigInt, ConfigString
from dagster_core.config.config_type import Scalar
from dagster_core.types.config_schema import FILE_OUTPUT, value_or_file_input
from dagster_core.types.dagster_type import DagsterType


@dataclass(frozen=True)
class _IsInstance:
    """The check of a builtin scalar (a plain value, so the type pickles): an instance of
    `classes`, where a bool is not an int."""

    classes: tuple[type, ...]

    def __call__(self, value: object) -> bool:
        return isinstance(value, self.classes) and not (
            isinstance(value, bool) and builtins.bool not in self.classes
        )


def _scalar(name: str, config_type: Scalar, *classes: type) -> DagsterType:
    return DagsterType(
        name,
        _IsInstance(classes),
        config_type=config_type,
        input_hydration_config=value_or_file_input(config_type),
        output_materialization_config=FILE_OUTPUT,
    )


Any = DagsterType(
    "Any",
    config_type=ConfigAny,
    input_hydration_config=value_or_file_input(ConfigAny),
    output_materialization_config=FILE_OUTPUT,
)
Int = _scalar("Int", ConfigInt, int)
Float = _scalar("Float", ConfigFloat, float, int)
String = _scalar("String", ConfigString, str)
Bool = _scalar("Bool", ConfigBool, bool)
Path = _scalar("Path", ConfigString, str)
Nothing = DagsterType("Nothing", _IsInstance((type(None),)), is_nothing=True)
