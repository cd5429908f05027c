"""The in-process executor: every step in this process, upstream first."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from dagster_core.definitions.executor import executor
from dagster_core.definitions.retries import retries_config
from dagster_core.events import DagsterEvent
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.step_runner import StepResult
from dagster_core.execution.step_session import StepSession
from dagster_core.executors.base import Executor, LaunchContext


class InProcessExecutor(Executor):
    """Runs each step as soon as it is ready, in this process, one at a time."""

    runs_in_driver = True

    def __init__(self) -> None:
        self._session: StepSession | None = None

    def start(self, launch: LaunchContext) -> Iterator[DagsterEvent]:
        super().start(launch)
        self._session = StepSession(launch.ctx, launch.instance, recorder=launch.recorder)
        return iter(())

    def launch(
        self, steps: Sequence[ExecutionStep], results: Mapping[str, StepResult]
    ) -> Iterator[DagsterEvent]:
        assert self._session is not None
        # Each step's end event completes it in the run loop. Only this process runs the run's
        # steps, so there is no earlier attempt to look for.
        for step in steps:
            yield from self._session.events(step.key, results, check_prior=False)

    def cancel(self) -> None:
        self.close()

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()


@executor(name="in_process", config={"retries": retries_config()})
def in_process_executor(_config: object) -> InProcessExecutor:
    """Run every step in this process, one at a time: the default, and the easiest to debug."""
    return InProcessExecutor()
