"""Composite solids: a solid made of other solids, with its inputs, outputs and (optionally) config
mapped onto theirs; and the @composite_solid decorator that builds one from a function."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dagster_core.config import Field, resolve_field
from dagster_core.definitions.composition import (
    ComposedInput,
    composing,
    output_mappings_for,
    sentence_case,
)
from dagster_core.definitions.graph import InputWiring, SolidGraph
from dagster_core.definitions.io import (
    InputDefinition,
    InputMapping,
    OutputDefinition,
    OutputMapping,
)
from dagster_core.definitions.solid import ISolidDefinition, _input_defs_for
from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.types import DagsterType


@dataclass(frozen=True)
class ConfigMappingContext:
    """The first argument of a two-parameter config_fn: where the composite is being configured."""

    pipeline_name: str
    solid_handle: str


@dataclass(frozen=True, init=False)
class ConfigMapping:
    """A composite solid's own config schema (`config`), and `config_fn`, which turns a value of
    it into the run config of the solids inside: `{inner: {config: ...}}`. `config_fn` takes
    `(config)`, or `(context, config)` as in the seed's first 0.7 releases."""

    config_fn: Callable[..., Mapping[str, Any]]
    config_field: Field

    def __init__(self, config_fn: Callable[..., Mapping[str, Any]], config: object = None):
        if not callable(config_fn):
            raise DagsterInvalidDefinitionError(
                f"config_fn of a ConfigMapping is {config_fn!r}: expected a function "
                "(config) -> {solid name: {config: ...}}"
            )
        object.__setattr__(self, "config_fn", config_fn)
        object.__setattr__(self, "config_field", resolve_field({} if config is None else config))

    def map_config(self, context: ConfigMappingContext, config: Any) -> Any:
        """The inner solids' run config that `config_fn` makes from the composite's config."""
        params = inspect.signature(self.config_fn).parameters.values()
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(positional) >= 2:
            return self.config_fn(context, config)
        return self.config_fn(config)


def _types_fit(outer: DagsterType, inner: DagsterType) -> bool:
    return outer.name == inner.name or "Any" in (outer.name, inner.name)


