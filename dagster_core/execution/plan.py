"""The execution plan: one step per solid that computes (the solids inside composite solids
included), as plain data that pickles and is the same for every executor."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from dagster_core.definitions.composite import CompositeSolidDefinition
from dagster_core.definitions.graph import join_handle
from dagster_core.definitions.solid import SolidDefinition
from dagster_core.errors import DagsterExecutionStepNotFoundError
from dagster_core.serdes import whitelist_for_serdes

if TYPE_CHECKING:
    from dagster_core.definitions.pipeline import PipelineDefinition
    from dagster_core.execution.run_config import EnvironmentConfig


def step_key_for(solid_handle: str) -> str:
    """`outer.inner.compute` for the solid at handle `outer.inner`."""
    return f"{solid_handle}.compute"


@whitelist_for_serdes
@dataclass(frozen=True, slots=True)
class StepOutputHandle:
    """Output `output_name` of step `step_key`."""

    step_key: str
    output_name: str = "result"


@dataclass(frozen=True, slots=True)
class StepInput:
    """Where one input's value comes from: upstream outputs, run config, or nowhere (None)."""

    name: str
    sources: tuple[StepOutputHandle, ...] = ()
    fan_in: bool = False
    from_config: bool = False
    config_value: Any = None


@dataclass(frozen=True, slots=True)
class ExecutionStep:
    """Run the solid at handle `solid_name` (`outer.inner` inside composite `outer`): load its
    inputs, compute, store its outputs."""

    key: str
    solid_name: str
    inputs: tuple[StepInput, ...]
    outputs: tuple[str, ...]
    tags: Mapping[str, Any] = field(default_factory=dict)

    @property
    def upstream_keys(self) -> frozenset[str]:
        return frozenset(s.step_key for i in self.inputs for s in i.sources)


@dataclass(frozen=True)
class ExecutionPlan:
    """Steps in topological order, the keys to run, and, for re-execution, the run that holds
    each output this run reads but does not compute."""

    pipeline_name: str
    steps: tuple[ExecutionStep, ...]
    step_keys_to_execute: tuple[str, ...]
    external_outputs: Mapping[StepOutputHandle, str] = field(default_factory=dict)

    @cached_property
    def _by_key(self) -> dict[str, ExecutionStep]:
        return {s.key: s for s in self.steps}

    def get_step(self, key: str) -> ExecutionStep:
        return self._by_key[key]

    @property
    def steps_to_execute(self) -> list[ExecutionStep]:
        """The steps this run executes, upstream first."""
        keys = set(self.step_keys_to_execute)
        return [s for s in self.steps if s.key in keys]

    def handles_needed_from_outside(self) -> list[StepOutputHandle]:
        """Outputs that executed steps read from steps this run does not execute."""
        keys = set(self.step_keys_to_execute)
        return sorted(
            {
                h
                for s in self.steps_to_execute
                for i in s.inputs
                for h in i.sources
                if h.step_key not in keys
            },
            key=lambda h: (h.step_key, h.output_name),
        )


def _leaf_output(pipeline: PipelineDefinition, handle: str, output_name: str) -> StepOutputHandle:
    """The step output that output `output_name` of the solid at `handle` is: for a composite,
    the output of the solid inside that its output mapping names, down to a computing solid."""
    solid_def = pipeline.solids_by_handle[handle]
    while isinstance(solid_def, CompositeSolidDefinition):
        mapping = solid_def.output_mapping(output_name)
        handle, output_name = join_handle(handle, mapping.solid_name), mapping.output_name
        solid_def = pipeline.solids_by_handle[handle]
    return StepOutputHandle(step_key_for(handle), output_name)


def _step_input(
    pipeline: PipelineDefinition, environment: EnvironmentConfig, handle: str, input_name: str
) -> StepInput:
    """Where input `input_name` of the solid at `handle` gets its value: upstream outputs, or,
    through composite input mappings, whatever feeds the enclosing composite's input; else run
    config at the outermost solid reached, if it has a value there."""
    parent, _, solid_name = handle.rpartition(".")
    container = pipeline.solids_by_handle[parent] if parent else pipeline
    wiring = container.wiring[solid_name].get(input_name)
    if wiring is not None:
        sources = tuple(
            _leaf_output(pipeline, join_handle(parent or None, h.solid_name), h.output_name)
            for h in wiring.sources
        )
        return StepInput(input_name, sources, wiring.fan_in)
    if isinstance(container, CompositeSolidDefinition):
        mapping = container.input_mapping_to(solid_name, input_name)
        if mapping is not None:
            outer = _step_input(pipeline, environment, parent, mapping.definition.name)
            return dataclasses.replace(outer, name=input_name)
    input_config = environment.solids.get(handle, {}).get("inputs", {})
    if input_name in input_config:
        return StepInput(input_name, from_config=True, config_value=input_config[input_name])
    return StepInput(input_name)


def build_execution_plan(
    pipeline: PipelineDefinition,
    environment: EnvironmentConfig,
    step_keys_to_execute: Sequence[str] | None = None,
    external_outputs: Mapping[StepOutputHandle, str] | None = None,
) -> ExecutionPlan:
    """Compile a pipeline and its validated run config into an ExecutionPlan."""
    steps = []
    for handle, solid_def in pipeline.solids_by_handle.items():
        if not isinstance(solid_def, SolidDefinition):
            continue
        steps.append(
            ExecutionStep(
                key=step_key_for(handle),
                solid_name=handle,
                inputs=tuple(
                    _step_input(pipeline, environment, handle, d.name) for d in solid_def.input_defs
                ),
                outputs=tuple(d.name for d in solid_def.output_defs),
                tags=dict(pipeline.tags_by_handle[handle]),
            )
        )
    all_keys = [s.key for s in steps]
    if step_keys_to_execute is None:
        keys = tuple(all_keys)
    else:
        known, wanted = set(all_keys), set(step_keys_to_execute)
        unknown = [k for k in step_keys_to_execute if k not in known]
        if unknown:
            raise DagsterExecutionStepNotFoundError(
                f"Unknown step key(s) {', '.join(unknown)} for pipeline '{pipeline.name}'; "
                f"its steps are: {', '.join(all_keys)}",
                unknown,
            )
        keys = tuple(k for k in all_keys if k in wanted)
    return ExecutionPlan(pipeline.name, tuple(steps), keys, dict(external_outputs or {}))
