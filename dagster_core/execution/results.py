"""What execute_pipeline and execute_solid return: the run's events and access to its outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dagster_core.definitions.events import ExpectationResult, Materialization
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.execution.plan import step_key_for
from dagster_core.storage import IntermediateStore

if TYPE_CHECKING:
    from dagster_core.instance import DagsterInstance


class SolidExecutionResult:
    """The events of one solid's step, and its stored output values."""

    def __init__(
        self,
        solid_name: str,
        step_events: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        run_id: str,
        instance: DagsterInstance | None = None,
    ):
        self.solid_name = solid_name
        self.step_key = step_key_for(solid_name)
        self.step_events = list(step_events)
        self._intermediates = intermediates
        self._run_id = run_id
        self._instance = instance  # see PipelineExecutionResult

    def _of_type(self, event_type: DagsterEventType) -> list[DagsterEvent]:
        return [e for e in self.step_events if e.event_type is event_type]

    @property
    def success(self) -> bool:
        return bool(self._of_type(DagsterEventType.STEP_SUCCESS))

    @property
    def skipped(self) -> bool:
        return bool(self._of_type(DagsterEventType.STEP_SKIPPED))

    @property
    def failure_data(self) -> DagsterEvent | None:
        """The STEP_FAILURE event (its `error` has the message and traceback), if the step failed."""
        failures = self._of_type(DagsterEventType.STEP_FAILURE)
        return failures[-1] if failures else None

    @property
    def materializations(self) -> list[Materialization]:
        return [
            e.data["materialization"] for e in self._of_type(DagsterEventType.STEP_MATERIALIZATION)
        ]

    @property
    def expectation_results(self) -> list[ExpectationResult]:
        return [
            e.data["expectation_result"]
            for e in self._of_type(DagsterEventType.STEP_EXPECTATION_RESULT)
        ]

    @property
    def output_names(self) -> list[str]:
        return [e.data["output_name"] for e in self._of_type(DagsterEventType.STEP_OUTPUT)]

    def output_value(self, output_name: str = "result") -> Any:
        """The value the solid yielded for this output, read back from the run's storage."""
        if output_name not in self.output_names:
            state = "was skipped" if self.skipped else "did not yield it"
            if not self.success and not self.skipped:
                state = "failed"
            raise DagsterInvariantViolationError(
                f"Solid '{self.solid_name}' has no value for output '{output_name}': the step "
                f"{state} (outputs yielded: {', '.join(self.output_names) or 'none'})"
            )
        return self._intermediates.get_output(self._run_id, self.step_key, output_name)

    @property
    def output_values(self) -> dict[str, Any]:
        return {name: self.output_value(name) for name in self.output_names}


class PipelineExecutionResult:
    """A finished run: `success`, `run_id`, its events, and each solid's result."""

    def __init__(
        self,
        pipeline_name: str,
        run_id: str,
        event_list: Sequence[DagsterEvent],
        intermediates: IntermediateStore,
        instance: DagsterInstance | None = None,
    ):
        self.pipeline_name = pipeline_name
        self.run_id = run_id
        self.event_list = list(event_list)
        self._intermediates = intermediates
        # held so that a temporary instance (and the outputs in its directory) lives as long
        # as the result, even when the caller keeps no reference to it
        self._instance = instance

    @property
    def success(self) -> bool:
        return any(e.event_type is DagsterEventType.PIPELINE_SUCCESS for e in self.event_list)

    @property
    def step_event_list(self) -> list[DagsterEvent]:
        return [e for e in self.event_list if e.step_key is not None]

    def result_for_solid(self, solid_name: str) -> SolidExecutionResult:
        key = step_key_for(solid_name)
        events = [e for e in self.event_list if e.step_key == key]
        if not events:
            raise DagsterInvariantViolationError(
                f"Solid '{solid_name}' did not run in run {self.run_id} of pipeline "
                f"'{self.pipeline_name}'"
            )
        return SolidExecutionResult(
            solid_name, events, self._intermediates, self.run_id, self._instance
        )

    @property
    def solid_result_list(self) -> list[SolidExecutionResult]:
        names = dict.fromkeys(e.solid_name for e in self.step_event_list if e.solid_name)
        return [self.result_for_solid(n) for n in names]
