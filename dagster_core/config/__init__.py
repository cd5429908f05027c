"""Config schemas for run, solid, resource and executor config, and their validation."""

from dagster_core.config.config_type import (
    Array,
    ConfigAny,
    ConfigBool,
    ConfigFloat,
    ConfigInt,
    ConfigString,
    ConfigType,
    DagsterInvalidConfigDefinitionError,
    Dict,
    Enum,
    EnumValue,
    Noneable,
    Permissive,
    Selector,
    Shape,
    resolve_config_type,
)
from dagster_core.config.field import Field, resolve_field
from dagster_core.config.validate import (
    ConfigError,
    DagsterInvalidConfigError,
    ValidationResult,
    process_config,
    validate_config,
)

__all__ = [
    "Array",
    "ConfigAny",
    "ConfigBool",
    "ConfigError",
    "ConfigFloat",
    "ConfigInt",
    "ConfigString",
    "ConfigType",
    "DagsterInvalidConfigDefinitionError",
    "DagsterInvalidConfigError",
    "Dict",
    "Enum",
    "EnumValue",
    "Field",
    "Noneable",
    "Permissive",
    "Selector",
    "Shape",
    "ValidationResult",
    "process_config",
    "resolve_config_type",
    "resolve_field",
    "validate_config",
]
