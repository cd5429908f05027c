"""DagsterType: a named check on the values that cross step boundaries, optionally loadable from
run config (input hydration) and writable where run config says (output materialization)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Set
from dataclasses import dataclass
from typing import Any

from dagster_core.config import ConfigType
from dagster_core.definitions.events import Failure, TypeCheck
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError
from dagster_core.storage.serialization import SerializationStrategy
from dagster_core.types.config_schema import InputHydrationConfig, OutputMaterializationConfig


@dataclass(frozen=True)
class TypeCheckContext:
    """The `context` of a two-argument `type_check_fn(context, value)`: the step's run id,
    resources (those the type requires among them) and log."""

    run_id: str
    resources: Any
    log: Any


class DagsterType:
    """A type checked at step boundaries.

    `type_check_fn(context, value)` or `type_check_fn(value)` returns a bool or a TypeCheck.
    `config_type`, when set, lets the type stand for that config type in a config schema
    (`Field(Int)`); `input_hydration_config` lets an unconnected input of this type be given in
    run config; `output_materialization_config` lets run config ask for an output of this type
    to be written somewhere. `required_resource_keys` are the resources its check and configs
    use: every solid with an input or output of this type gets them. `serialization_strategy`
    writes its values to persistent intermediate storage instead of pickling them.
    """

    __slots__ = (
        "_check_takes_context",
        "config_type",
        "description",
        "inner_types",
        "input_hydration_config",
        "is_nothing",
        "key",
        "name",
        "output_materialization_config",
        "required_resource_keys",
        "serialization_strategy",
        "type_check_fn",
    )

    def __init__(
        self,
        name: str | None = None,
        type_check_fn: Callable[..., Any] | None = None,
        description: str | None = None,
        config_type: ConfigType | None = None,
        *,
        key: str | None = None,
        input_hydration_config: InputHydrationConfig | None = None,
        output_materialization_config: OutputMaterializationConfig | None = None,
        required_resource_keys: Set[str] | None = None,
        serialization_strategy: SerializationStrategy | None = None,
        inner_types: tuple[DagsterType, ...] = (),
        is_nothing: bool = False,
    ):
        name = name if name is not None else key
        if not isinstance(name, str) or not name:
            raise DagsterInvalidDefinitionError(
                f"DagsterType needs a non-empty name (or key), got name={name!r} key={key!r}"
            )
        self.name = name
        self.key = key if key is not None else name
        self.type_check_fn = type_check_fn
        self._check_takes_context = _takes_context(type_check_fn, name)
        self.description = description
        self.config_type = config_type
        self.input_hydration_config = _checked_config(
            input_hydration_config, InputHydrationConfig, "input_hydration_config", name
        )
        self.output_materialization_config = _checked_config(
            output_materialization_config,
            OutputMaterializationConfig,
            "output_materialization_config",
            name,
        )
        if serialization_strategy is not None and not isinstance(
            serialization_strategy, SerializationStrategy
        ):
            raise DagsterInvalidDefinitionError(
                f"serialization_strategy of DagsterType {name} is {serialization_strategy!r}: "
                "expected a SerializationStrategy"
            )
        self.serialization_strategy = serialization_strategy
        self.inner_types = tuple(inner_types)
        self.is_nothing = is_nothing
        self.required_resource_keys = _resource_keys(
            required_resource_keys,
            name,
            input_hydration_config,
            output_materialization_config,
            self.inner_types,
        )

    def type_check(self, context: TypeCheckContext, value: object) -> TypeCheck:
        """Whether `value` is acceptable for this type, as a TypeCheck; a check that raises
        Failure rejects the value with the Failure's description and metadata."""
        if self.type_check_fn is None:
            return TypeCheck(success=True)
        try:
            if self._check_takes_context:
                result = self.type_check_fn(context, value)
            else:
                result = self.type_check_fn(value)
        except Failure as failure:  # the seed's way for a check to say why a value fails
            return TypeCheck(False, failure.description, failure.metadata_entries)
        if isinstance(result, TypeCheck):
            return result
        if isinstance(result, bool):
            return TypeCheck(success=result)
        raise DagsterInvariantViolationError(
            f"type_check_fn of DagsterType {self.name} returned {result!r} (a "
            f"{type(result).__name__}): it must return a bool or a TypeCheck"
        )

    def __repr__(self) -> str:
        return f"DagsterType({self.name})"


