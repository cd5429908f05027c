"""The solids of a pipeline or composite solid and their wiring, checked when defined."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dagster_core.definitions.composition import sentence_case
from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.solid import ISolidDefinition
from dagster_core.definitions.tags import check_tags
from dagster_core.errors import DagsterInvalidDefinitionError

if TYPE_CHECKING:
    from dagster_core.definitions.io import InputDefinition


@dataclass(frozen=True)
class SolidOutputHandle:
    """Output `output_name` of the solid named `solid_name` in the same pipeline or composite."""

    solid_name: str
    output_name: str


@dataclass(frozen=True)
class InputWiring:
    """Where one input's value comes from: upstream outputs (several for fan-in)."""

    sources: tuple[SolidOutputHandle, ...]
    fan_in: bool


def join_handle(parent: str | None, name: str) -> str:
    """The handle of solid `name` inside the composite solid at handle `parent`: `outer.inner`."""
    return name if parent is None else f"{parent}.{name}"


class SolidGraph:
    """The named solids of one pipeline or composite solid (`owner`, e.g. "pipeline 'p'"), what
    feeds each of their inputs, and their order: upstream first, ties in definition order.
    `dependencies` maps a solid (name or SolidInvocation) to its inputs' DependencyDefinition /
    MultiDependencyDefinition."""

    def __init__(
        self,
        owner: str,
        solid_defs: Sequence[ISolidDefinition],
        dependencies: Mapping[Any, Mapping[str, Any]] | None,
    ):
        self.owner = owner
        self.solid_defs = _solid_defs_by_name(solid_defs, owner)
        checked = _checked_dependencies(dependencies, owner)
        self.solids, self.wiring = self._build(checked)
        # the tags of each use of a solid (SolidInvocation.tags), by the name it is used under
        self.invocation_tags = {
            invocation.alias or invocation.name: check_tags(
                invocation.tags, f"solid '{invocation.alias or invocation.name}' in {owner}"
            )
            for invocation in checked
            if invocation.tags
        }
        self.order = self._topological_order()

    def _build(
        self, dependencies: Mapping[SolidInvocation, Mapping[str, Any]]
    ) -> tuple[dict[str, ISolidDefinition], dict[str, dict[str, InputWiring]]]:
        owner = self.owner
        solids: dict[str, ISolidDefinition] = {}
        for invocation in dependencies:
            if invocation.name not in self.solid_defs:
                raise DagsterInvalidDefinitionError(
                    f"{sentence_case(owner)} has a dependency for unknown solid "
                    f"'{invocation.name}' (solids: {', '.join(self.solid_defs)})"
                )
            alias = invocation.alias or invocation.name
            if alias in solids:
                raise DagsterInvalidDefinitionError(
                    f"{sentence_case(owner)} has two solids named '{alias}': alias one of them"
                )
            solids[alias] = self.solid_defs[invocation.name]
        invoked = {id(d) for d in solids.values()}
        for def_name, solid_def in self.solid_defs.items():
            if id(solid_def) not in invoked:
                solids.setdefault(def_name, solid_def)

        wiring: dict[str, dict[str, InputWiring]] = {name: {} for name in solids}
        for invocation, inputs in dependencies.items():
            solid_name = invocation.alias or invocation.name
            solid_def = solids[solid_name]
            for input_name, dep in inputs.items():
                input_def = solid_def.input_dict.get(input_name)
                if input_def is None:
                    raise DagsterInvalidDefinitionError(
                        f"Solid '{solid_name}' in {owner} has no input '{input_name}' "
                        f"(inputs: {', '.join(solid_def.input_dict) or 'none'})"
                    )
                wiring[solid_name][input_name] = self._input_wiring(
                    solids, solid_name, input_def, dep
                )
        return solids, wiring

    def _input_wiring(
        self,
        solids: Mapping[str, ISolidDefinition],
        solid_name: str,
        input_def: InputDefinition,
        dep: object,
    ) -> InputWiring:
        input_name = input_def.name
        if isinstance(dep, DependencyDefinition):
            deps, fan_in = (dep,), False
        elif isinstance(dep, MultiDependencyDefinition):
            deps, fan_in = dep.dependencies, True
            t = input_def.dagster_type
            if not (t.is_nothing or t.name == "Any" or t.name.startswith("List[")):
                raise DagsterInvalidDefinitionError(
                    f"Input '{input_name}' of solid '{solid_name}' takes a list of "
                    f"outputs (fan-in) but its type is {t.name}: make it List[...] or Any"
                )
        else:
            raise DagsterInvalidDefinitionError(
                f"Input '{input_name}' of solid '{solid_name}' in {self.owner} depends on "
                f"{dep!r}: expected a DependencyDefinition or MultiDependencyDefinition"
            )
        for d in deps:
            upstream = solids.get(d.solid)
            if upstream is None:
                raise DagsterInvalidDefinitionError(
                    f"Input '{input_name}' of solid '{solid_name}' depends on unknown "
                    f"solid '{d.solid}'"
                )
            if d.output not in upstream.output_dict:
                raise DagsterInvalidDefinitionError(
                    f"Input '{input_name}' of solid '{solid_name}' depends on output "
                    f"'{d.output}' of solid '{d.solid}', which has outputs: "
                    f"{', '.join(upstream.output_dict) or 'none'}"
                )
        return InputWiring(tuple(SolidOutputHandle(d.solid, d.output) for d in deps), fan_in)

    def _topological_order(self) -> tuple[str, ...]:
        """Solid names, upstream first, ties in definition order; a cycle is a definition error."""
        solids, wiring = self.solids, self.wiring
        position = {name: i for i, name in enumerate(solids)}
        downstream: dict[str, set[str]] = {name: set() for name in solids}
        waiting_on: dict[str, int] = {}
        for name in solids:
            upstream = {h.solid_name for w in wiring[name].values() for h in w.sources}
            waiting_on[name] = len(upstream)
            for u in upstream:
                downstream[u].add(name)
        ready = [position[n] for n in solids if waiting_on[n] == 0]
        heapq.heapify(ready)
        names = list(solids)
        order: list[str] = []
        while ready:
            name = names[heapq.heappop(ready)]
            order.append(name)
            for d in downstream[name]:
                waiting_on[d] -= 1
                if waiting_on[d] == 0:
                    heapq.heappush(ready, position[d])
        if len(order) < len(solids):
            cycle = sorted(n for n in solids if waiting_on[n] > 0)
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(self.owner)} has a dependency cycle among solids: "
                + ", ".join(cycle)
            )
        return tuple(order)

    def unconnected_inputs(
        self, solid_name: str, mapped: Collection[tuple[str, str]] = ()
    ) -> list[InputDefinition]:
        """Inputs of the solid that no upstream output feeds and no `(solid, input)` in `mapped`
        (inputs of an enclosing composite) supplies: run config gives them, if anything does."""
        wired = self.wiring[solid_name]
        return [
            d
            for d in self.solids[solid_name].input_defs
            if d.name not in wired and (solid_name, d.name) not in mapped
        ]

    def check_unconnected_inputs(self, mapped: Collection[tuple[str, str]] = ()) -> None:
        """Raise for an unconnected input that run config cannot give (its type has no config)."""
        for solid_name in self.order:
            for input_def in self.unconnected_inputs(solid_name, mapped):
                t = input_def.dagster_type
                if not t.is_nothing and t.input_hydration_config is None:
                    raise DagsterInvalidDefinitionError(
                        f"Input '{input_def.name}' of solid '{solid_name}' in {self.owner} is "
                        f"not connected to an upstream output, and its type {t.name} cannot be "
                        "given in run config: connect it to another solid"
                    )


