"""The run config schema of a pipeline in a mode, and its validation into an EnvironmentConfig."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagster_core.config import (
    Array,
    ConfigError,
    DagsterEvaluationErrorReason,
    DagsterInvalidConfigError,
    Field,
    Selector,
    Shape,
    validate_config,
)
from dagster_core.definitions.composite import (
    CompositeSolidDefinition,
    ConfigMapping,
    ConfigMappingContext,
)
from dagster_core.definitions.executor import ExecutorDefinition
from dagster_core.definitions.graph import join_handle
from dagster_core.definitions.io import InputDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.retries import RetryMode
from dagster_core.definitions.solid import ISolidDefinition
from dagster_core.errors import DagsterConfigMappingFunctionError
from dagster_core.instance import DagsterInstance
from dagster_core.storage.system_storage import SystemStorageDefinition


@dataclass(frozen=True)
class EnvironmentConfig:
    """Run config after validation, with defaults filled in. `solids` has an entry (`config`,
    `inputs`) for every solid at every level, keyed by its handle (`outer.inner`), the config of
    solids inside a composite with a config mapping made by its config_fn."""

    solids: Mapping[str, Mapping[str, Any]]
    resources: Mapping[str, Mapping[str, Any]]
    executor_name: str
    executor_config: Any
    storage_name: str
    storage_config: Any
    # logger name -> its validated config, for the loggers `loggers:` names (none: the console)
    loggers: Mapping[str, Any] = field(default_factory=dict)
    retries: RetryMode = RetryMode.ENABLED


def _optional_empty_shape() -> Field:
    return Field(Shape({}), is_optional=True)


def _selector(defs: Any, default: str) -> Field:
    """A Selector over named definitions, defaulting to `default` when the mode has it."""
    choices = {d.name: d.config_field or _optional_empty_shape() for d in defs}
    if default in choices:
        return Field(Selector(choices), default_value={default: {}})
    return Field(Selector(choices))


def _inputs_field(unconnected: list[InputDefinition]) -> Field | None:
    """Run config for a solid's inputs that no upstream output feeds, if it has any."""
    input_fields = {}
    for input_def in unconnected:
        t = input_def.dagster_type
        if t.is_nothing:
            continue
        optional = t.name.startswith("Optional[")
        input_fields[input_def.name] = Field(t.input_hydration_config.schema, is_optional=optional)
    return Field(Shape(input_fields)) if input_fields else None


def _outputs_field(solid_def: ISolidDefinition) -> Field | None:
    """Run config asking to materialize a solid's outputs, for those whose type can."""
    if isinstance(solid_def, CompositeSolidDefinition):
        return None
    choices = {
        d.name: Field(d.dagster_type.output_materialization_config.schema)
        for d in solid_def.output_defs
        if d.dagster_type.output_materialization_config is not None
    }
    return Field(Array(Selector(choices)), is_optional=True) if choices else None


def solids_schema(container: PipelineDefinition | CompositeSolidDefinition) -> Shape:
    """The `solids:` part of run config for the solids of a pipeline or composite solid: each
    solid's `config`, its unconnected `inputs`, and for a composite without a config mapping the
    `solids:` inside it."""
    solid_fields = {}
    for solid_name in container.solid_order:
        solid_def = container.solids[solid_name]
        fields: dict[str, Field] = {}
        if solid_def.config_field is not None:
            fields["config"] = solid_def.config_field
        elif isinstance(solid_def, CompositeSolidDefinition):
            inner = solids_schema(solid_def)
            if inner.fields:
                fields["solids"] = Field(inner)
        inputs = _inputs_field(container.unconnected_inputs(solid_name))
        if inputs is not None:
            fields["inputs"] = inputs
        outputs = _outputs_field(solid_def)
        if outputs is not None:
            fields["outputs"] = outputs
        if fields:
            solid_fields[solid_name] = Field(Shape(fields))
    return Shape(solid_fields)


