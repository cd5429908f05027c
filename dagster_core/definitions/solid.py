"""Solid definitions (the ISolidDefinition base, SolidDefinition) and the @solid / @lambda_solid
decorators that build one from a function."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dagster_core.config import Field, resolve_field
from dagster_core.definitions.composition import PendingInvocation
from dagster_core.definitions.io import InputDefinition, OutputDefinition
from dagster_core.definitions.tags import check_tags
from dagster_core.errors import DagsterInvalidDefinitionError


class ISolidDefinition:
    """What a pipeline or composite solid is made of: a named node with typed inputs and outputs,
    wired by calling it (or an alias of it) in a composition function. SolidDefinition computes;
    CompositeSolidDefinition holds other solids."""

    config_field: Field | None = None
    required_resource_keys: frozenset[str] = frozenset()
    tags: Mapping[str, Any] = MappingProxyType({})

    def __init__(
        self,
        name: str,
        input_defs: Sequence[InputDefinition],
        output_defs: Sequence[OutputDefinition],
        description: str | None = None,
    ):
        if not isinstance(name, str) or not name.isidentifier():
            raise DagsterInvalidDefinitionError(f"Solid name {name!r} is not a Python identifier")
        self.name = name
        self.input_defs = _checked_defs(input_defs, InputDefinition, name, "input_defs")
        self.output_defs = _checked_defs(output_defs, OutputDefinition, name, "output_defs")
        self.description = description
        self.input_dict = _unique_by_name(self.input_defs, f"solid '{name}'", "input")
        self.output_dict = _unique_by_name(self.output_defs, f"solid '{name}'", "output")
        # the inputs that positional arguments bind to when the solid is called in a composition
        self.positional_inputs = tuple(d.name for d in self.input_defs)

    def alias(self, name: str) -> PendingInvocation:
        """Use this solid again in a composition under another name: `add.alias("add_2")(x, y)`."""
        return PendingInvocation(self, name)

    def tag(self, tags: Mapping[str, Any]) -> PendingInvocation:
        """Use this solid in a composition with `tags` over its own: `add.tag({"k": "v"})(x, y)`."""
        return PendingInvocation(self, None, tags)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return PendingInvocation(self, None)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class SolidDefinition(ISolidDefinition):
    """A unit of computation: typed inputs and outputs, config, required resources, tags.

    `compute_fn(context, inputs)` takes a dict of the input values (the seed's form; @solid and
    @lambda_solid build one that calls their function with keyword arguments); it returns a value
    or yields Outputs and other events.
    """

    def __init__(
        self,
        name: str,
        input_defs: Sequence[InputDefinition],
        compute_fn: Callable[[Any, dict[str, Any]], Any],
        output_defs: Sequence[OutputDefinition],
        config: object = None,
        required_resource_keys: Collection[str] | None = None,
        tags: Mapping[str, Any] | None = None,
        description: str | None = None,
        positional_inputs: Sequence[str] | None = None,
    ):
        super().__init__(name, input_defs, output_defs, description)
        if positional_inputs is not None:
            self.positional_inputs = tuple(positional_inputs)
        if not callable(compute_fn):
            raise DagsterInvalidDefinitionError(
                f"compute_fn of solid '{name}' is {compute_fn!r}: expected a function "
                "(context, inputs) -> value or generator of Outputs"
            )
        self.compute_fn = compute_fn
        self.config_field = None if config is None else resolve_field(config)
        # The resources of its inputs' and outputs' types too: their checks and configs use them.
        self.required_resource_keys = _resource_keys(required_resource_keys, name).union(
            *(d.dagster_type.required_resource_keys for d in (*self.input_defs, *self.output_defs))
        )
        self.tags = check_tags(tags, f"solid '{name}'")


def _checked_defs(defs: object, cls: type, solid_name: str, arg: str) -> tuple[Any, ...]:
    if not isinstance(defs, list | tuple) or not all(isinstance(d, cls) for d in defs):
        raise DagsterInvalidDefinitionError(
            f"{arg} of solid '{solid_name}' is {defs!r}: expected a list of {cls.__name__}"
        )
    return tuple(defs)


def _resource_keys(keys: Collection[str] | None, solid_name: str) -> frozenset[str]:
    if keys is None:
        return frozenset()
    if (
        isinstance(keys, str)
        or not isinstance(keys, Collection)
        or not all(isinstance(k, str) for k in keys)
    ):
        raise DagsterInvalidDefinitionError(
            f"required_resource_keys of solid '{solid_name}' is {keys!r}: expected a set of "
            "resource names, e.g. {'db'}"
        )
    return frozenset(keys)


@dataclass(frozen=True)
class Solid:
    """A solid definition as a pipeline uses it, under `name` (its alias when it has one), with
    the tags of that use."""

    name: str
    definition: SolidDefinition
    tags: Mapping[str, Any] = field(default_factory=dict)  # the definition's, under its use's


def _unique_by_name(defs: Sequence[Any], owner: str, what: str) -> dict[str, Any]:
    by_name: dict[str, Any] = {}
    for d in defs:
        if d.name in by_name:
            raise DagsterInvalidDefinitionError(f"{owner} has two {what}s named '{d.name}'")
        by_name[d.name] = d
    return by_name


def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    """The function's signature, with string annotations (`from __future__ import annotations`)
    evaluated where the module can evaluate them."""
    try:
        return inspect.signature(fn, eval_str=True)
    except Exception:  # an annotation naming something only an enclosing function knows
        return inspect.signature(fn)


def _annotated(annotation: Any) -> Any:
    """The type an annotation gives (None, meaning Any, when there is none)."""
    return None if annotation is inspect.Signature.empty else annotation


def _input_defs_for(
    fn: Callable[..., Any], input_defs: Sequence[InputDefinition] | None, skip: int
) -> list[InputDefinition]:
    """Check the function's parameters against the declared inputs, or infer inputs from them
    (typed by their annotations, as in the seed: `def add(context, x: int, y: int)`)."""
    params = list(_signature(fn).parameters.values())[skip:]
    has_var_kwargs = any(p.kind is p.VAR_KEYWORD for p in params)
    kept = [p for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    names = [p.name for p in kept]
    if input_defs is None:
        return [InputDefinition(p.name, _annotated(p.annotation)) for p in kept]
    for d in input_defs:
        if d.name not in names and not has_var_kwargs and not d.dagster_type.is_nothing:
            raise DagsterInvalidDefinitionError(
                f"Solid '{fn.__name__}' declares input '{d.name}' but its function has no "
                f"parameter of that name (parameters: {', '.join(names) or 'none'})"
            )
    declared = {d.name for d in input_defs}
    for p in params:
        if p.name not in declared and p.default is p.empty and p.kind is not p.VAR_KEYWORD:
            raise DagsterInvalidDefinitionError(
                f"Solid '{fn.__name__}' has parameter '{p.name}' that is not a declared input "
                f"(inputs: {', '.join(sorted(declared)) or 'none'})"
            )
    return list(input_defs)


def _positional_inputs(fn: Callable[..., Any], skip: int) -> tuple[str, ...]:
    """The function's named parameters, in its order: a call `sub(a, b)` in a composition binds
    `a` and `b` to them, whatever the order of `input_defs` (as in the seed)."""
    params = list(_signature(fn).parameters.values())[skip:]
    return tuple(p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))


def _output_def_for(fn: Callable[..., Any]) -> OutputDefinition:
    """The `result` output, typed by the return annotation of a function that returns its value
    (a generator's annotation describes what it yields, not an output)."""
    if inspect.isgeneratorfunction(fn):
        return OutputDefinition()
    return OutputDefinition(_annotated(_signature(fn).return_annotation))


def solid(
    name: Callable[..., Any] | str | None = None,
    description: str | None = None,
    input_defs: Sequence[InputDefinition] | None = None,
    output_defs: Sequence[OutputDefinition] | None = None,
    config: object = None,
    required_resource_keys: Sequence[str] | None = None,
    tags: Mapping[str, Any] | None = None,
) -> Any:
    """Make a SolidDefinition from `fn(context, **inputs)`; usable bare (`@solid`) or called."""
    if callable(name):
        return solid()(name)

    def decorator(fn: Callable[..., Any]) -> SolidDefinition:
        if not list(inspect.signature(fn).parameters):
            raise DagsterInvalidDefinitionError(
                f"Solid '{fn.__name__}' must take a context as its first parameter "
                "(use @lambda_solid for a function without one)"
            )

        def compute(context: Any, inputs: dict[str, Any]) -> Any:
            return fn(context, **inputs)

        return SolidDefinition(
            name=name or fn.__name__,
            input_defs=_input_defs_for(fn, input_defs, skip=1),
            compute_fn=compute,
            output_defs=output_defs if output_defs is not None else [_output_def_for(fn)],
            config=config,
            required_resource_keys=required_resource_keys,
            tags=tags,
            description=description or inspect.getdoc(fn),
            positional_inputs=_positional_inputs(fn, skip=1),
        )

    return decorator


def lambda_solid(
    name: Callable[..., Any] | str | None = None,
    description: str | None = None,
    input_defs: Sequence[InputDefinition] | None = None,
    output_def: OutputDefinition | None = None,
) -> Any:
    """Make a SolidDefinition from `fn(**inputs)` with no context; its return value is `result`."""
    if callable(name):
        return lambda_solid()(name)

    def decorator(fn: Callable[..., Any]) -> SolidDefinition:
        def compute(_context: Any, inputs: dict[str, Any]) -> Any:
            return fn(**inputs)

        return SolidDefinition(
            name=name or fn.__name__,
            input_defs=_input_defs_for(fn, input_defs, skip=0),
            compute_fn=compute,
            output_defs=[output_def or _output_def_for(fn)],
            description=description or inspect.getdoc(fn),
            positional_inputs=_positional_inputs(fn, skip=0),
        )

    return decorator
