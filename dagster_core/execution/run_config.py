"""The run config schema of a pipeline in a mode, and its validation into an EnvironmentConfig."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagster_core.config import (
    ConfigError,
    DagsterInvalidConfigError,
    Field,
    Selector,
    Shape,
    validate_config,
)
from dagster_core.definitions.executor import ExecutorDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.instance import DagsterInstance


@dataclass(frozen=True)
class EnvironmentConfig:
    """Run config after validation, with defaults filled in."""

    solids: Mapping[str, Mapping[str, Any]]
    resources: Mapping[str, Mapping[str, Any]]
    executor_name: str
    executor_config: Any
    storage_name: str
    storage_config: Any
    # logger name -> its validated config, for the loggers `loggers:` names (none: the console)
    loggers: Mapping[str, Any] = field(default_factory=dict)


def _optional_empty_shape() -> Field:
    return Field(Shape({}), is_optional=True)


def _selector(defs: Any, default: str) -> Field:
    """A Selector over named definitions, defaulting to `default` when the mode has it."""
    choices = {d.name: d.config_field or _optional_empty_shape() for d in defs}
    if default in choices:
        return Field(Selector(choices), default_value={default: {}})
    return Field(Selector(choices))


def environment_schema(
    pipeline: PipelineDefinition,
    mode: ModeDefinition,
    executor_defs: tuple[ExecutorDefinition, ...],
) -> Shape:
    """The run config schema: solids, resources, execution, storage, loggers."""
    solid_fields = {}
    for solid_name in pipeline.solid_order:
        solid_def = pipeline.solids[solid_name]
        fields: dict[str, Field] = {}
        if solid_def.config_field is not None:
            fields["config"] = solid_def.config_field
        input_fields = {}
        for input_def in solid_def.input_defs:
            t = input_def.dagster_type
            if input_def.name in pipeline.wiring[solid_name] or t.is_nothing:
                continue
            optional = t.name.startswith("Optional[")
            input_fields[input_def.name] = Field(t.config_type, is_optional=optional)
        if input_fields:
            fields["inputs"] = Field(Shape(input_fields))
        if fields:
            solid_fields[solid_name] = Field(Shape(fields))
    required_keys = set().union(*(d.required_resource_keys for d in pipeline.solids.values()))
    resource_fields = {}
    for key in sorted(required_keys):
        resource_def = mode.resource_defs[key]
        if resource_def.config_field is not None:
            resource_fields[key] = Field(Shape({"config": resource_def.config_field}))
    return Shape(
        {
            "solids": Field(Shape(solid_fields)),
            "resources": Field(Shape(resource_fields)),
            "execution": _selector(executor_defs, "in_process"),
            "storage": _selector(mode.system_storage_defs, "in_memory"),
            "loggers": Field(Shape(_logger_fields(mode))),
        }
    )


def _logger_fields(mode: ModeDefinition) -> dict[str, Field]:
    """`loggers: {NAME: {config: ...}}`, each of the mode's loggers optional."""
    fields = {}
    for name, logger_def in mode.logger_defs.items():
        config = {} if logger_def.config_field is None else {"config": logger_def.config_field}
        fields[name] = Field(Shape(config), is_optional=True)
    return fields


def _unwrap_config_layer(value: Any) -> Any:
    """Accept the seed-era `{multiprocess: {config: {...}}}` form as `{multiprocess: {...}}`."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((name, inner),) = value.items()
        if isinstance(inner, Mapping) and set(inner) == {"config"}:
            return {name: inner["config"] if inner["config"] is not None else {}}
    return value


def _valid_part(schema: Shape, value: Mapping[str, Any], key: str) -> Any:
    """One top-level part of the run config, validated on its own (None if it is invalid), so a
    check that needs only that part runs even when another part has errors."""
    result = validate_config(schema.fields[key], value.get(key), (key,))
    return result.value if result.success else None


def resolve_environment(
    pipeline: PipelineDefinition,
    mode: ModeDefinition,
    executor_defs: tuple[ExecutorDefinition, ...],
    environment_dict: Mapping[str, Any] | None,
    instance: DagsterInstance,
) -> EnvironmentConfig:
    """Validate run config against the pipeline's mode in one pass: the schema, the storage the
    executor needs, and the executor's own checks of the run on `instance`. Every error at once,
    before any work; the CLI, schedules and the Python API all call this."""
    if not isinstance(environment_dict or {}, Mapping):
        raise DagsterInvalidConfigError(
            (
                ConfigError(
                    (), f"run config must be a mapping, got {type(environment_dict).__name__}"
                ),
            )
        )
    value = dict(environment_dict or {})
    for key in ("execution", "storage"):
        if key in value:
            value[key] = _unwrap_config_layer(value[key])
    schema = environment_schema(pipeline, mode, executor_defs)
    result = validate_config(schema, value)
    errors = list(result.errors)
    execution = _valid_part(schema, value, "execution")
    storage = _valid_part(schema, value, "storage")
    if execution is not None and storage is not None:
        ((executor_name, executor_config),) = execution.items()
        ((storage_name, storage_config),) = storage.items()
        executor_def = next(d for d in executor_defs if d.name == executor_name)
        storage_def = next(d for d in mode.system_storage_defs if d.name == storage_name)
        if executor_def.requires_persistent_storage and not storage_def.is_persistent:
            persistent = [d.name for d in mode.system_storage_defs if d.is_persistent]
            errors.append(
                ConfigError(
                    ("storage",),
                    f"the {executor_name} executor runs steps outside this process, so it needs "
                    f'storage that they can all read, not "{storage_name}": use one of '
                    + ", ".join(f'"{n}"' for n in persistent),
                )
            )
        if executor_def.check_run is not None:
            errors.extend(
                executor_def.check_run(
                    executor_config or {}, storage_name, storage_config or {}, instance
                )
            )
    if errors:
        raise DagsterInvalidConfigError(tuple(errors))
    processed = result.value
    return EnvironmentConfig(
        solids=processed["solids"],
        resources=processed["resources"],
        executor_name=executor_name,
        executor_config=executor_config or {},
        storage_name=storage_name,
        storage_config=storage_config or {},
        loggers={
            name: (processed["loggers"].get(name) or {}).get("config")
            for name in (value.get("loggers") or {})
        },
    )
