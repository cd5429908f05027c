"""PipelineDefinition: solids, their wiring, modes and presets, checked when defined."""

from __future__ import annotations

import heapq
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster_core.definitions.composition import composing
from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.solid import SolidDefinition
from dagster_core.definitions.tags import check_tags, tags_as_strings
from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.types import DagsterType


@dataclass(frozen=True)
class SolidOutputHandle:
    """Output `output_name` of the solid named `solid_name` in a pipeline."""

    solid_name: str
    output_name: str


@dataclass(frozen=True)
class InputWiring:
    """Where one input's value comes from: upstream outputs (several for fan-in)."""

    sources: tuple[SolidOutputHandle, ...]
    fan_in: bool


class PipelineDefinition:
    """A DAG of named solids. `dependencies` maps a solid (name or SolidInvocation) to its inputs'
    DependencyDefinition / MultiDependencyDefinition. `tags` go on every run of the pipeline, under
    the run's own tags; non-str values are stored JSON-encoded."""

    def __init__(
        self,
        solid_defs: Sequence[SolidDefinition],
        name: str | None = None,
        dependencies: Mapping[Any, Mapping[str, Any]] | None = None,
        mode_defs: Sequence[ModeDefinition] | None = None,
        preset_defs: Sequence[PresetDefinition] | None = None,
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ):
        self.name = name or "<<unnamed>>"
        self.description = description
        self.tags = tags_as_strings(check_tags(tags, f"pipeline '{self.name}'"))
        self.solid_defs = _solid_defs_by_name(solid_defs, self.name)
        self.solids, self.wiring = self._build_graph(dependencies or {})
        self.mode_defs = tuple(mode_defs or [ModeDefinition()])
        self.preset_defs = tuple(preset_defs or ())
        self.solid_order = _topological_order(self.name, self.solids, self.wiring)
        self._check_inputs()
        self._check_types()
        self._check_modes_and_presets()

    # -- construction ---------------------------------------------------------------------------

    def _build_graph(
        self, dependencies: Mapping[Any, Mapping[str, Any]]
    ) -> tuple[dict[str, SolidDefinition], dict[str, dict[str, InputWiring]]]:
        solids: dict[str, SolidDefinition] = {}
        raw: dict[str, Mapping[str, Any]] = {}
        for key, inputs in dependencies.items():
            invocation = key if isinstance(key, SolidInvocation) else SolidInvocation(key)
            if invocation.name not in self.solid_defs:
                raise DagsterInvalidDefinitionError(
                    f"Pipeline '{self.name}' has a dependency for unknown solid "
                    f"'{invocation.name}' (solids: {', '.join(self.solid_defs)})"
                )
            alias = invocation.alias or invocation.name
            if alias in solids:
                raise DagsterInvalidDefinitionError(
                    f"Pipeline '{self.name}' has two solids named '{alias}': alias one of them"
                )
            solids[alias] = self.solid_defs[invocation.name]
            raw[alias] = inputs
        invoked = {id(d) for d in solids.values()}
        for def_name, solid_def in self.solid_defs.items():
            if id(solid_def) not in invoked:
                solids.setdefault(def_name, solid_def)

        wiring: dict[str, dict[str, InputWiring]] = {}
        for solid_name, inputs in raw.items():
            solid_def = solids[solid_name]
            wiring[solid_name] = {}
            for input_name, dep in inputs.items():
                input_def = solid_def.input_dict.get(input_name)
                if input_def is None:
                    raise DagsterInvalidDefinitionError(
                        f"Solid '{solid_name}' in pipeline '{self.name}' has no input "
                        f"'{input_name}' (inputs: {', '.join(solid_def.input_dict) or 'none'})"
                    )
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
                        f"Input '{input_name}' of solid '{solid_name}' depends on {dep!r}: "
                        "expected a DependencyDefinition or MultiDependencyDefinition"
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
                wiring[solid_name][input_name] = InputWiring(
                    tuple(SolidOutputHandle(d.solid, d.output) for d in deps), fan_in
                )
        for solid_name in solids:
            wiring.setdefault(solid_name, {})
        return solids, wiring

    def _check_inputs(self) -> None:
        for solid_name, solid_def in self.solids.items():
            for input_def in solid_def.input_defs:
                if input_def.name in self.wiring[solid_name]:
                    continue
                t = input_def.dagster_type
                if not t.is_nothing and t.input_hydration_config is None:
                    raise DagsterInvalidDefinitionError(
                        f"Input '{input_def.name}' of solid '{solid_name}' in pipeline "
                        f"'{self.name}' is not connected to an upstream output, and its type "
                        f"{t.name} cannot be given in run config: connect it to another solid"
                    )

    def _check_types(self) -> None:
        """No value-carrying input fed by a Nothing output; one type per type name."""
        for solid_name, inputs in self.wiring.items():
            for input_name, w in inputs.items():
                input_type = self.solids[solid_name].input_dict[input_name].dagster_type
                for h in w.sources:
                    output_type = self.solids[h.solid_name].output_dict[h.output_name].dagster_type
                    if output_type.is_nothing and not input_type.is_nothing:
                        raise DagsterInvalidDefinitionError(
                            f"Input '{input_name}' of solid '{solid_name}' in pipeline "
                            f"'{self.name}' is of type {input_type.name} but is fed by output "
                            f"'{h.output_name}' of solid '{h.solid_name}', which is of type "
                            "Nothing and carries no value: make the input's type Nothing"
                        )
        by_name: dict[str, tuple[DagsterType, str]] = {}
        for solid_name, solid_def in self.solids.items():
            for d in (*solid_def.input_defs, *solid_def.output_defs):
                for t in _types_within(d.dagster_type):
                    seen, where = by_name.setdefault(t.name, (t, f"solid '{solid_name}'"))
                    if seen is not t:
                        raise DagsterInvalidDefinitionError(
                            f"Pipeline '{self.name}' uses two different types named "
                            f"'{t.name}' (in {where} and in solid '{solid_name}'): give "
                            "each type its own name, or define the type once and reuse it"
                        )

    def _check_modes_and_presets(self) -> None:
        mode_names = [m.name for m in self.mode_defs]
        for name in set(mode_names):
            if mode_names.count(name) > 1:
                raise DagsterInvalidDefinitionError(
                    f"Pipeline '{self.name}' has two modes named '{name}'"
                )
        for mode in self.mode_defs:
            for solid_name, solid_def in self.solids.items():
                missing = solid_def.required_resource_keys - set(mode.resource_defs)
                if missing:
                    raise DagsterInvalidDefinitionError(
                        f"Solid '{solid_name}' requires resource(s) "
                        f"{', '.join(sorted(missing))} which mode '{mode.name}' of pipeline "
                        f"'{self.name}' does not provide (it provides: "
                        f"{', '.join(sorted(mode.resource_defs)) or 'none'})"
                    )
        preset_names = set()
        for preset in self.preset_defs:
            if preset.name in preset_names:
                raise DagsterInvalidDefinitionError(
                    f"Pipeline '{self.name}' has two presets named '{preset.name}'"
                )
            preset_names.add(preset.name)
            if preset.mode not in mode_names:
                raise DagsterInvalidDefinitionError(
                    f"Preset '{preset.name}' of pipeline '{self.name}' uses mode "
                    f"'{preset.mode}', which is not one of: {', '.join(mode_names)}"
                )

    # -- queries --------------------------------------------------------------------------------

    def get_mode(self, name: str | None) -> ModeDefinition:
        """The mode of that name; with None, the only mode (or the one named 'default')."""
        if name is None:
            if len(self.mode_defs) == 1:
                return self.mode_defs[0]
            name = "default"
        for mode in self.mode_defs:
            if mode.name == name:
                return mode
        raise DagsterInvalidDefinitionError(
            f"Pipeline '{self.name}' has no mode '{name}' "
            f"(modes: {', '.join(m.name for m in self.mode_defs)})"
        )

    def get_preset(self, name: str) -> PresetDefinition:
        for preset in self.preset_defs:
            if preset.name == name:
                return preset
        raise DagsterInvalidDefinitionError(
            f"Pipeline '{self.name}' has no preset '{name}' "
            f"(presets: {', '.join(p.name for p in self.preset_defs) or 'none'})"
        )

    def subset(self, solid_names: Sequence[str]) -> PipelineDefinition:
        """A pipeline of just these solids; inputs whose upstream is left out come from config."""
        unknown = [n for n in solid_names if n not in self.solids]
        if unknown:
            raise DagsterInvalidDefinitionError(
                f"Pipeline '{self.name}' has no solid(s) {', '.join(unknown)} "
                f"(solids: {', '.join(self.solid_order)})"
            )
        keep = set(solid_names)
        dependencies = {}
        for solid_name in self.solid_order:
            if solid_name not in keep:
                continue
            inputs = {}
            for input_name, w in self.wiring[solid_name].items():
                deps = [
                    DependencyDefinition(h.solid_name, h.output_name)
                    for h in w.sources
                    if h.solid_name in keep
                ]
                if deps:
                    inputs[input_name] = MultiDependencyDefinition(deps) if w.fan_in else deps[0]
            key = SolidInvocation(self.solids[solid_name].name, solid_name)
            dependencies[key] = inputs
        return PipelineDefinition(
            solid_defs=list({id(d): d for n, d in self.solids.items() if n in keep}.values()),
            name=self.name,
            dependencies=dependencies,
            mode_defs=self.mode_defs,
            preset_defs=self.preset_defs,
            description=self.description,
            tags=self.tags,
        )

    def __repr__(self) -> str:
        return f"<PipelineDefinition {self.name}>"