def environment_schema(
    pipeline: PipelineDefinition,
    mode: ModeDefinition,
    executor_defs: tuple[ExecutorDefinition, ...],
) -> Shape:
    """The run config schema: solids, resources, execution, storage, loggers."""
    required_keys = set().union(*(d.required_resource_keys for d in pipeline.solids.values()))
    resource_fields = {}
    for key in sorted(required_keys):
        resource_def = mode.resource_defs[key]
        if resource_def.config_field is not None:
            resource_fields[key] = Field(Shape({"config": resource_def.config_field}))
    return Shape(
        {
            "solids": Field(solids_schema(pipeline)),
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


def _unwrapped(environment_dict: Mapping[str, Any] | None) -> dict[str, Any]:
    """Run config with its `execution:` and `storage:` choices in the one form validated."""
    value = dict(environment_dict or {})
    for key in ("execution", "storage"):
        if key in value:
            value[key] = _unwrap_config_layer(value[key])
    return value


def _validate_part(schema: Shape, value: Mapping[str, Any], key: str) -> Any:
    """One top-level part of the run config, validated on its own, so a check that needs only
    that part runs even when another part has errors."""
    return validate_config(schema.fields[key], value.get(key), (key,))


def _valid_part(schema: Shape, value: Mapping[str, Any], key: str) -> Any:
    """One top-level part of the run config, validated on its own; None if it is invalid."""
    result = _validate_part(schema, value, key)
    return result.value if result.success else None


def resolve_storage(
    pipeline: PipelineDefinition,
    mode: ModeDefinition,
    executor_defs: tuple[ExecutorDefinition, ...],
    environment_dict: Mapping[str, Any] | None,
) -> tuple[SystemStorageDefinition, Any]:
    """The `storage:` choice of run config and its config (defaults filled in), validated on its
    own: enough to reopen a finished run's intermediates whatever else its config holds."""
    schema = environment_schema(pipeline, mode, executor_defs)
    result = _validate_part(schema, _unwrapped(environment_dict), "storage")
    if not result.success:
        raise DagsterInvalidConfigError(tuple(result.errors))
    ((storage_name, storage_config),) = result.value.items()
    storage_def = next(d for d in mode.system_storage_defs if d.name == storage_name)
    return storage_def, storage_config or {}


def _solid_config_by_handle(
    pipeline: PipelineDefinition,
    container: PipelineDefinition | CompositeSolidDefinition,
    parent: str | None,
    solids_config: Mapping[str, Any],
) -> dict[str, Mapping[str, Any]]:
    """Validated `solids:` config flattened to one entry per solid handle, calling the config_fn
    of each composite that has a config mapping; config_fn results that do not fit the solids
    inside are config errors at the composite's `config`, all reported at once."""
    by_handle: dict[str, Mapping[str, Any]] = {}
    errors: list[ConfigError] = []
    for solid_name in container.solid_order:
        handle = join_handle(parent, solid_name)
        entry = solids_config.get(solid_name) or {}
        by_handle[handle] = {k: v for k, v in entry.items() if k != "solids"}
        solid_def = container.solids[solid_name]
        if not isinstance(solid_def, CompositeSolidDefinition):
            continue
        try:
            inner = entry.get("solids") or {}
            mapping = solid_def.config_mapping
            if mapping is not None:
                inner = _mapped_config(pipeline, solid_def, mapping, handle, entry.get("config"))
            by_handle.update(_solid_config_by_handle(pipeline, solid_def, handle, inner))
        except DagsterInvalidConfigError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DagsterInvalidConfigError(tuple(errors))
    return by_handle


def _config_path(handle: str) -> tuple[str, ...]:
    """`outer.inner` -> ("solids", "outer", "solids", "inner"): where its run config goes."""
    return tuple(part for name in handle.split(".") for part in ("solids", name))


def _mapped_config(
    pipeline: PipelineDefinition,
    composite: CompositeSolidDefinition,
    mapping: ConfigMapping,
    handle: str,
    config: Any,
) -> Mapping[str, Any]:
    """The `solids:` config that the composite's config_fn makes from its `config`, validated."""
    try:
        mapped = mapping.map_config(ConfigMappingContext(pipeline.name, handle), config)
    except Exception as exc:
        raise DagsterConfigMappingFunctionError(
            f"The config_fn of composite solid '{handle}' (definition '{composite.name}') in "
            f"pipeline '{pipeline.name}' raised {type(exc).__name__}: {exc}"
        ) from exc
    result = validate_config(solids_schema(composite), mapped)
    if not result.success:
        raise DagsterInvalidConfigError(
            ConfigError(
                (*_config_path(handle), "config"),
                f"config_fn of composite solid '{composite.name}' made config that its solids "
                f"do not accept: {error} (fix config_fn, or the config given to it)",
            )
            for error in result.errors
        )
    return result.value


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
                    (),
                    f"run config must be a mapping, got {type(environment_dict).__name__}",
                    DagsterEvaluationErrorReason.RUNTIME_TYPE_MISMATCH,
                ),
            )
        )
    value = _unwrapped(environment_dict)
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
        solids=_solid_config_by_handle(pipeline, pipeline, None, processed["solids"]),
        resources=processed["resources"],
        executor_name=executor_name,
        executor_config=executor_config or {},
        storage_name=storage_name,
        storage_config=storage_config or {},
        loggers={
            name: (processed["loggers"].get(name) or {}).get("config")
            for name in (value.get("loggers") or {})
        },
        retries=RetryMode.from_executor_config(executor_config),
    )
