"""Composition by calling solids inside an @pipeline or @composite_solid function, recorded as
plain dependency and mapping data."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.io import InputDefinition, InputMapping, OutputMapping
from dagster_core.errors import (
    DagsterInvalidDefinitionError,
    DagsterInvalidInvocationError,
    DagsterInvariantViolationError,
)

if TYPE_CHECKING:
    from dagster_core.definitions.io import OutputDefinition
    from dagster_core.definitions.solid import ISolidDefinition


@dataclass(frozen=True)
class InvokedSolidOutput:
    """What calling a solid returns inside a composition: a handle on one of its outputs."""

    solid_name: str
    output_name: str

    def _not_a_collection(self, what: str) -> NoReturn:
        raise DagsterInvalidInvocationError(
            f"Tried to {what} output '{self.output_name}' of solid '{self.solid_name}', which "
            "is one output, not several: give the solid several OutputDefinitions and pick one "
            "by name (out = solid(); out.first), or pass the whole value to one solid"
        )

    def __iter__(self) -> Iterator[Any]:
        self._not_a_collection("unpack or iterate over")

    def __getitem__(self, index: object) -> NoReturn:
        self._not_a_collection("index into")


@dataclass(frozen=True)
class ComposedInput:
    """What a @composite_solid function receives for each of the composite's inputs; passing it
    to a solid maps the composite's input to that solid's input."""

    input_def: InputDefinition


@dataclass
class _Composition:
    owner: str  # "pipeline 'p'" or "composite solid 'c'", for messages
    solid_defs: dict[str, ISolidDefinition] = field(default_factory=dict)
    dependencies: dict[SolidInvocation, dict[str, object]] = field(default_factory=dict)
    input_mappings: list[InputMapping] = field(default_factory=list)
    used_names: set[str] = field(default_factory=set)

    def unique_name(self, name: str) -> str:
        if name not in self.used_names:
            return name
        n = 2
        while f"{name}_{n}" in self.used_names:
            n += 1
        return f"{name}_{n}"


_stack: list[_Composition] = []


def sentence_case(owner: str) -> str:
    """ "pipeline 'p'" as the start of a sentence: "Pipeline 'p'"."""
    return owner[:1].upper() + owner[1:]


@contextmanager
def composing(owner: str) -> Iterator[_Composition]:
    """Record the solid calls made while an @pipeline or @composite_solid function body runs."""
    composition = _Composition(owner)
    _stack.append(composition)
    try:
        yield composition
    finally:
        _stack.pop()


def _positions(
    solid_def: ISolidDefinition, name: str, owner: str, args: tuple[Any, ...]
) -> tuple[str, ...]:
    """The inputs that `args` bind to, in order: the solid's positional inputs (its function's
    parameters), then the one input its function does not name, if there is just one."""
    positional = solid_def.positional_inputs
    if len(args) <= len(positional):
        return positional
    unnamed = [d.name for d in solid_def.input_defs if d.name not in positional]
    if len(args) == len(positional) + 1 and len(unnamed) == 1:
        return (*positional, unnamed[0])
    if len(args) > len(solid_def.input_defs):
        raise DagsterInvalidDefinitionError(
            f"Solid '{name}' in {owner} takes {len(solid_def.input_defs)} inputs but was called "
            f"with {len(args)} arguments"
        )
    raise DagsterInvalidDefinitionError(
        f"Solid '{name}' in {owner} was called with {len(args)} positional arguments, but only "
        f"{len(positional)} of its inputs have a position ({', '.join(positional) or 'none'}: "
        "the parameters its function names). Use keyword args instead, e.g. "
        f"{name}({', '.join(f'{d.name}=...' for d in solid_def.input_defs)})"
    )


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
        f"({type(arg).__name__}){hint}: pass the output of another solid call, a list of "
        "them for fan-in, or an input of the enclosing composite solid; plain values go in "
        "run config under solids.<name>.inputs"
    )


class PendingInvocation:
    """A solid about to be called in a composition, possibly under an alias and with tags of its
    own: `add.alias("add_2").tag({"owner": "x"})(a, b)`."""

    def __init__(
        self,
        solid_def: ISolidDefinition,
        alias: str | None,
        tags: Mapping[str, Any] | None = None,
    ):
        self.solid_def = solid_def
        self.given_alias = alias
        self.tags = dict(tags or {})

    def alias(self, name: str) -> PendingInvocation:
        """This use of the solid under another name."""
        return PendingInvocation(self.solid_def, name, self.tags)

    def tag(self, tags: Mapping[str, Any]) -> PendingInvocation:
        """This use of the solid with `tags` over its definition's (and earlier .tag calls')."""
        return PendingInvocation(self.solid_def, self.given_alias, {**self.tags, **tags})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        solid_def = self.solid_def
        if not _stack:
            raise DagsterInvariantViolationError(
                f"Solid '{solid_def.name}' was called outside of a @pipeline or @composite_solid "
                "function. To run one solid, use execute_solid(solid, input_values={...})."
            )
        composition = _stack[-1]
        name = composition.unique_name(self.given_alias or solid_def.name)
        bindings = dict(
            zip(_positions(solid_def, name, composition.owner, args), args, strict=False)
        )
        for input_name, arg in kwargs.items():
            if input_name not in solid_def.input_dict:
                raise DagsterInvalidDefinitionError(
                    f"Solid '{name}' in {composition.owner} has no input "
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
                f"{sentence_case(composition.owner)} uses two different solids named "
                f"'{solid_def.name}': give one of them another name"
            )
        composition.solid_defs[solid_def.name] = solid_def
        composition.used_names.add(name)
        dependencies = {}
        for input_name, arg in bindings.items():
            if isinstance(arg, ComposedInput):
                composition.input_mappings.append(arg.input_def.mapping_to(name, input_name))
            else:
                dependencies[input_name] = _dependency_for(arg, name, input_name)
        invocation = SolidInvocation(solid_def.name, name, self.tags or None)
        composition.dependencies[invocation] = dependencies

        outputs = [InvokedSolidOutput(name, d.name) for d in solid_def.output_defs]
        if not outputs:
            return None
        if len(outputs) == 1:
            return outputs[0]
        return namedtuple(f"{solid_def.name}_outputs", [o.output_name for o in outputs])(*outputs)


def output_mappings_for(
    returned: object, output_defs: Sequence[OutputDefinition], owner: str
) -> dict[str, OutputMapping]:
    """The output mappings a composition function's return value gives, by output name: one
    solid output for a single-output composite, or a dict (or a several-output solid's named
    tuple) from output name to solid output."""
    by_name = {d.name: d for d in output_defs}
    if returned is None:
        return {}
    if isinstance(returned, InvokedSolidOutput):
        if len(output_defs) != 1:
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(owner)} returned one output ({returned.solid_name}."
                f"{returned.output_name}) but declares {len(output_defs)} outputs "
                f"({', '.join(by_name) or 'none'}): return a dict from output name to solid output"
            )
        (output_def,) = output_defs
        return {output_def.name: output_def.mapping_from(returned.solid_name, returned.output_name)}
    if isinstance(returned, tuple) and hasattr(returned, "_fields"):
        returned = dict(zip(returned._fields, returned, strict=True))
    if not isinstance(returned, Mapping):
        raise DagsterInvalidDefinitionError(
            f"{sentence_case(owner)} returned {returned!r} ({type(returned).__name__}): return the "
            "output of a solid call, or a dict from output name to solid outputs"
        )
    mappings = {}
    for output_name, handle in returned.items():
        if output_name not in by_name:
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(owner)} returned output '{output_name}', which it does not "
                f"declare (outputs: {', '.join(by_name) or 'none'})"
            )
        if not isinstance(handle, InvokedSolidOutput):
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(owner)} returned {handle!r} ({type(handle).__name__}) for "
                f"output '{output_name}': expected the output of a solid call"
            )
        mappings[output_name] = by_name[output_name].mapping_from(
            handle.solid_name, handle.output_name
        )
    return mappings