def _types_within(dagster_type: DagsterType) -> list[DagsterType]:
    """The type and the types it is made of (List[Foo]: Foo, then List[Foo])."""
    inner = [t for i in dagster_type.inner_types for t in _types_within(i)]
    return [*inner, dagster_type]


def _solid_defs_by_name(solid_defs: Sequence[SolidDefinition], pipeline_name: str) -> dict:
    by_name: dict[str, SolidDefinition] = {}
    for solid_def in solid_defs:
        if not isinstance(solid_def, SolidDefinition):
            raise DagsterInvalidDefinitionError(
                f"Pipeline '{pipeline_name}' was given {solid_def!r}: expected solid definitions"
            )
        if by_name.get(solid_def.name, solid_def) is not solid_def:
            raise DagsterInvalidDefinitionError(
                f"Pipeline '{pipeline_name}' has two different solids named '{solid_def.name}'"
            )
        by_name[solid_def.name] = solid_def
    return by_name


def _topological_order(
    pipeline_name: str,
    solids: Mapping[str, SolidDefinition],
    wiring: Mapping[str, Mapping[str, InputWiring]],
) -> tuple[str, ...]:
    """Solid names, upstream first, ties kept in definition order; a cycle is a definition error."""
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
            f"Pipeline '{pipeline_name}' has a dependency cycle among solids: {', '.join(cycle)}"
        )
    return tuple(order)


def pipeline(
    name: Callable[..., Any] | str | None = None,
    description: str | None = None,
    mode_defs: Sequence[ModeDefinition] | None = None,
    preset_defs: Sequence[PresetDefinition] | None = None,
    tags: Mapping[str, Any] | None = None,
) -> Any:
    """Make a PipelineDefinition from a function whose body calls solids to wire them."""
    if callable(name):
        return pipeline()(name)

    def decorator(fn: Callable[[], Any]) -> PipelineDefinition:
        pipeline_name = name or fn.__name__
        with composing(pipeline_name) as composition:
            fn()
        return PipelineDefinition(
            solid_defs=list(composition.solid_defs.values()),
            name=pipeline_name,
            dependencies=composition.dependencies,
            mode_defs=mode_defs,
            preset_defs=preset_defs,
            description=description or inspect.getdoc(fn),
            tags=tags,
        )

    return decorator
