"""What execute_pipeline and execute_solid return: the run's events and access to its outputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from dagster_core.definitions.events import ExpectationResult, Materialization
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.solid import Solid
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.execution.plan import step_key_for
from dagster_core.storage import IntermediateStore


class SolidExecutionResult:
    """The events of one solid's step, and its stored output values. A solid that did not run
    (left out of a re-execution, or after the run stopped) has no events: it is not `success`
    and counts as `skipped`, as in the seed."""

    def __init__(
        self,
        solid: Solid,
        step_events: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        run_id: str,
    ):
        self.solid = solid
        self.step_key = step_key_for(solid.name)
        self.step_events = list(step_events)
        self._intermediates = intermediates
        self._run_id = run_id

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
        return self._intermediates.get_output(self._run_id, self.step_key, output_name)

    @property
    def output_values(self) -> dict[str, Any] | None:
        """Each yielded output's value by name; None when the step did not succeed."""
        if not self.success:
            return None
        return {name: self.output_value(name) for name in self.output_names}


class PipelineExecutionResult:
    """A finished run: `success`, `run_id`, its events, and each solid's result."""

    def __init__(
        self,
        pipeline: PipelineDefinition,
        run_id: str,
        event_list: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        environment_dict: Mapping[str, Any] | None = None,
    ):
        self.pipeline = pipeline
        self.run_id = run_id
        self.event_list = list(event_list)
        self.environment_dict = dict(environment_dict or {})
        self._intermediates = intermediates

    @property
    def pipeline_name(self) -> str:
        return self.pipeline.name

    @property
    def success(self) -> bool:
        return any(e.event_type is DagsterEventType.PIPELINE_SUCCESS for e in self.event_list)

    @property
    def step_event_list(self) -> list[DagsterEvent]:
        return [e for e in self.event_list if e.step_key is not None]

    @property
    def events_by_step_key(self) -> dict[str, list[DagsterEvent]]:
        """Each step's events, in order, by step key."""
        events: dict[str, list[DagsterEvent]] = defaultdict(list)
        for event in self.event_list:
            if event.step_key is not None:
                events[event.step_key].append(event)
        return dict(events)

    def result_for_solid(self, solid_name: str) -> SolidExecutionResult:
        """The result of solid `solid_name` (a result without events if it did not run)."""
        solid_def = self.pipeline.solids.get(solid_name)
        if solid_def is None:
            raise DagsterInvariantViolationError(
                f"Pipeline '{self.pipeline_name}' has no solid '{solid_name}' "
                f"(solids: {', '.join(self.pipeline.solid_order)})"
            )
        key = step_key_for(solid_name)
        events = [e for e in self.event_list if e.step_key == key]
        return SolidExecutionResult(
            Solid(solid_name, solid_def), events, self._intermediates, self.run_id
        )

    @property
    def solid_result_list(self) -> list[SolidExecutionResult]:
        names = dict.fromkeys(e.solid_name for e in self.step_event_list if e.solid_name)
        return [self.result_for_solid(n) for n in names]
