"""How run config reaches typed values: an input's value loaded from config (input hydration), an
output's value written where config says (output materialization), and the builtin forms
`{value: v}`, `{json: {path}}` and `{pickle: {path}}`."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dagster_core.config import (
    ConfigString,
    ConfigType,
    DagsterInvalidConfigDefinitionError,
    Field,
    ScalarUnion,
    Selector,
    resolve_config_type,
)
from dagster_core.definitions.events import Materialization
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError


@dataclass(frozen=True)
class InputHydrationConfig:
    """Loads an input of a type from run config: `loader_fn(context, config_value)`, where the
    config value has been validated against `schema`."""

    schema: ConfigType
    loader_fn: Callable[[Any, Any], Any]
    required_resource_keys: frozenset[str] = frozenset()

    def construct_from_config_value(self, context: Any, config_value: Any) -> Any:
        """The input's value for this (validated) config value."""
        return self.loader_fn(context, config_value)


@dataclass(frozen=True)
class OutputMaterializationConfig:
    """Writes an output of a type where run config says:
    `materializer_fn(context, config_value, value)` returns (or yields) the Materialization(s) it
    made."""

    schema: ConfigType
    materializer_fn: Callable[[Any, Any, Any], Any]
    required_resource_keys: frozenset[str] = frozenset()

    def materialize_runtime_value(
        self, context: Any, config_value: Any, value: Any
    ) -> tuple[Materialization, ...]:
        """Write `value` as `config_value` asks; the Materializations to record for it."""
        made = self.materializer_fn(context, config_value, value)
        made = () if made is None else made
        made = (made,) if isinstance(made, Materialization) else made
        made = tuple(made) if isinstance(made, Iterator) else made  # a generator function
        if not isinstance(made, list | tuple) or not all(
            isinstance(m, Materialization) for m in made
        ):
            raise DagsterInvariantViolationError(
                f"output materialization function {self.materializer_fn.__name__} returned "
                f"{made!r}: it must return a Materialization, a list of them, or None, or "
                "yield Materializations"
            )
        return tuple(made)


def _schema_and_keys(
    config_schema: Any, required_resource_keys: Set[str] | None, decorator: str
) -> tuple[ConfigType, frozenset[str]]:
    try:
        schema = resolve_config_type(config_schema)
    except DagsterInvalidConfigDefinitionError as exc:
        raise DagsterInvalidConfigDefinitionError(f"@{decorator}: {exc}") from None
    if isinstance(required_resource_keys, str) or not all(
        isinstance(k, str) for k in required_resource_keys or ()
    ):
        raise DagsterInvalidDefinitionError(
            f"@{decorator}: required_resource_keys must be a set of str, "
            f"got {required_resource_keys!r}"
        )
    return schema, frozenset(required_resource_keys or ())


def input_hydration_config(
    config_cls: Any, required_resource_keys: Set[str] | None = None
) -> Callable[[Callable[[Any, Any], Any]], InputHydrationConfig]:
    """Decorate `fn(context, config_value) -> value` to load inputs of a type from run config
    of schema `config_cls`; pass the result to DagsterType(input_hydration_config=)."""
    schema, keys = _schema_and_keys(config_cls, required_resource_keys, "input_hydration_config")
    return lambda fn: InputHydrationConfig(schema, fn, keys)


def output_materialization_config(
    config_cls: Any, required_resource_keys: Set[str] | None = None
) -> Callable[[Callable[[Any, Any, Any], Any]], OutputMaterializationConfig]:
    """Decorate `fn(context, config_value, value) -> Materialization` to write outputs of a
    type where run config of schema `config_cls` says; pass the result to
    DagsterType(output_materialization_config=)."""
    schema, keys = _schema_and_keys(
        config_cls, required_resource_keys, "output_materialization_config"
    )
    return lambda fn: OutputMaterializationConfig(schema, fn, keys)


class FileFormat(StrEnum):
    """The builtin file formats of input and output config."""

    JSON = "json"
    PICKLE = "pickle"


_VALUE = "value"


def _path_field() -> Field:
    return Field({"path": Field(ConfigString)})


def _read_file(kind: str, path: str) -> Any:
    if kind == FileFormat.PICKLE:
        with open(path, "rb") as f:
            return pickle.load(f)
    with open(path) as f:
        document = json.load(f)
    if not isinstance(document, Mapping) or _VALUE not in document:
        raise DagsterInvariantViolationError(
            f'JSON input file {path} must hold an object with a "value" key (as '
            f"`outputs: [{{name: {{json: {{path: ...}}}}}}]` writes it), got {document!r}"
        )
    return document[_VALUE]


def _load_selected(_context: Any, config_value: Any) -> Any:
    """`{value: v}` gives v; `{json: {path}}` / `{pickle: {path}}` read the value from a file;
    a bare (non-dict) value is itself."""
    if not isinstance(config_value, Mapping):
        return config_value
    ((kind, options),) = config_value.items()
    return options if kind == _VALUE else _read_file(kind, options["path"])


def value_or_file_input(config_type: ConfigType) -> InputHydrationConfig:
    """The input config of the builtin types: a bare value of `config_type`, or one of
    `{value: v}`, `{json: {path}}`, `{pickle: {path}}`."""
    selector = Selector(
        {
            _VALUE: Field(config_type),
            FileFormat.JSON.value: _path_field(),
            FileFormat.PICKLE.value: _path_field(),
        }
    )
    return InputHydrationConfig(ScalarUnion(config_type, selector), _load_selected)


def _write_file(_context: Any, config_value: Mapping[str, Any], value: Any) -> Materialization:
    ((kind, options),) = config_value.items()
    path = options["path"]
    if kind == FileFormat.PICKLE:
        with open(path, "wb") as f:
            pickle.dump(value, f)
    else:
        with open(path, "w") as f:
            json.dump({_VALUE: value}, f)
    return Materialization.file(path, f"Wrote the output as {kind}")


FILE_OUTPUT = OutputMaterializationConfig(
    Selector({FileFormat.JSON.value: _path_field(), FileFormat.PICKLE.value: _path_field()}),
    _write_file,
)
