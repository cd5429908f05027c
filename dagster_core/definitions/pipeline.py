"""PipelineDefinition: solids (composite solids too), their wiring, modes and presets, checked
when defined; and the @pipeline decorator."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster_core.definitions.composite import CompositeSolidDefinition
from dagster_core.definitions.composition import composing
from dagster_core.definitions.dependency import (
    DependencyDefinition,
    MultiDependencyDefinition,
    SolidInvocation,
)
from dagster_core.definitions.graph import InputWiring, SolidGraph, join_handle
from dagster_core.definitions.io import InputDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.solid import ISolidDefinition, SolidDefinition
from dagster_core.definitions.tags import check_tags, tags_as_strings
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError
from dagster_core.types import DagsterType


@dataclass(frozen=True, init=False)
class ExecutionSelector:
    """A pipeline by name, cut down to the top-level solids `solid_subset` unless it is None."""

    name: str
    solid_subset: tuple[str, ...] | None

    def __init__(self, name: str, solid_subset: Sequence[str] | None = None):
        object.__setattr__(self, "name", name)
        object.__setattr__(
            self, "solid_subset", None if solid_subset is None else tuple(solid_subset)
        )


class PipelineDefinition:
    """A DAG of named solids. `dependencies` maps a solid (name or SolidInvocation) to its inputs'
    DependencyDefinition / MultiDependencyDefinition. `tags` go on every run of the pipeline, under
    the run's own tags; non-str values are stored JSON-encoded.

    `solids`, `wiring` and `solid_order` describe the top level; `solids_by_handle` holds every
    solid at every level by its handle (`outer.inner` inside composite `outer`), enclosing
    composites before their solids, upstream first."""

    def __init__(
        self,
        solid_defs: Sequence[ISolidDefinition],
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
        self.graph = SolidGraph(f"pipeline '{self.name}'", solid_defs, dependencies)
        self.solid_defs = self.graph.solid_defs
        self.solids, self.wiring = self.graph.solids, self.graph.wiring
        self.solid_order = self.graph.order
        self.solids_by_handle = _solids_by_handle(self.solids, self.solid_order, None)
        self.tags_by_handle = _tags_by_handle(self.graph, None)
        self.mode_defs = tuple(mode_defs or [ModeDefinition()])
        self.preset_defs = tuple(preset_defs or ())
        self.solid_subset: tuple[str, ...] | None = None
        self.graph.check_unconnected_inputs()
        self._check_types()
        self._check_modes_and_presets()

    def unconnected_inputs(self, solid_name: str) -> list[InputDefinition]:
        """Inputs of top-level solid `solid_name` that no other solid feeds."""
        return self.graph.unconnected_inputs(solid_name)

    def _check_types(self) -> None:
        """No value-carrying input fed by a Nothing output; one solid definition per solid name
        and one type per type name, at every level of composition."""
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
        defs: dict[str, tuple[ISolidDefinition, str]] = {}
        for handle, solid_def in self.solids_by_handle.items():
            seen_def, at = defs.setdefault(solid_def.name, (solid_def, handle))
            if seen_def is not solid_def:
                raise DagsterInvalidDefinitionError(
                    f"Pipeline '{self.name}' uses two different solids named "
                    f"'{solid_def.name}' (at '{at}' and at '{handle}'): give one of them "
                    "another name"
                )
        by_name: dict[str, tuple[DagsterType, str]] = {}
        for handle, solid_def in self.solids_by_handle.items():
            for d in (*solid_def.input_defs, *solid_def.output_defs):
                for t in _types_within(d.dagster_type):
                    seen, where = by_name.setdefault(t.name, (t, f"solid '{handle}'"))
                    if seen is not t:
                        raise DagsterInvalidDefinitionError(
                            f"Pipeline '{self.name}' uses two different types named "
                            f"'{t.name}' (in {where} and in solid '{handle}'): give "
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
            for solid_name, solid_def in self.solids_by_handle.items():
                if not isinstance(solid_def, SolidDefinition):
                    continue
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
        """The mode of that name; with None, the only mode (or the one named 'default'). An
        unknown name is DagsterInvariantViolationError, as in the seed."""
        if name is None:
            if len(self.mode_defs) == 1:
                return self.mode_defs[0]
            name = "default"
        for mode in self.mode_defs:
            if mode.name == name:
                return mode
        raise DagsterInvariantViolationError(
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

    @property
    def dependencies(self) -> dict[SolidInvocation, dict[str, Any]]:
        """The wiring as `PipelineDefinition(dependencies=...)` takes it: each solid, as a
        SolidInvocation, to the DependencyDefinition (or MultiDependencyDefinition) of its
        connected inputs."""
        return self._invocations(self.solid_order)

    def _invocations(self, names: Collection[str]) -> dict[SolidInvocation, dict[str, Any]]:
        """The wiring of the solids `names` among themselves, keyed by their uses (with tags)."""
        invocations = {}
        for name in self.solid_order:
            if name not in names:
                continue
            inputs = {}
            for input_name, w in self.wiring[name].items():
                dependency = _dependency(w, names)
                if dependency is not None:
                    inputs[input_name] = dependency
            use_tags = self.graph.invocation_tags.get(name)
            invocations[SolidInvocation(self.solids[name].name, name, use_tags)] = inputs
        return invocations

    def build_sub_pipeline(self, solid_names: Sequence[str] | None) -> PipelineDefinition:
        """A pipeline of just these top-level solids (itself for None); inputs whose upstream is
        left out come from run config. Its `selector` names the subset."""
        if solid_names is None:
            return self
        if isinstance(solid_names, str) or not all(isinstance(n, str) for n in solid_names):
            raise DagsterInvalidDefinitionError(
                f"The solid subset of pipeline '{self.name}' must be a list of solid names, "
                f"got {solid_names!r}"
            )
        unknown = [n for n in solid_names if n not in self.solids]
        if unknown:
            raise DagsterInvalidDefinitionError(
                f"Pipeline '{self.name}' has no solid(s) {', '.join(unknown)} "
                f"(solids: {', '.join(self.solid_order)})"
            )
        keep = set(solid_names)
        sub = PipelineDefinition(
            solid_defs=list({id(d): d for n, d in self.solids.items() if n in keep}.values()),
            name=self.name,
            dependencies=self._invocations(keep),
            mode_defs=self.mode_defs,
            preset_defs=self.preset_defs,
            description=self.description,
            tags=self.tags,
        )
        sub.solid_subset = tuple(n for n in self.solid_order if n in keep)
        return sub

    subset = build_sub_pipeline

    @property
    def selector(self) -> ExecutionSelector:
        """This pipeline's name and, for a sub-pipeline, its solids."""
        return ExecutionSelector(self.name, self.solid_subset)

    def __repr__(self) -> str:
        return f"<PipelineDefinition {self.name}>"


