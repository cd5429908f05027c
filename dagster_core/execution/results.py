"""What execute_pipeline and execute_solid return: the run's events and access to its outputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dagster_core.definitions.composite import CompositeSolidDefinition
from dagster_core.definitions.events import ExpectationResult, Materialization
from dagster_core.definitions.graph import join_handle
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.solid import Solid
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.events import STEP_END_EVENTS, DagsterEvent, DagsterEventType
from dagster_core.execution.plan import step_key_for
from dagster_core.storage import IntermediateStore

if TYPE_CHECKING:
    from dagster_core.instance import DagsterInstance


class SolidExecutionResult:
    """The events of one solid's step, and its stored output values. `solid.name` is the solid's
    handle (`outer.inner` inside composite solid `outer`). A solid that did not run
    (left out of a re-execution, or after the run stopped) has no events: it is not `success`
    and counts as `skipped`, as in the seed."""

    def __init__(
        self,
        solid: Solid,
        step_events: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        run_id: str,
        instance: DagsterInstance | None = None,
    ):
        self.solid = solid
        self.step_key = step_key_for(solid.name)
        self.step_events = list(step_events)
        self._intermediates = intermediates
        self._run_id = run_id
        self._instance = instance  # see _SolidsResult

    @property
    def solid_name(self) -> str:
        return self.solid.name

    @property
    def compute_step_events(self) -> list[DagsterEvent]:
        """The events of the solid's compute step (its only step)."""
        return self.step_events

    def _of_type(self, event_type: DagsterEventType) -> list[DagsterEvent]:
        return [e for e in self.step_events if e.event_type is event_type]

    @property
    def success(self) -> bool:
        return bool(self._of_type(DagsterEventType.STEP_SUCCESS))

    @property
    def skipped(self) -> bool:
        return not self.step_events or bool(self._of_type(DagsterEventType.STEP_SKIPPED))

    @property
    def failure_data(self) -> DagsterEvent | None:
        """The STEP_FAILURE event (its `error` has the message and traceback), if the step failed."""
        failures = self._of_type(DagsterEventType.STEP_FAILURE)
        return failures[-1] if failures else None

    @property
    def input_events_during_compute(self) -> list[DagsterEvent]:
        return self._of_type(DagsterEventType.STEP_INPUT)

    @property
    def compute_input_event_dict(self) -> dict[str, DagsterEvent]:
        """The STEP_INPUT event of each input, by input name."""
        return {e.data["input_name"]: e for e in self.input_events_during_compute}

    @property
    def output_events_during_compute(self) -> list[DagsterEvent]:
        return self._of_type(DagsterEventType.STEP_OUTPUT)

    @property
    def compute_output_event_dict(self) -> dict[str, DagsterEvent]:
        """The STEP_OUTPUT event of each output yielded, by output name."""
        return {e.data["output_name"]: e for e in self.output_events_during_compute}

    def get_output_event_for_compute(self, output_name: str = "result") -> DagsterEvent:
        """The STEP_OUTPUT event of `output_name`; an error if the solid did not yield it."""
        events = self.compute_output_event_dict
        if output_name not in events:
            raise DagsterInvariantViolationError(
                f"Solid '{self.solid_name}' has no STEP_OUTPUT event for output '{output_name}' "
                f"(outputs yielded: {', '.join(events) or 'none'})"
            )
        return events[output_name]

    @property
    def materialization_events_during_compute(self) -> list[DagsterEvent]:
        return self._of_type(DagsterEventType.STEP_MATERIALIZATION)

    @property
    def materializations(self) -> list[Materialization]:
        return [e.data["materialization"] for e in self.materialization_events_during_compute]

    materializations_during_compute = materializations

    @property
    def expectation_events_during_compute(self) -> list[DagsterEvent]:
        return self._of_type(DagsterEventType.STEP_EXPECTATION_RESULT)

    @property
    def expectation_results(self) -> list[ExpectationResult]:
        return [e.data["expectation_result"] for e in self.expectation_events_during_compute]

    expectation_results_during_compute = expectation_results

    @property
    def output_names(self) -> list[str]:
        return list(self.compute_output_event_dict)

    def output_value(self, output_name: str = "result") -> Any:
        """The value the solid yielded for this output, read back from the run's storage; None
        when the step did not succeed (as in the seed)."""
        outputs = self.solid.definition.output_dict
        if output_name not in outputs:
            raise DagsterInvariantViolationError(
                f"Solid '{self.solid_name}' has no output '{output_name}' "
                f"(outputs: {', '.join(outputs) or 'none'})"
            )
        if not self.success:
            return None
        if output_name not in self.output_names:
            raise DagsterInvariantViolationError(
                f"Solid '{self.solid_name}' has no value for optional output '{output_name}': "
                f"the step did not yield it (outputs yielded: "
                f"{', '.join(self.output_names) or 'none'})"
            )
        strategy = outputs[output_name].dagster_type.serialization_strategy
        return self._intermediates.get_output(self._run_id, self.step_key, output_name, strategy)

    @property
    def output_values(self) -> dict[str, Any] | None:
        """Each yielded output's value by name; None when the step did not succeed."""
        if not self.success:
            return None
        return {name: self.output_value(name) for name in self.output_names}