def _solid_defs_by_name(solid_defs: object, owner: str) -> dict[str, ISolidDefinition]:
    if not isinstance(solid_defs, list | tuple):
        raise DagsterInvalidDefinitionError(
            f"solid_defs of {owner} must be a list of solid definitions, got {solid_defs!r}"
        )
    by_name: dict[str, ISolidDefinition] = {}
    for solid_def in solid_defs:
        if not isinstance(solid_def, ISolidDefinition):
            hint = (
                " (a function: decorate it with @solid, @lambda_solid or @composite_solid)"
                if callable(solid_def)
                else ""
            )
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(owner)} was given {solid_def!r}{hint}: expected solid definitions"
            )
        if by_name.get(solid_def.name, solid_def) is not solid_def:
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(owner)} has two different solids named '{solid_def.name}'"
            )
        by_name[solid_def.name] = solid_def
    return by_name


def _checked_dependencies(
    dependencies: object, owner: str
) -> dict[SolidInvocation, Mapping[str, Any]]:
    """`dependencies` keyed by SolidInvocation, after checking its shape: solid -> input -> dep."""
    if dependencies is None:
        return {}
    if not isinstance(dependencies, Mapping):
        raise DagsterInvalidDefinitionError(
            f"dependencies of {owner} must be a dict from solid name (or SolidInvocation) to a "
            f"dict of its inputs, got {dependencies!r}"
        )
    checked: dict[SolidInvocation, Mapping[str, Any]] = {}
    for key, inputs in dependencies.items():
        if isinstance(key, str):
            key = SolidInvocation(key)
        elif not isinstance(key, SolidInvocation):
            raise DagsterInvalidDefinitionError(
                f"dependencies of {owner} has key {key!r}: expected a solid name or a "
                "SolidInvocation"
            )
        name = key.alias or key.name
        if not isinstance(inputs, Mapping):
            raise DagsterInvalidDefinitionError(
                f"dependencies['{name}'] of {owner} is {inputs!r}: expected a dict from each "
                f"input name of '{name}' to a DependencyDefinition, e.g. "
                f"{{'{name}': {{'input_name': DependencyDefinition('upstream_solid')}}}}"
            )
        if key in checked:
            raise DagsterInvalidDefinitionError(
                f"{sentence_case(owner)} has two solids named '{name}': alias one of them"
            )
        checked[key] = inputs
    return checked
