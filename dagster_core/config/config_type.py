"""Config types: the schemas that run, solid, resource and executor config are checked against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dagster_core.errors import DagsterInvalidDefinitionError

if TYPE_CHECKING:
    from dagster_core.config.field import Field


class DagsterInvalidConfigDefinitionError(DagsterInvalidDefinitionError):
    """A config schema is defined wrongly (bad type, bad default); raised when it is defined."""


class ConfigType:
    """Base of all config types; `key` identifies the type, `type_name()` names it in messages."""

    __slots__ = ("description", "key")

    def __init__(self, key: str, description: str | None = None):
        self.key = key
        self.description = description

    def type_name(self) -> str:
        """The name shown to users in error messages."""
        return self.key

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key}>"


class _BuiltinConfigType(ConfigType):
    """A module-level singleton; unpickles to that same singleton so identity survives processes."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_builtin_config_type, (self.key,))


class Scalar(_BuiltinConfigType):
    """A plain value of one of `python_types`; bool is not accepted where int is unless listed."""

    __slots__ = ("python_types",)

    def __init__(self, key: str, python_types: tuple[type, ...]):
        super().__init__(key)
        self.python_types = python_types


class AnyType(_BuiltinConfigType):
    """Any value at all, None included, passed through unchanged."""

    __slots__ = ()


ConfigInt = Scalar("Int", (int,))
ConfigFloat = Scalar("Float", (int, float))
ConfigString = Scalar("String", (str,))
ConfigBool = Scalar("Bool", (bool,))
ConfigAny = AnyType("Any")

_BUILTINS_BY_KEY = {t.key: t for t in (ConfigInt, ConfigFloat, ConfigString, ConfigBool, ConfigAny)}
_BUILTINS_BY_PYTHON_TYPE = {int: ConfigInt, float: ConfigFloat, str: ConfigString, bool: ConfigBool}


def _builtin_config_type(key: str) -> ConfigType:
    """The singleton named `key`; used by pickle."""
    return _BUILTINS_BY_KEY[key]


def _resolve_fields(fields: Mapping[str, Any]) -> dict[str, Field]:
    """Each value made a Field; an error names the field it happened in."""
    # Imported here: field.py imports this module, and a Field is built from config types.
    from dagster_core.config.field import resolve_field

    if not isinstance(fields, Mapping):
        raise DagsterInvalidConfigDefinitionError(
            f"config fields must be a dict of name to Field or type, got {fields!r}"
        )
    resolved = {}
    for name, value in fields.items():
        if not isinstance(name, str):
            raise DagsterInvalidConfigDefinitionError(
                f"config field names must be str, got {name!r}"
            )
        try:
            resolved[name] = resolve_field(value)
        except DagsterInvalidConfigDefinitionError as exc:
            raise DagsterInvalidConfigDefinitionError(f'field "{name}": {exc}') from None
    return resolved


class _FieldsConfigType(ConfigType):
    """A dict whose known keys are described by `fields` (declaration order is kept)."""

    __slots__ = ("fields",)

    def __init__(self, fields: Mapping[str, Any], description: str | None = None):
        self.fields = _resolve_fields(fields)
        inner = ",".join(f"{name}:{field.config_type.key}" for name, field in self.fields.items())
        super().__init__(f"{type(self).__name__}.{{{inner}}}", description)

    def type_name(self) -> str:
        return type(self).__name__


class Shape(_FieldsConfigType):
    """A dict with known keys: missing required keys and unknown keys are errors."""

    __slots__ = ()

    def type_name(self) -> str:
        return "Dict"


Dict = Shape


class Permissive(_FieldsConfigType):
    """Like Shape, but keys not among `fields` are allowed and passed through unchanged."""

    __slots__ = ()

    def __init__(self, fields: Mapping[str, Any] | None = None, description: str | None = None):
        super().__init__(fields or {}, description)


class Selector(_FieldsConfigType):
    """A dict with exactly one of its fields' keys: a choice among alternatives (e.g. executors)."""

    __slots__ = ()

    def __init__(self, fields: Mapping[str, Any], description: str | None = None):
        super().__init__(fields, description)
        if not self.fields:
            raise DagsterInvalidConfigDefinitionError("a Selector needs at least one field")


