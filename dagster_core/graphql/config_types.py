"""Config schemas as the API shows them, for editors and type browsers: the seed's ConfigType
interface (RegularConfigType, ListConfigType, NullableConfigType, EnumConfigType,
CompositeConfigType, ScalarUnionConfigType) and ConfigTypeField, read from dagster_core.config."""

from __future__ import annotations

import json
from collections import deque

import strawberry

from dagster_core.config import (
    Array,
    Enum,
    Field,
    Noneable,
    Permissive,
    ScalarUnion,
    Selector,
    Shape,
)
from dagster_core.config import (
    ConfigType as ConfigSchemaType,
)
from dagster_core.redact import redact_config

_FIELDS_TYPES = (Shape, Permissive, Selector)


@strawberry.interface(description="A type of config: what a value in run config must be.")
class ConfigType:
    config_type: strawberry.Private[ConfigSchemaType]

    @strawberry.field(description="Identifies the type among all the types of a schema.")
    def key(self) -> str:
        return self.config_type.key

    @strawberry.field(description="The type's name, for named types (scalars, enums).")
    def name(self) -> str | None:
        return _name(self.config_type)

    @strawberry.field
    def description(self) -> str | None:
        return self.config_type.description

    @strawberry.field(description="Every type this type is made of, at any depth.")
    def inner_types(self) -> list[ConfigType]:
        return [to_config_type(t) for t in _inner_types(self.config_type)]

    @strawberry.field
    def is_list(self) -> bool:
        return isinstance(self.config_type, Array)

    @strawberry.field
    def is_nullable(self) -> bool:
        return isinstance(self.config_type, Noneable)

    @strawberry.field(description="Whether a value is a dict with exactly one of the fields.")
    def is_selector(self) -> bool:
        return isinstance(self.config_type, Selector)


@strawberry.type(
    description="A scalar (Int, String, ...), Any, or a value that may be {env: NAME}."
)
class RegularConfigType(ConfigType):
    pass


@strawberry.interface
class WrappingConfigType:
    config_type: strawberry.Private[ConfigSchemaType]

    @strawberry.field(description="The type of the wrapped value (of each element, for a list).")
    def of_type(self) -> ConfigType:
        return to_config_type(self.config_type.inner)  # type: ignore[attr-defined]


@strawberry.type(description="A list of values of one type.")
class ListConfigType(ConfigType, WrappingConfigType):
    pass


@strawberry.type(description="A value of one type, or null.")
class NullableConfigType(ConfigType, WrappingConfigType):
    pass


@strawberry.type
class EnumConfigValue:
    value: str
    description: str | None


@strawberry.type(description="One of a fixed set of strings.")
class EnumConfigType(ConfigType):
    @strawberry.field
    def values(self) -> list[EnumConfigValue]:
        enum: Enum = self.config_type  # type: ignore[assignment]
        return [
            EnumConfigValue(value=v.config_value, description=v.description)
            for v in enum.enum_values
        ]


@strawberry.type(description="A dict with known fields (a selector takes exactly one of them).")
class CompositeConfigType(ConfigType):
    @strawberry.field(description="The fields, by name.")
    def fields(self) -> list[ConfigTypeField]:
        fields = self.config_type.fields  # type: ignore[attr-defined]
        return [ConfigTypeField(name=name, field=fields[name]) for name in sorted(fields)]


@strawberry.type(
    description="A scalar value, or a dict of another type (an input as 5 or {value: 5})."
)
class ScalarUnionConfigType(ConfigType):
    @strawberry.field
    def scalar_type(self) -> ConfigType:
        return to_config_type(self.config_type.scalar_type)  # type: ignore[attr-defined]

    @strawberry.field
    def non_scalar_type(self) -> ConfigType:
        return to_config_type(self.config_type.non_scalar_type)  # type: ignore[attr-defined]


@strawberry.type(description="A named field of a dict of config.")
class ConfigTypeField:
    name: str
    field: strawberry.Private[Field]

    @strawberry.field
    def description(self) -> str | None:
        return self.field.description

    @strawberry.field
    def config_type(self) -> ConfigType:
        return to_config_type(self.field.config_type)

    @strawberry.field
    def config_type_key(self) -> str:
        return self.field.config_type.key

    @strawberry.field(description="The default as JSON text (credentials shown as ***), if any.")
    def default_value(self) -> str | None:
        if not self.field.default_provided:
            return None
        return json.dumps(redact_config(self.field.default_value), default=repr)

    @strawberry.field(description="Whether the field may be left out.")
    def is_optional(self) -> bool:
        return self.field.is_optional

    @strawberry.field(description="0.7's spelling of not isOptional.")
    def is_required(self) -> bool:
        return self.field.is_required


def definition_config_field(field: Field | None) -> ConfigTypeField | None:
    """A definition's config schema as the field `config` (of solids.<name>, resources.<name>,
    loggers.<name>), or None for a definition without config."""
    return None if field is None else ConfigTypeField(name="config", field=field)


def to_config_type(config_type: ConfigSchemaType) -> ConfigType:
    """`config_type` as the API type of its kind."""
    if isinstance(config_type, _FIELDS_TYPES):
        return CompositeConfigType(config_type=config_type)
    if isinstance(config_type, Array):
        return ListConfigType(config_type=config_type)
    if isinstance(config_type, Noneable):
        return NullableConfigType(config_type=config_type)
    if isinstance(config_type, Enum):
        return EnumConfigType(config_type=config_type)
    if isinstance(config_type, ScalarUnion):
        return ScalarUnionConfigType(config_type=config_type)
    return RegularConfigType(config_type=config_type)


def all_config_types(root: ConfigSchemaType) -> list[ConfigSchemaType]:
    """`root` and every type in it, once per key, sorted by key."""
    return sorted({root.key: root, **{t.key: t for t in _inner_types(root)}}.values(), key=_key)


def _key(config_type: ConfigSchemaType) -> str:
    return config_type.key


def _name(config_type: ConfigSchemaType) -> str | None:
    """Scalars, Any and sources are named by their key; enums by their name; dicts, lists and
    unions are anonymous, as in the seed."""
    if isinstance(config_type, Enum):
        return config_type.name
    if isinstance(config_type, (*_FIELDS_TYPES, Array, Noneable, ScalarUnion)):
        return None
    return config_type.key


def _children(config_type: ConfigSchemaType) -> list[ConfigSchemaType]:
    if isinstance(config_type, _FIELDS_TYPES):
        return [f.config_type for f in config_type.fields.values()]
    if isinstance(config_type, Array | Noneable):
        return [config_type.inner]
    if isinstance(config_type, ScalarUnion):
        return [config_type.scalar_type, config_type.non_scalar_type]
    return []


def _inner_types(config_type: ConfigSchemaType) -> list[ConfigSchemaType]:
    """Every type inside `config_type` at any depth, once per key, in the order first met."""
    found: dict[str, ConfigSchemaType] = {}
    pending = deque(_children(config_type))
    while pending:
        inner = pending.popleft()
        if inner.key not in found:
            found[inner.key] = inner
            pending.extend(_children(inner))
    return list(found.values())


# The kinds of ConfigType, which the schema lists itself: fields return only the interface.
CONFIG_TYPE_KINDS = (
    RegularConfigType,
    ListConfigType,
    NullableConfigType,
    EnumConfigType,
    CompositeConfigType,
    ScalarUnionConfigType,
)
