"""The execution plan: one step per solid, as plain data that pickles and is the same for every
executor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.serdes import whitelist_for_serdes

if TYPE_CHECKING:
    from dagster_core.definitions.pipeline import PipelineDefinition
    from dagster_core.execution.run_config import EnvironmentConfig


def step_key_for(solid_name: str) -> str:
    return f"{solid_name}.compute"


@whitelist_for_serdes
@dataclass(frozen=True)
class StepOutputHandle:
    """Output `output_name` of step `step_key`."""

    step_key: str
    output_name: str = "result"


@dataclass(frozen=True)
class StepInput:
    """Where one input's value comes from: upstream outputs, run config, or nowhere (None)."""

    name: str
    sources: tuple[StepOutputHandle, ...] = ()
    fan_in: bool = False
    from_config: bool = False
    config_value: Any = None


@dataclass(frozen=True)
class ExecutionStep:
    """Run solid `solid_name`: load its inputs, compute, store its outputs."""

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


def build_execution_plan(
    pipeline: PipelineDefinition,
    environment: EnvironmentConfig,
    step_keys_to_execute: Sequence[str] | None = None,
    external_outputs: Mapping[StepOutputHandle, str] | None = None,
) -> ExecutionPlan:
    """Compile a pipeline and its validated run config into an ExecutionPlan."""
    steps = []
    for solid_name in pipeline.solid_order:
        solid_def = pipeline.solids[solid_name]
        input_config = environment.solids.get(solid_name, {}).get("inputs", {})
        inputs = []
        for input_def in solid_def.input_defs:
            wiring = pipeline.wiring[solid_name].get(input_def.name)
            if wiring is not None:
                sources = tuple(
                    StepOutputHandle(step_key_for(h.solid_name), h.output_name)
                    for h in wiring.sources
                )
                inputs.append(StepInput(input_def.name, sources, wiring.fan_in))
            elif input_def.name in input_config:
                inputs.append(
                    StepInput(
                        input_def.name, from_config=True, config_value=input_config[input_def.name]
                    )
                )
            else:
                inputs.append(StepInput(input_def.name))
        steps.append(
            ExecutionStep(
                key=step_key_for(solid_name),
                solid_name=solid_name,
                inputs=tuple(inputs),
                outputs=tuple(d.name for d in solid_def.output_defs),
                tags=dict(solid_def.tags),
            )
        )
    all_keys = [s.key for s in steps]
    if step_keys_to_execute is None:
        keys = tuple(all_keys)
    else:
        known, wanted = set(all_keys), set(step_keys_to_execute)
        unknown = [k for k in step_keys_to_execute if k not in known]
        if unknown:
            raise DagsterInvariantViolationError(
                f"Unknown step key(s) {', '.join(unknown)} for pipeline '{pipeline.name}'; "
                f"its steps are: {', '.join(all_keys)}"
            )
        keys = tuple(k for k in all_keys if k in wanted)
    return ExecutionPlan(pipeline.name, tuple(steps), keys, dict(external_outputs or {}))
