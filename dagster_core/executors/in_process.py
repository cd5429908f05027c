"""The in-process executor: every step in this process, upstream first."""

from __future__ import annotations

from collections.abc import Iterator

from dagster_core.definitions.executor import executor
from dagster_core.events import STEP_END_EVENTS, DagsterEvent
from dagster_core.execution.context import RunContext
from dagster_core.execution.resources import build_resources
from dagster_core.execution.step_runner import StepResult, run_step
from dagster_core.execution.termination import TerminationCheck
from dagster_core.instance import DagsterInstance


class InProcessExecutor:
    """Runs the plan's steps one after another in topological order."""

    def execute(self, ctx: RunContext, instance: DagsterInstance) -> Iterator[DagsterEvent]:
        check_termination = TerminationCheck(instance, ctx.run_id)
        steps = ctx.plan.steps_to_execute
        results: dict[str, StepResult] = {}
        with build_resources(ctx) as resources:
            for step in steps:
                check_termination()
                for event in run_step(ctx, resources, step, results):
                    if event.event_type in STEP_END_EVENTS:
                        results[step.key] = StepResult.from_end_event(event)
                    yield event


@executor(name="in_process")
def in_process_executor(_config: object) -> InProcessExecutor:
    """Run every step in this process, one at a time: the default, and the easiest to debug."""
    return InProcessExecutor()
