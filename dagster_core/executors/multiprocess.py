"""The multiprocess executor: each step in a child process, as soon as its inputs are ready.

Children are started once per run (at most `max_concurrent`), load the run's definitions and
resources once, and then run step after step sent to them over a pipe, sending each event back.
A child that dies fails only the step it was running and is replaced for the steps after it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import cloudpickle

from dagster_core.config import ConfigInt, Field
from dagster_core.definitions.executor import executor
from dagster_core.errors import DagsterError
from dagster_core.events import STEP_END_EVENTS, DagsterEvent, ErrorInfo, engine_step_failure
from dagster_core.execution.context import RunContext
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.resources import build_resources
from dagster_core.execution.step_runner import StepResult, run_step
from dagster_core.execution.termination import TerminationCheck
from dagster_core.instance import DagsterInstance
from dagster_core.serdes import deserialize_value, serialize_value
from dagster_core.user_code import pickle_with_user_code

_SPAWN = multiprocessing.get_context("spawn")
_STOP_TIMEOUT = 10.0


class DagsterChildProcessError(DagsterError):
    """A child process could not set up the run (load its definitions or build its resources)."""


@dataclass(frozen=True)
class _SetupFailed:
    error: ErrorInfo


def _send_event(conn: Connection, event: DagsterEvent) -> None:
    try:
        conn.send(event)
    except Exception:  # user metadata that does not pickle travels as its repr
        conn.send(deserialize_value(serialize_value(event)))


def _child_main(conn: Connection, payload: bytes) -> None:
    """Load the run once, then run the steps the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    try:
        ctx: RunContext = cloudpickle.loads(payload)
        resources_cm = build_resources(ctx)
        resources = resources_cm.__enter__()
    except BaseException as exc:
        conn.send(_SetupFailed(ErrorInfo.from_exception(exc)))
        return
    try:
        while (message := conn.recv()) is not None:
            step_key, upstream = message
            for event in run_step(ctx, resources, ctx.plan.get_step(step_key), upstream):
                _send_event(conn, event)
    finally:
        resources_cm.__exit__(None, None, None)


class _Child:
    """One child process and the step it is running."""

    def __init__(self, payload: bytes):
        self.conn, child_conn = _SPAWN.Pipe()
        self.process = _SPAWN.Process(
            target=_child_main, args=(child_conn, payload), daemon=True, name="dagster-step"
        )
        self.process.start()
        child_conn.close()
        self.step: ExecutionStep | None = None
        self.attempt = 1

    def run(self, step: ExecutionStep, upstream: dict[str, StepResult]) -> None:
        self.step, self.attempt = step, 1
        self.conn.send((step.key, upstream))

    def death_message(self) -> str:
        self.process.join(_STOP_TIMEOUT)
        code = self.process.exitcode
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name} (exit code {code})"
        else:
            how = f"exited with code {code}"
        return f"the child process running it (pid {self.process.pid}) {how}"

    def stop(self, graceful: bool) -> None:
        if graceful and self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(_STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class MultiprocessExecutor:
    """Runs steps in up to `max_concurrent` child processes kept for the whole run."""

    def __init__(self, max_concurrent: int):
        self.max_concurrent = max_concurrent

    def execute(self, ctx: RunContext, instance: DagsterInstance) -> Iterator[DagsterEvent]:
        check_termination = TerminationCheck(instance, ctx.run_id)
        payload = pickle_with_user_code(ctx)
        steps = ctx.plan.steps_to_execute
        in_run = {s.key for s in steps}
        waiting = list(steps)
        results: dict[str, StepResult] = {}
        children: list[_Child] = []
        idle: list[_Child] = []
        busy: dict[Connection, _Child] = {}
        graceful = False
        try:
            while waiting or busy:
                for step in list(waiting):
                    if not all(k in results for k in step.upstream_keys & in_run):
                        continue
                    if idle:
                        child = idle.pop()
                    elif len(children) < self.max_concurrent:
                        child = _Child(payload)
                        children.append(child)
                    else:
                        break
                    child.run(step, {k: results[k] for k in step.upstream_keys if k in results})
                    busy[child.conn] = child
                    waiting.remove(step)
                check_termination()
                for conn in wait(list(busy), timeout=0.5):
                    child = busy[conn]
                    event = yield from self._receive(ctx, child)
                    if event is not None and event.event_type in STEP_END_EVENTS:
                        results[event.step_key or ""] = StepResult.from_end_event(event)
                        del busy[conn]
                        if child.process.is_alive():
                            idle.append(child)
                        else:
                            children.remove(child)
                            child.stop(graceful=False)
            graceful = True
        finally:
            for child in children:
                child.stop(graceful)

    def _receive(self, ctx: RunContext, child: _Child) -> Iterator[DagsterEvent]:
        """Pass on one message from a child; returns the step's end event, if it ended."""
        assert child.step is not None
        try:
            message = child.conn.recv()
        except (EOFError, OSError):
            message = None
        if isinstance(message, _SetupFailed):
            raise DagsterChildProcessError(
                f"A child process could not load the run: {message.error.message}"
            )
        if message is None:
            event = engine_step_failure(
                ctx.run_id,
                ctx.pipeline.name,
                child.step.key,
                child.step.solid_name,
                f"Step {child.step.key} failed: {child.death_message()}",
                attempt=child.attempt,
            )
            yield event
            return event
        assert isinstance(message, DagsterEvent)
        child.attempt = message.attempt
        yield message
        return message if message.event_type in STEP_END_EVENTS else None


def _default_concurrency() -> int:
    """The CPUs this process may use (not the host's count, which containers report)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@executor(
    name="multiprocess",
    config={"max_concurrent": Field(ConfigInt, is_optional=True)},
    requires_persistent_storage=True,
)
def multiprocess_executor(config: Any) -> MultiprocessExecutor:
    """Run each step in a child process (at most `max_concurrent` at once, default: CPU count)."""
    return MultiprocessExecutor(config.get("max_concurrent") or _default_concurrency())