class PythonObjectDagsterType(DagsterType):
    """A DagsterType whose values are instances of `python_type` (a class or tuple of classes)."""

    __slots__ = ("python_type",)

    def __init__(
        self,
        python_type: type | tuple[type, ...],
        key: str | None = None,
        name: str | None = None,
        description: str | None = None,
        *,
        input_hydration_config: InputHydrationConfig | None = None,
        output_materialization_config: OutputMaterializationConfig | None = None,
        required_resource_keys: Set[str] | None = None,
        serialization_strategy: SerializationStrategy | None = None,
    ):
        classes = python_type if isinstance(python_type, tuple) else (python_type,)
        if not classes or not all(isinstance(c, type) for c in classes):
            raise DagsterInvalidDefinitionError(
                f"PythonObjectDagsterType needs a Python class (or a tuple of classes), got "
                f"{python_type!r}"
            )
        if name is None and key is None:
            if len(classes) > 1:
                raise DagsterInvalidDefinitionError(
                    f"PythonObjectDagsterType of several classes {python_type!r} needs a name="
                )
            name = classes[0].__name__
        self.python_type = python_type
        super().__init__(
            name,
            lambda value: isinstance(value, python_type),
            description,
            key=key,
            input_hydration_config=input_hydration_config,
            output_materialization_config=output_materialization_config,
            required_resource_keys=required_resource_keys,
            serialization_strategy=serialization_strategy,
        )


def _takes_context(fn: Callable[..., Any] | None, type_name: str) -> bool:
    """True for `fn(context, value)`, False for `fn(value)`; anything else is a definition error."""
    if fn is None:
        return False
    if not callable(fn):
        raise DagsterInvalidDefinitionError(
            f"type_check_fn of DagsterType {type_name} must be a function, got {fn!r}"
        )
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature: they take the value
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in params if p.kind in positional and p.default is p.empty]
    if len(required) in (1, 2):
        return len(required) == 2
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params) and not required:
        return True
    raise DagsterInvalidDefinitionError(
        f"type_check_fn of DagsterType {type_name} must take (context, value) or (value); "
        f"it takes ({', '.join(p.name for p in required)})"
    )


def _checked_config(config: Any, cls: type, argument: str, type_name: str) -> Any:
    if config is not None and not isinstance(config, cls):
        decorator = "@" + argument
        raise DagsterInvalidDefinitionError(
            f"{argument} of DagsterType {type_name} must be made with {decorator}(config_cls) "
            f"on a function, got {config!r}"
        )
    return config


def _resource_keys(
    keys: Set[str] | None,
    type_name: str,
    hydration: InputHydrationConfig | None,
    materialization: OutputMaterializationConfig | None,
    inner_types: tuple[DagsterType, ...],
) -> frozenset[str]:
    if keys is not None and (isinstance(keys, str) or not all(isinstance(k, str) for k in keys)):
        raise DagsterInvalidDefinitionError(
            f"required_resource_keys of DagsterType {type_name} must be a set of str, got {keys!r}"
        )
    own = frozenset(keys or ())
    for config in (hydration, materialization):
        if config is not None:
            own |= config.required_resource_keys
    return own.union(*(t.required_resource_keys for t in inner_types))


_DAGSTER_TYPE_OF_CLASS: dict[type, DagsterType] = {}


def register_python_type(python_type: type, dagster_type: DagsterType) -> None:
    """Make `python_type` stand for `dagster_type` wherever a type is expected."""
    existing = _DAGSTER_TYPE_OF_CLASS.get(python_type)
    if existing is not None and existing is not dagster_type:
        raise DagsterInvalidDefinitionError(
            f"Class {python_type.__name__} already stands for DagsterType {existing.name}: "
            "a class can be made usable as a Dagster type once"
        )
    _DAGSTER_TYPE_OF_CLASS[python_type] = dagster_type


def dagster_type_of_class(python_type: type) -> DagsterType:
    """The DagsterType a class stands for: the one registered for it, else (once per class) a
    PythonObjectDagsterType checking instances of it."""
    if python_type not in _DAGSTER_TYPE_OF_CLASS:
        _DAGSTER_TYPE_OF_CLASS[python_type] = PythonObjectDagsterType(python_type)
    return _DAGSTER_TYPE_OF_CLASS[python_type]
