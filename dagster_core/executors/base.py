"""What an executor is: a launcher of steps. The run loop (dagster_core.execution.run_loop) owns
the rest of a run: its start and final status, events, progress, termination."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from dagster_core.events import DagsterEvent, ErrorInfo
from dagster_core.execution.context import RunContext
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.recorder import EventRecorder
from dagster_core.execution.step_runner import StepResult
from dagster_core.instance import DagsterInstance, InstanceRef


@dataclass(frozen=True, slots=True)
class StepCompletion:
    """A step's end as its executor reports it: its result; or why its process or task failed
    outside the step function (the run loop then records the failure); or neither, when the
    step's end event is in the event log already (`fetch_result` gets the result otherwise)."""

    step_key: str
    result: StepResult | None = None
    failure: str | None = None
    error: ErrorInfo | None = None
    fetch_result: Callable[[], StepResult] | None = None


@dataclass(frozen=True)
class LaunchContext:
    """What the run loop gives an executor for one run."""

    ctx: RunContext
    instance: DagsterInstance
    instance_ref: InstanceRef | None  # set when steps run in other processes
    recorder: EventRecorder  # the driver's, for steps that run in the driver
    report: Callable[[StepCompletion], None]  # callable from any thread


class Executor(ABC):
    """Launches a run's steps somewhere and reports each step's completion."""

    #: Steps run in the driver: their events come from `launch`, not from watching the log.
    runs_in_driver: ClassVar[bool] = False
    #: Takes every step at the start and orders them itself; else each step once it is ready.
    takes_whole_plan: ClassVar[bool] = False

    def start(self, launch: LaunchContext) -> Iterator[DagsterEvent]:
        """Get ready for the run (children, a cluster); may yield engine events to record."""
        self.launch_context = launch
        return iter(())

    @abstractmethod
    def launch(
        self, steps: Sequence[ExecutionStep], results: Mapping[str, StepResult]
    ) -> Iterator[DagsterEvent]:
        """Hand over steps whose upstream steps have `results`. In-driver executors run them and
        yield their events (a step's end event completes it); others report each step's
        completion to `launch_context.report`."""

    def flush(self) -> None:
        """Store the events of every step reported complete that its process still holds in a
        batch; the run loop calls it once every step has completed. By default, none: the
        step's process stored its end before reporting it."""
        return None

    @abstractmethod
    def cancel(self) -> None:
        """Stop the run's steps now: the run was terminated or interrupted."""

    @abstractmethod
    def close(self) -> None:
        """Release everything the run held; called after its final status is recorded."""
