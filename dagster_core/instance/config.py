"""Reading `$DAGSTER_HOME/dagster.yaml`: each part a module/class/config, `{env: NAME}` values."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster_core.config import (
    ConfigError,
    ConfigInt,
    ConfigString,
    Field,
    Permissive,
    Shape,
    validate_config,
)
from dagster_core.config.configurable import ConfigurableClass
from dagster_core.config.yaml_files import load_yaml_file
from dagster_core.errors import DagsterError
from dagster_core.redact import EnvValue

PARTS = (
    "run_storage",
    "event_log_storage",
    "compute_logs",
    "local_artifact_storage",
    "scheduler",
    "schedule_storage",
    "run_launcher",
)

_CLASS_SPEC = Shape(
    {
        "module": Field(ConfigString),
        "class": Field(ConfigString),
        "config": Field(Permissive(), is_optional=True),
    }
)

INSTANCE_SCHEMA = Shape(
    {
        **{part: Field(_CLASS_SPEC, is_optional=True) for part in PARTS},
        "run_monitoring": Field(
            Shape({"dead_after_seconds": Field(ConfigInt, default_value=600)}),
        ),
    }
)


class DagsterInstanceConfigError(DagsterError):
    """A dagster.yaml that cannot be loaded; names the file and every bad key."""

    def __init__(self, path: str, errors: list[ConfigError]):
        self.path = path
        self.errors = tuple(errors)
        lines = "".join(f"\n  {e}" for e in self.errors)
        super().__init__(f"Invalid instance config in {path}:{lines}")


@dataclass(frozen=True)
class ClassSpec:
    """One part of the instance as written in dagster.yaml (env values still unresolved)."""

    module: str
    class_name: str
    config: Mapping[str, Any]


def _resolve_env(value: Any, path: tuple, errors: list[ConfigError]) -> Any:
    """Replace every `{env: NAME}` with the environment variable's value, which remembers where
    it came from so that it is never shown."""
    if isinstance(value, Mapping):
        if set(value) == {"env"} and isinstance(value["env"], str):
            name = value["env"]
            if name not in os.environ:
                errors.append(ConfigError(path, f"environment variable {name} is not set"))
                return None
            return EnvValue(os.environ[name], name)
        return {k: _resolve_env(v, (*path, k), errors) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_env(v, (*path, i), errors) for i, v in enumerate(value)]
    return value


def env_names(value: Any) -> set[str]:
    """The names of the environment variables that `{env: NAME}` values in `value` read."""
    if isinstance(value, Mapping):
        if set(value) == {"env"} and isinstance(value["env"], str):
            return {value["env"]}
        return set().union(*(env_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(env_names(v) for v in value))
    return set()


def read_instance_yaml(path: str) -> dict[str, Any]:
    """The validated contents of a dagster.yaml (env values unresolved), or a clear error."""
    raw = load_yaml_file(path)
    result = validate_config(INSTANCE_SCHEMA, raw)
    if not result.success:
        raise DagsterInstanceConfigError(path, list(result.errors))
    return result.value


def class_spec(settings: Mapping[str, Any], part: str) -> ClassSpec | None:
    entry = settings.get(part)
    if entry is None:
        return None
    return ClassSpec(entry["module"], entry["class"], entry.get("config") or {})


def resolve_spec(path: str, part: str, spec: ClassSpec) -> ClassSpec:
    """The spec with every `{env: NAME}` replaced by its value from this process's environment."""
    errors: list[ConfigError] = []
    config = _resolve_env(spec.config, (part, "config"), errors)
    if errors:
        raise DagsterInstanceConfigError(path, errors)
    return ClassSpec(spec.module, spec.class_name, config)


def _check_part(
    part: str, spec: ClassSpec, base: type, errors: list[ConfigError]
) -> tuple[type, Any] | None:
    """Import spec's class, check it is a `base`, resolve and validate its config; the class and
    its validated config, or None with the reasons appended to `errors`."""
    try:
        module = importlib.import_module(spec.module)
    except ImportError as exc:
        errors.append(ConfigError((part, "module"), f'cannot import "{spec.module}": {exc}'))
        return None
    cls = getattr(module, spec.class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, base) and issubclass(cls, ConfigurableClass)):
        choices = sorted(
            name
            for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, base) and obj is not base
        )
        errors.append(
            ConfigError(
                (part, "class"),
                f'"{spec.class_name}" is not a {base.__name__} in {spec.module}; '
                f"expected one of: {', '.join(choices) or 'none found'}",
            )
        )
        return None
    env_errors: list[ConfigError] = []
    config = _resolve_env(spec.config, (part, "config"), env_errors)
    if env_errors:
        errors.extend(env_errors)
        return None
    result = validate_config(Field(cls.config_schema()), config, (part, "config"))
    if not result.success:
        errors.extend(result.errors)
        return None
    return cls, result.value or {}


def build_parts(
    path: str, specs: Mapping[str, ClassSpec], bases: Mapping[str, type]
) -> dict[str, Any]:
    """Build every part of an instance; every bad part is reported at once, before any part is
    built, so a bad later part never leaves tables in the database an earlier part names."""
    errors: list[ConfigError] = []
    checked = {part: _check_part(part, spec, bases[part], errors) for part, spec in specs.items()}
    if errors:
        raise DagsterInstanceConfigError(path, errors)
    return {part: cls.from_config_value(config) for part, (cls, config) in checked.items()}
