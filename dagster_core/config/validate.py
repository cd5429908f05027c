"""Checking config values against config types: every error at once, defaults filled in."""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum as PythonEnum
from typing import Any

from dagster_core.config.config_type import (
    AnyType,
    Array,
    ConfigType,
    Enum,
    Noneable,
    Permissive,
    Scalar,
    ScalarUnion,
    Selector,
    Shape,
    Source,
)
from dagster_core.config.field import Field, resolve_field
from dagster_core.errors import DagsterError
from dagster_core.redact import EnvValue, shown_value

Path = tuple[str | int, ...]
Errors = list["ConfigError"]


def _format_path(path: Path) -> str:
    """`solids.join.inputs.xs[1]`: names joined by dots, list indices in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "<root>"


class DagsterEvaluationErrorReason(PythonEnum):
    """What kind of problem a ConfigError is (the seed's names).

    Each missing field and each unknown key is its own error. FAILED_POST_PROCESSING: the value
    fits the schema but a check made after it refuses it (the storage an executor needs, a
    cluster address, an unset environment variable).
    """

    RUNTIME_TYPE_MISMATCH = "RUNTIME_TYPE_MISMATCH"
    MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD"
    FIELD_NOT_DEFINED = "FIELD_NOT_DEFINED"
    SELECTOR_FIELD_ERROR = "SELECTOR_FIELD_ERROR"
    FAILED_POST_PROCESSING = "FAILED_POST_PROCESSING"


@dataclass(frozen=True)
class ConfigError:
    """One problem in a config value, at `path` from the root of the value."""

    path: Path
    message: str
    # Not compared: the message already says what is wrong; the reason classifies it.
    reason: DagsterEvaluationErrorReason = dataclasses.field(
        default=DagsterEvaluationErrorReason.FAILED_POST_PROCESSING, compare=False
    )

    def __str__(self) -> str:
        return f"{_format_path(self.path)}: {self.message}"


@dataclass(frozen=True)
class ValidationResult:
    """The processed value (None when invalid) and every error found."""

    value: Any
    errors: tuple[ConfigError, ...]

    @property
    def success(self) -> bool:
        """True when there are no errors."""
        return not self.errors


class DagsterInvalidConfigError(DagsterError):
    """Config that does not match its schema; `errors` lists every problem."""

    def __init__(self, errors: Iterable[ConfigError]):
        self.errors = tuple(errors)
        count = f"{len(self.errors)} error{'' if len(self.errors) == 1 else 's'}"
        lines = "".join(f"\n  {error}" for error in self.errors)
        super().__init__(f"Invalid config: {count}:{lines}")

    def __reduce__(self) -> tuple[type, tuple[tuple[ConfigError, ...]]]:
        return (type(self), (self.errors,))


def validate_config(config: Any, value: Any, path: Path = ()) -> ValidationResult:
    """Check `value` against a ConfigType, Field or anything resolvable to one; never mutates it."""
    errors: list[ConfigError] = []
    processed = _evaluate_field(resolve_field(config), value, path, errors)
    return ValidationResult(None if errors else processed, tuple(errors))


def process_config(config: Any, value: Any) -> Any:
    """The processed value of `value`; raises DagsterInvalidConfigError listing every error."""
    result = validate_config(config, value)
    if not result.success:
        raise DagsterInvalidConfigError(result.errors)
    return result.value


def _evaluate_field(field: Field, value: Any, path: Path, errors: Errors) -> Any:
    """The field's processed value; None given for an optional field means "use the default"."""
    takes_none = isinstance(field.config_type, Noneable | AnyType)
    if value is None and field.is_optional and not takes_none:
        return _default(field, path, errors) if field.default_provided else None
    return _evaluate(field.config_type, value, path, errors)


def _default(field: Field, path: Path, errors: Errors) -> Any:
    """The field's default, processed; copied so no run can change another's default."""
    return _evaluate(field.config_type, copy.deepcopy(field.default_value), path, errors)


def _evaluate(config_type: ConfigType, value: Any, path: Path, errors: Errors) -> Any:
    """`value` processed for `config_type`, appending any errors to `errors`."""
    return _EVALUATORS[type(config_type)](config_type, value, path, errors)


def _evaluate_any(config_type: AnyType, value: Any, path: Path, errors: Errors) -> Any:
    return value


def _evaluate_scalar(config_type: Scalar, value: Any, path: Path, errors: Errors) -> Any:
    is_bool_as_number = isinstance(value, bool) and bool not in config_type.python_types
    if not isinstance(value, config_type.python_types) or is_bool_as_number:
        errors.append(_expected(path, config_type.type_name(), value))
    return value


def _evaluate_noneable(config_type: Noneable, value: Any, path: Path, errors: Errors) -> Any:
    return None if value is None else _evaluate(config_type.inner, value, path, errors)


def _evaluate_array(config_type: Array, value: Any, path: Path, errors: Errors) -> Any:
    if not isinstance(value, list | tuple):
        errors.append(_expected(path, f"a list of {config_type.inner.type_name()}", value))
        return value
    return [_evaluate(config_type.inner, item, (*path, i), errors) for i, item in enumerate(value)]


def _evaluate_enum(config_type: Enum, value: Any, path: Path, errors: Errors) -> Any:
    for enum_value in config_type.enum_values:
        if value == enum_value.config_value:
            return enum_value.python_value
    choices = _quoted(v.config_value for v in config_type.enum_values)
    errors.append(_expected(path, f"one of {choices} (Enum {config_type.name})", value))
    return value


def _evaluate_shape(config_type: Shape | Permissive, value: Any, path: Path, errors: Errors) -> Any:
    value = {} if value is None else value
    if not isinstance(value, Mapping):
        errors.append(_expected(path, f"a dict ({type(config_type).__name__})", value))
        return value
    processed = {}
    for name, field in config_type.fields.items():
        if name in value:
            processed[name] = _evaluate_field(field, value[name], (*path, name), errors)
        elif field.default_provided:
            processed[name] = _default(field, (*path, name), errors)
        elif not field.is_optional:
            type_name = field.config_type.type_name()
            message = f'missing required field "{name}" ({type_name})'
            errors.append(
                ConfigError(path, message, DagsterEvaluationErrorReason.MISSING_REQUIRED_FIELD)
            )
    for key in value:
        if key in config_type.fields:
            continue
        if isinstance(config_type, Permissive):
            processed[key] = value[key]
        else:
            errors.append(_unknown_field(path, key, config_type.fields))
    return processed


def _evaluate_selector(config_type: Selector, value: Any, path: Path, errors: Errors) -> Any:
    value = {} if value is None else value
    if not isinstance(value, Mapping):
        errors.append(_expected(path, "a dict (Selector)", value))
        return value
    fields = config_type.fields
    chosen = [key for key in value if key in fields]
    unknown = [key for key in value if key not in fields]
    processed = {}
    if len(chosen) == 1:
        name = chosen[0]
        processed[name] = _evaluate_field(fields[name], value[name], (*path, name), errors)
    elif chosen:
        got = f"got {len(chosen)}: {_quoted(chosen)}"
        message = f"expected exactly one of {_quoted(fields)}, {got}"
        errors.append(ConfigError(path, message, DagsterEvaluationErrorReason.SELECTOR_FIELD_ERROR))
    elif not unknown:
        (name, field), *others = fields.items()
        if others or not field.default_provided:
            message = f"expected exactly one of {_quoted(fields)}"
            errors.append(
                ConfigError(path, message, DagsterEvaluationErrorReason.SELECTOR_FIELD_ERROR)
            )
        else:
            processed[name] = _default(field, (*path, name), errors)
    errors.extend(_unknown_field(path, key, fields) for key in unknown)
    return processed


def _evaluate_scalar_union(config_type: ScalarUnion, value: Any, path: Path, errors: Errors) -> Any:
    inner = config_type.non_scalar_type if isinstance(value, Mapping) else config_type.scalar_type
    return _evaluate(inner, value, path, errors)


def _evaluate_source(config_type: Source, value: Any, path: Path, errors: Errors) -> Any:
    """The value, or the environment variable `{env: NAME}` names (hidden wherever shown)."""
    if not isinstance(value, Mapping):
        return _evaluate(config_type.scalar, value, path, errors)
    name = value.get("env")
    if set(value) != {"env"} or not isinstance(name, str):
        errors.append(_expected(path, config_type.type_name(), value))
        return value
    if name not in os.environ:
        message = f'environment variable "{name}" is not set'
        errors.append(
            ConfigError((*path, "env"), message, DagsterEvaluationErrorReason.RUNTIME_TYPE_MISMATCH)
        )
        return value
    if config_type.scalar.python_types == (str,):
        return EnvValue(os.environ[name], name)
    try:
        return config_type.scalar.python_types[0](os.environ[name])
    except ValueError:
        message = (
            f'environment variable "{name}" holds no {config_type.scalar.type_name()} '
            "(its value is not shown)"
        )
        errors.append(
            ConfigError((*path, "env"), message, DagsterEvaluationErrorReason.RUNTIME_TYPE_MISMATCH)
        )
        return value


_EVALUATORS: dict[type, Callable[[Any, Any, Path, Errors], Any]] = {
    AnyType: _evaluate_any,
    Scalar: _evaluate_scalar,
    Noneable: _evaluate_noneable,
    Array: _evaluate_array,
    Enum: _evaluate_enum,
    Shape: _evaluate_shape,
    Permissive: _evaluate_shape,
    Selector: _evaluate_selector,
    ScalarUnion: _evaluate_scalar_union,
    Source: _evaluate_source,
}


def _unknown_field(path: Path, key: Any, fields: Mapping[str, Field]) -> ConfigError:
    """An unknown-key error with the closest field name, or all of them when none is close."""
    close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
    if close:
        hint = f'did you mean "{close[0]}"?'
    else:
        hint = f"expected one of: {_quoted(fields)}" if fields else "expected no fields"
    return ConfigError(
        path, f'unknown field "{key}"; {hint}', DagsterEvaluationErrorReason.FIELD_NOT_DEFINED
    )


def _expected(path: Path, expected: str, value: Any) -> ConfigError:
    message = f"expected {expected}, got {_describe(value)}"
    return ConfigError(path, message, DagsterEvaluationErrorReason.RUNTIME_TYPE_MISMATCH)


def _describe(value: Any) -> str:
    """A short rendering of a bad value: scalars as they may be shown (no secrets), just the kind
    for collections."""
    if isinstance(value, Mapping):
        return "a dict"
    if isinstance(value, list | tuple):
        return "a list"
    return shown_value(value)


def _quoted(names: Iterable[Any]) -> str:
    return ", ".join(f'"{name}"' for name in names)
