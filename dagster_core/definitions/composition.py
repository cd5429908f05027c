"""Composition by calling solids inside an @pipeline function, recorded as plain dependency data."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError

if TYPE_CHECKING:
    from dagster_core.definitions.solid import SolidDefinition


@dataclass(frozen=True)
class InvokedSolidOutput:
    """What calling a solid returns inside @pipeline: a handle on one of its outputs."""

    solid_name: str
    output_name: str


@dataclass
class _Composition:
    pipeline_name: str
    solid_defs: dict[str, SolidDefinition] = field(default_factory=dict)
    dependencies: dict[SolidInvocation, dict[str, object]] = field(default_factory=dict)
    used_names: set[str] = field(default_factory=set)

    def unique_name(self, name: str) -> str:
        if name not in self.used_names:
            return name
        n = 2
        while f"{name}_{n}" in self.used_names:
            n += 1
        return f"{name}_{n}"


_stack: list[_Composition] = []


@contextmanager
def composing(pipeline_name: str) -> Iterator[_Composition]:
    """Record the solid calls made while the @pipeline function body runs."""
    composition = _Composition(pipeline_name)
    _stack.append(composition)
    try:
        yield composition
    finally:
        _stack.pop()


def _dependency_for(
    arg: object, solid_name: str, input_name: str
) -> DependencyDefinition | MultiDependencyDefinition:
    if isinstance(arg, InvokedSolidOutput):
        return DependencyDefinition(arg.solid_name, arg.output_name)
    if isinstance(arg, list) and arg and all(isinstance(a, InvokedSolidOutput) for a in arg):
        return MultiDependencyDefinition(
            [DependencyDefinition(a.solid_name, a.output_name) for a in arg]
        )
    hint = ""
    if isinstance(arg, tuple) and hasattr(arg, "_fields"):
        hint = " (that solid has several outputs: pick one by name, e.g. out.first)"
    raise DagsterInvalidDefinitionError(
        f"Input '{input_name}' of solid '{solid_name}' was given {arg!r} "
        f"({type(arg).__name__}){hint}: pass the output of another solid call, or a list of "
        "them for fan-in; plain values go in run config under solids.<name>.inputs"
    )


class PendingInvocation:
    """A solid about to be called in a composition, possibly under an alias."""

    def __init__(self, solid_def: SolidDefinition, alias: str | None):
        self.solid_def = solid_def
        self.alias = alias

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        solid_def = self.solid_def
        if not _stack:
            raise DagsterInvariantViolationError(
                f"Solid '{solid_def.name}' was called outside of a @pipeline function. "
                "To run one solid, use execute_solid(solid, input_values={...})."
            )
        composition = _stack[-1]
        name = composition.unique_name(self.alias or solid_def.name)
        if len(args) > len(solid_def.input_defs):
            raise DagsterInvalidDefinitionError(
                f"Solid '{name}' in pipeline '{composition.pipeline_name}' takes "
                f"{len(solid_def.input_defs)} inputs but was called with {len(args)} arguments"
            )
        bindings = {d.name: arg for d, arg in zip(solid_def.input_defs, args, strict=False)}
        for input_name, arg in kwargs.items():
            if input_name not in solid_def.input_dict:
                raise DagsterInvalidDefinitionError(
                    f"Solid '{name}' in pipeline '{composition.pipeline_name}' has no input "
                    f"'{input_name}' (inputs: {', '.join(solid_def.input_dict) or 'none'})"
                )
            if input_name in bindings:
                raise DagsterInvalidDefinitionError(
                    f"Input '{input_name}' of solid '{name}' was given twice"
                )
            bindings[input_name] = arg

        existing = composition.solid_defs.get(solid_def.name)
        if existing is not None and existing is not solid_def:
            raise DagsterInvalidDefinitionError(
                f"Pipeline '{composition.pipeline_name}' uses two different solids named "
                f"'{solid_def.name}': give one of them another name"
            )
        composition.solid_defs[solid_def.name] = solid_def
        composition.used_names.add(name)
        composition.dependencies[SolidInvocation(solid_def.name, name)] = {
            input_name: _dependency_for(arg, name, input_name)
            for input_name, arg in bindings.items()
        }

        outputs = [InvokedSolidOutput(name, d.name) for d in solid_def.output_defs]
        if not outputs:
            return None
        if len(outputs) == 1:
            return outputs[0]
        return namedtuple(f"{solid_def.name}_outputs", [o.output_name for o in outputs])(*outputs)