class CompositeSolidDefinition(ISolidDefinition):
    """A solid made of other solids (which may be composites too), wired by `dependencies` as in
    a pipeline. `input_mappings` (`InputDefinition(...).mapping_to(solid, input)`) make its
    inputs; `output_mappings` (`OutputDefinition(...).mapping_from(solid, output)`) its outputs.
    With a `config_mapping`, run config gives it `config:` and the mapping makes its solids'
    config; without one, run config gives its solids' config under `solids:`. It runs as the
    steps of its solids, keyed `<composite>.<solid>.compute`."""

    def __init__(
        self,
        name: str,
        solid_defs: Sequence[ISolidDefinition],
        input_mappings: Sequence[InputMapping] | None = None,
        output_mappings: Sequence[OutputMapping] | None = None,
        config_mapping: ConfigMapping | None = None,
        dependencies: Mapping[Any, Mapping[str, Any]] | None = None,
        description: str | None = None,
    ):
        owner = f"composite solid '{name}'"
        self.graph = SolidGraph(owner, solid_defs, dependencies)
        self.input_mappings = self._checked_input_mappings(owner, input_mappings or [])
        self.output_mappings = self._checked_output_mappings(owner, output_mappings or [])
        input_defs = list({m.definition.name: m.definition for m in self.input_mappings}.values())
        super().__init__(
            name, input_defs, [m.definition for m in self.output_mappings], description
        )
        if config_mapping is not None and not isinstance(config_mapping, ConfigMapping):
            raise DagsterInvalidDefinitionError(
                f"config_mapping of {owner} is {config_mapping!r}: expected a ConfigMapping"
            )
        self.config_mapping = config_mapping
        self.config_field = None if config_mapping is None else config_mapping.config_field
        self.required_resource_keys = frozenset().union(
            *(d.required_resource_keys for d in self.graph.solids.values())
        )
        self._mapped = {(m.solid_name, m.input_name) for m in self.input_mappings}
        self.graph.check_unconnected_inputs(self._mapped)

    @property
    def solids(self) -> dict[str, ISolidDefinition]:
        return self.graph.solids

    @property
    def solid_order(self) -> tuple[str, ...]:
        return self.graph.order

    @property
    def wiring(self) -> dict[str, dict[str, InputWiring]]:
        return self.graph.wiring

    def unconnected_inputs(self, solid_name: str) -> list[InputDefinition]:
        """Inputs of its solid that neither another solid nor a composite input feeds."""
        return self.graph.unconnected_inputs(solid_name, self._mapped)

    def input_mapping_to(self, solid_name: str, input_name: str) -> InputMapping | None:
        """The mapping of a composite input onto that input of its solid, if there is one."""
        return next(
            (
                m
                for m in self.input_mappings
                if m.solid_name == solid_name and m.input_name == input_name
            ),
            None,
        )

    def output_mapping(self, output_name: str) -> OutputMapping:
        """The mapping that makes output `output_name` of this composite."""
        return next(m for m in self.output_mappings if m.definition.name == output_name)

    def _checked_input_mappings(
        self, owner: str, mappings: Sequence[InputMapping]
    ) -> list[InputMapping]:
        definitions: dict[str, InputDefinition] = {}
        for m in mappings:
            if not isinstance(m, InputMapping):
                raise DagsterInvalidDefinitionError(
                    f"input_mappings of {owner} holds {m!r}: expected an InputMapping, made by "
                    "InputDefinition(name, type).mapping_to(solid_name, input_name)"
                )
            if definitions.setdefault(m.definition.name, m.definition) != m.definition:
                raise DagsterInvalidDefinitionError(
                    f"{sentence_case(owner)} maps two different definitions of input "
                    f"'{m.definition.name}'"
                )
            target = self.graph.solids.get(m.solid_name)
            if target is None:
                raise DagsterInvalidDefinitionError(
                    f"Input '{m.definition.name}' of {owner} maps to solid '{m.solid_name}', "
                    f"which it does not contain (solids: {', '.join(self.graph.solids)})"
                )
            target_input = target.input_dict.get(m.input_name)
            if target_input is None:
                raise DagsterInvalidDefinitionError(
                    f"Input '{m.definition.name}' of {owner} maps to input '{m.input_name}' of "
                    f"solid '{m.solid_name}', which has inputs: "
                    f"{', '.join(target.input_dict) or 'none'}"
                )
            if m.input_name in self.graph.wiring[m.solid_name]:
                raise DagsterInvalidDefinitionError(
                    f"Input '{m.input_name}' of solid '{m.solid_name}' in {owner} is fed both "
                    f"by input '{m.definition.name}' of the composite and by another solid"
                )
            outer, inner = m.definition.dagster_type, target_input.dagster_type
            if not _types_fit(outer, inner):
                raise DagsterInvalidDefinitionError(
                    f"Input '{m.definition.name}' of {owner} has type {outer.name} but maps to "
                    f"input '{m.input_name}' of solid '{m.solid_name}', of type {inner.name}: "
                    "give them the same type"
                )
        return list(mappings)

    def _checked_output_mappings(
        self, owner: str, mappings: Sequence[OutputMapping]
    ) -> list[OutputMapping]:
        names: set[str] = set()
        for m in mappings:
            if not isinstance(m, OutputMapping):
                raise DagsterInvalidDefinitionError(
                    f"output_mappings of {owner} holds {m!r}: expected an OutputMapping, made "
                    "by OutputDefinition(type, name).mapping_from(solid_name, output_name)"
                )
            if m.definition.name in names:
                raise DagsterInvalidDefinitionError(
                    f"{sentence_case(owner)} maps output '{m.definition.name}' twice"
                )
            names.add(m.definition.name)
            source = self.graph.solids.get(m.solid_name)
            if source is None:
                raise DagsterInvalidDefinitionError(
                    f"Output '{m.definition.name}' of {owner} maps from solid '{m.solid_name}', "
                    f"which it does not contain (solids: {', '.join(self.graph.solids)})"
                )
            source_output = source.output_dict.get(m.output_name)
            if source_output is None:
                raise DagsterInvalidDefinitionError(
                    f"Output '{m.definition.name}' of {owner} maps from output "
                    f"'{m.output_name}' of solid '{m.solid_name}', which has outputs: "
                    f"{', '.join(source.output_dict) or 'none'}"
                )
            outer, inner = m.definition.dagster_type, source_output.dagster_type
            if not _types_fit(outer, inner):
                raise DagsterInvalidDefinitionError(
                    f"Output '{m.definition.name}' of {owner} has type {outer.name} but maps "
                    f"from output '{m.output_name}' of solid '{m.solid_name}', of type "
                    f"{inner.name}: give them the same type"
                )
        return list(mappings)