def _solids_by_handle(
    solids: Mapping[str, ISolidDefinition], order: Sequence[str], parent: str | None
) -> dict[str, ISolidDefinition]:
    by_handle: dict[str, ISolidDefinition] = {}
    for name in order:
        handle = join_handle(parent, name)
        by_handle[handle] = solids[name]
        inner = solids[name]
        if isinstance(inner, CompositeSolidDefinition):
            by_handle.update(_solids_by_handle(inner.solids, inner.solid_order, handle))
    return by_handle


def _tags_by_handle(graph: SolidGraph, parent: str | None) -> dict[str, Mapping[str, Any]]:
    """Each solid's tags by handle: its definition's, under those of its use (SolidInvocation)."""
    tags: dict[str, Mapping[str, Any]] = {}
    for name in graph.order:
        handle = join_handle(parent, name)
        solid_def = graph.solids[name]
        tags[handle] = {**solid_def.tags, **graph.invocation_tags.get(name, {})}
        if isinstance(solid_def, CompositeSolidDefinition):
            tags.update(_tags_by_handle(solid_def.graph, handle))
    return tags


def _types_within(dagster_type: DagsterType) -> list[DagsterType]:
    """The type and the types it is made of (List[Foo]: Foo, then List[Foo])."""
    inner = [t for i in dagster_type.inner_types for t in _types_within(i)]
    return [*inner, dagster_type]


def _dependency(
    wiring: InputWiring, keep: Collection[str]
) -> DependencyDefinition | MultiDependencyDefinition | None:
    """An input's wiring as a dependency on the solids in `keep`; None if it has none there."""
    deps = [
        DependencyDefinition(h.solid_name, h.output_name)
        for h in wiring.sources
        if h.solid_name in keep
    ]
    if not deps:
        return None
    return MultiDependencyDefinition(deps) if wiring.fan_in else deps[0]


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
        with composing(f"pipeline '{pipeline_name}'") as composition:
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