class Array(ConfigType):
    """A list whose every element is of config type `inner`."""

    __slots__ = ("inner",)

    def __init__(self, inner: Any, description: str | None = None):
        self.inner = resolve_config_type(inner)
        super().__init__(f"Array.{self.inner.key}", description)

    def type_name(self) -> str:
        return f"List[{self.inner.type_name()}]"


class Noneable(ConfigType):
    """None, or a value of config type `inner`."""

    __slots__ = ("inner",)

    def __init__(self, inner: Any, description: str | None = None):
        self.inner = resolve_config_type(inner)
        super().__init__(f"Noneable.{self.inner.key}", description)

    def type_name(self) -> str:
        return f"Noneable[{self.inner.type_name()}]"


class ScalarUnion(ConfigType):
    """A dict, checked as `non_scalar_type`, or any other value, checked as `scalar_type`: an
    input given either as `5` or as `{value: 5}`."""

    __slots__ = ("non_scalar_type", "scalar_type")

    def __init__(self, scalar_type: Any, non_scalar_type: Any, description: str | None = None):
        self.scalar_type = resolve_config_type(scalar_type)
        self.non_scalar_type = resolve_config_type(non_scalar_type)
        super().__init__(
            f"ScalarUnion.{self.scalar_type.key}-{self.non_scalar_type.key}", description
        )

    def type_name(self) -> str:
        return f"{self.scalar_type.type_name()} or {self.non_scalar_type.type_name()}"


class Source(ConfigType):
    """A `scalar` value given in config, or read from the environment with `{env: NAME}` (the
    seed's StringSource / IntSource): secrets stay out of config files."""

    __slots__ = ("scalar",)

    def __init__(self, name: str, scalar: Scalar):
        self.scalar = scalar
        super().__init__(name, f"A {scalar.type_name()}, or {{env: NAME}} to read one")

    def type_name(self) -> str:
        return f"{self.scalar.type_name()} or {{env: NAME}}"


StringSource = Source("StringSource", ConfigString)
IntSource = Source("IntSource", ConfigInt)


@dataclass(frozen=True)
class EnumValue:
    """One choice of an Enum: config gives `config_value`, code receives `python_value`."""

    config_value: str
    python_value: Any = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.config_value, str):
            raise DagsterInvalidConfigDefinitionError(
                f"EnumValue config_value must be a str, got {self.config_value!r}"
            )
        if self.python_value is None:
            object.__setattr__(self, "python_value", self.config_value)


class Enum(ConfigType):
    """One of a fixed set of strings, each mapped to a Python value."""

    __slots__ = ("enum_values", "name")

    def __init__(self, name: str, enum_values: Sequence[EnumValue], description: str | None = None):
        values = tuple(enum_values)
        if not values or not all(isinstance(v, EnumValue) for v in values):
            raise DagsterInvalidConfigDefinitionError(
                f"Enum {name} needs a non-empty list of EnumValue, got {enum_values!r}"
            )
        config_values = [v.config_value for v in values]
        if len(set(config_values)) != len(config_values):
            raise DagsterInvalidConfigDefinitionError(
                f"Enum {name} has duplicate config values: {config_values!r}"
            )
        self.name = name
        self.enum_values = values
        super().__init__(f"Enum.{name}", description)

    def type_name(self) -> str:
        return f"Enum[{self.name}]"


def resolve_config_type(obj: Any) -> ConfigType:
    """The ConfigType `obj` stands for: a ConfigType, a builtin, {fields}, [X] or a DagsterType."""
    if isinstance(obj, ConfigType):
        return obj
    if isinstance(obj, type) and obj in _BUILTINS_BY_PYTHON_TYPE:
        return _BUILTINS_BY_PYTHON_TYPE[obj]
    if isinstance(obj, dict):
        return Shape(obj)
    if isinstance(obj, list):
        if len(obj) != 1:
            raise DagsterInvalidConfigDefinitionError(
                f"a list as a config type needs exactly one element, e.g. [int]; got {obj!r}"
            )
        return Array(obj[0])
    if hasattr(obj, "config_type"):
        if isinstance(obj.config_type, ConfigType):
            return obj.config_type
        if obj.config_type is None:
            name = getattr(obj, "name", None) or repr(obj)
            raise DagsterInvalidConfigDefinitionError(
                f"type {name} cannot be used in config: it has no config_type"
            )
    raise DagsterInvalidConfigDefinitionError(
        f"{obj!r} cannot be used as a config type; expected a ConfigType, int, float, str, bool, "
        "a dict of fields, a one-element list, or a type with a config_type"
    )