def _config_mapping(
    name: str, config: object, config_fn: Callable[..., Any] | None
) -> ConfigMapping | None:
    """The seed's rule: `config` and `config_fn` come together, or not at all."""
    if config is None and config_fn is None:
        return None
    if config_fn is None:
        raise DagsterInvalidDefinitionError(
            f"Composite solid '{name}' has a config schema but no config_fn to map its config "
            "onto its solids' config: pass config_fn=lambda cfg: {solid name: {'config': ...}}"
        )
    if config is None:
        raise DagsterInvalidDefinitionError(
            f"Composite solid '{name}' has a config_fn but no config schema: pass config=..., "
            "or config={} for a composite that takes no config"
        )
    return ConfigMapping(config_fn, config)


def composite_solid(
    name: Callable[..., Any] | str | None = None,
    description: str | None = None,
    input_defs: Sequence[InputDefinition] | None = None,
    output_defs: Sequence[OutputDefinition] | None = None,
    config: object = None,
    config_fn: Callable[..., Any] | None = None,
) -> Any:
    """Make a CompositeSolidDefinition from a function whose body calls solids, as in @pipeline.
    Its parameters are the composite's inputs (pass them to solids to map them); it returns the
    solid output that is the composite's `result`, or a dict from output name to solid output.
    `config` and `config_fn` together give the composite its own config."""
    if callable(name):
        return composite_solid()(name)

    def decorator(fn: Callable[..., Any]) -> CompositeSolidDefinition:
        solid_name = name or fn.__name__
        owner = f"composite solid '{solid_name}'"
        inputs = _input_defs_for(fn, input_defs, skip=0)
        outputs = list(output_defs) if output_defs is not None else [OutputDefinition()]
        with composing(owner) as composition:
            returned = fn(**{d.name: ComposedInput(d) for d in inputs})
            mappings = output_mappings_for(returned, outputs, owner)
        mapped_inputs = {m.definition.name for m in composition.input_mappings}
        for d in inputs:
            if d.name not in mapped_inputs:
                raise DagsterInvalidDefinitionError(
                    f"Input '{d.name}' of {owner} is not passed to any solid: pass it to one, "
                    "or remove it"
                )
        if output_defs is not None:
            unmapped = [d.name for d in outputs if d.name not in mappings]
            if unmapped:
                raise DagsterInvalidDefinitionError(
                    f"Output(s) {', '.join(unmapped)} of {owner} are not returned: return a "
                    "dict from each output name to a solid's output"
                )
        return CompositeSolidDefinition(
            name=solid_name,
            solid_defs=list(composition.solid_defs.values()),
            # in the function's order, which is the order of its inputs' positions
            input_mappings=sorted(
                composition.input_mappings,
                key=lambda m: [d.name for d in inputs].index(m.definition.name),
            ),
            output_mappings=[mappings[d.name] for d in outputs if d.name in mappings],
            config_mapping=_config_mapping(solid_name, config, config_fn),
            dependencies=composition.dependencies,
            description=description or inspect.getdoc(fn),
        )

    return decorator