class _SolidsResult:
    """The results of the solids of a pipeline, or of a composite solid at `handle` in one."""

    def __init__(
        self,
        container: PipelineDefinition | CompositeSolidDefinition,
        handle: str | None,
        pipeline: PipelineDefinition,
        event_list: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        run_id: str,
        instance: DagsterInstance | None = None,
    ):
        self._container = container
        self._handle = handle
        self.pipeline = pipeline
        self.pipeline_name = pipeline.name
        self.event_list = list(event_list)
        self._intermediates = intermediates
        self.run_id = run_id
        # held so that a temporary instance (and the outputs in its directory) lives as long
        # as the result, even when the caller keeps no reference to it
        self._instance = instance

    @property
    def step_event_list(self) -> list[DagsterEvent]:
        return [e for e in self.event_list if e.step_key is not None]

    @property
    def events_by_step_key(self) -> dict[str, list[DagsterEvent]]:
        """Each step's events, in order, by step key."""
        events: dict[str, list[DagsterEvent]] = defaultdict(list)
        for event in self.step_event_list:
            events[event.step_key].append(event)
        return dict(events)

    def _events_of(self, handle: str) -> list[DagsterEvent]:
        """The events of the step of the solid at `handle`, or of every step inside it."""
        key, prefix = step_key_for(handle), f"{handle}."
        return [
            e for e in self.step_event_list if e.step_key == key or e.step_key.startswith(prefix)
        ]

    def result_for_solid(self, name: str) -> SolidExecutionResult | CompositeSolidExecutionResult:
        """The result of the solid `name` at this level (a composite's for a composite solid)."""
        if name not in self._container.solids:
            raise DagsterInvariantViolationError(
                f"{self._describe()} has no solid '{name}' "
                f"(solids: {', '.join(self._container.solid_order)})"
            )
        return self.result_for_handle(name)

    def result_for_handle(
        self, handle: str
    ) -> SolidExecutionResult | CompositeSolidExecutionResult:
        """The result of the solid at `handle` below this level: `outer.inner` is solid `inner`
        of composite solid `outer`."""
        solid_def: Any = self._container
        for name in handle.split("."):
            if not isinstance(solid_def, PipelineDefinition | CompositeSolidDefinition) or (
                name not in solid_def.solids
            ):
                raise DagsterInvariantViolationError(
                    f"{self._describe()} has no solid at handle '{handle}' (its solids: "
                    f"{', '.join(self._container.solid_order)}; 'outer.inner' names solid "
                    "'inner' of composite solid 'outer')"
                )
            solid_def = solid_def.solids[name]
        full_handle = join_handle(self._handle, handle)
        events = self._events_of(full_handle)
        if isinstance(solid_def, CompositeSolidDefinition):
            return CompositeSolidExecutionResult(
                solid_def,
                full_handle,
                self.pipeline,
                events,
                self._intermediates,
                self.run_id,
                self._instance,
            )
        return SolidExecutionResult(
            Solid(full_handle, solid_def, self.pipeline.tags_by_handle[full_handle]),
            events,
            self._intermediates,
            self.run_id,
            self._instance,
        )

    @property
    def solid_result_list(self) -> list[SolidExecutionResult | CompositeSolidExecutionResult]:
        """The results of the solids at this level that ran, in order."""
        return [
            self.result_for_solid(name)
            for name in self._container.solid_order
            if self._events_of(join_handle(self._handle, name))
        ]

    def _describe(self) -> str:
        return f"Composite solid '{self._handle}'"


class CompositeSolidExecutionResult(_SolidsResult):
    """The result of a composite solid: the results of the solids inside it, and its outputs
    (those of the inner solids its output mappings name)."""

    def __init__(
        self,
        solid_def: CompositeSolidDefinition,
        handle: str,
        pipeline: PipelineDefinition,
        step_events: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        run_id: str,
        instance: DagsterInstance | None = None,
    ):
        super().__init__(solid_def, handle, pipeline, step_events, intermediates, run_id, instance)
        self.solid_def = solid_def
        self.solid_name = handle

    @property
    def success(self) -> bool:
        """True when its steps ran and none failed."""
        return bool(self.event_list) and not any(
            e.event_type is DagsterEventType.STEP_FAILURE for e in self.event_list
        )

    @property
    def skipped(self) -> bool:
        """True when every step inside it was skipped."""
        ends = [e for e in self.event_list if e.event_type in STEP_END_EVENTS]
        return bool(ends) and all(e.event_type is DagsterEventType.STEP_SKIPPED for e in ends)

    def output_value(self, output_name: str = "result") -> Any:
        """The value of the composite's output: that of the inner solid output it maps from."""
        if output_name not in self.solid_def.output_dict:
            raise DagsterInvariantViolationError(
                f"Composite solid '{self.solid_name}' has no output '{output_name}' (outputs: "
                f"{', '.join(self.solid_def.output_dict) or 'none: it maps no inner output'})"
            )
        mapping = self.solid_def.output_mapping(output_name)
        return self.result_for_handle(mapping.solid_name).output_value(mapping.output_name)

    @property
    def output_values(self) -> dict[str, Any]:
        """The composite's outputs whose inner solid output was yielded, by name."""
        values = {}
        for mapping in self.solid_def.output_mappings:
            if not self._events_of(join_handle(self._handle, mapping.solid_name)):
                continue
            inner = self.result_for_handle(mapping.solid_name).output_values
            if mapping.output_name in inner:
                values[mapping.definition.name] = inner[mapping.output_name]
        return values


class PipelineExecutionResult(_SolidsResult):
    """A finished run: `success`, `run_id`, its events, and each solid's result."""

    def __init__(
        self,
        pipeline: PipelineDefinition,
        run_id: str,
        event_list: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        environment_dict: Mapping[str, Any] | None = None,
        instance: DagsterInstance | None = None,
    ):
        super().__init__(pipeline, None, pipeline, event_list, intermediates, run_id, instance)
        self.environment_dict = dict(environment_dict or {})

    @property
    def success(self) -> bool:
        return any(e.event_type is DagsterEventType.PIPELINE_SUCCESS for e in self.event_list)

    def _describe(self) -> str:
        return f"Pipeline '{self.pipeline.name}'"
