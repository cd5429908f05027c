"""The multiprocess executor: each step in a child process, as soon as its inputs are ready.

Children are started when there are steps for them (at most `max_concurrent`) and kept for the
run. Each opens the run once from its payload (definitions, resources, its own connection to the
instance) and then runs step after step sent over a pipe, storing the steps' events itself and
sending back only each step's StepResult. A child that dies fails only the step it was running
and is replaced for the steps after it. To cancel, the children running steps are sent SIGTERM,
which interrupts their step and tears their resources down; a child whose parent dies gets the
same signal from itself, so no child outlives its run's driver.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from dagster_core.config import ConfigInt, Field
from dagster_core.definitions.executor import executor
from dagster_core.errors import DagsterExecutionInterrupted
from dagster_core.events import DagsterEvent, ErrorInfo
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.step_runner import StepResult
from dagster_core.execution.step_session import RunPayload
from dagster_core.executors.base import Executor, LaunchContext, StepCompletion

_SPAWN = multiprocessing.get_context("spawn")
_STOP_TIMEOUT = 10.0
_PARENT_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class _SetupFailed:
    error: ErrorInfo


def _interrupt(signum: int, _frame: object) -> None:
    raise DagsterExecutionInterrupted(f"received {signal.Signals(signum).name}")


def _watch_parent() -> None:
    """SIGTERM this process, interrupting its step, once its parent has died."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="dagster-parent-watch").start()


def _child_main(conn: Connection, payload: RunPayload) -> None:
    """Open the run once, then run the steps the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    signal.signal(signal.SIGTERM, _interrupt)
    _watch_parent()
    try:
        session = payload.open()
    except DagsterExecutionInterrupted:
        return
    except BaseException as exc:
        conn.send(_SetupFailed(ErrorInfo.from_exception(exc)))
        return
    try:
        while (message := conn.recv()) is not None:
            step_key, upstream = message
            conn.send(StepCompletion(step_key, session.run(step_key, upstream)))
    except (DagsterExecutionInterrupted, EOFError, BrokenPipeError):
        pass  # canceled, or the parent is gone
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the teardown finish
        session.close()


class _Child:
    """One child process, the step it is running, and a thread passing on its messages."""

    def __init__(self, payload: RunPayload, on_message: Any):
        self.conn, child_conn = _SPAWN.Pipe()
        self.process = _SPAWN.Process(
            target=_child_main, args=(child_conn, payload), daemon=True, name="dagster-step"
        )
        self.process.start()
        child_conn.close()
        self.step: ExecutionStep | None = None
        self._reader = threading.Thread(
            target=self._read, args=(on_message,), daemon=True, name="dagster-child-reader"
        )
        self._reader.start()

    def _read(self, on_message: Any) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                on_message(self, None)
                return
            on_message(self, message)

    def run(self, step: ExecutionStep, upstream: dict[str, StepResult]) -> None:
        self.step = step
        self.conn.send((step.key, upstream))

    def death_message(self) -> str:
        self.process.join(_STOP_TIMEOUT)
        code = self.process.exitcode
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name} (exit code {code})"
        else:
            how = f"exited with code {code}"
        return f"the child process running it (pid {self.process.pid}) {how}"

    def stop(self) -> None:
        """Ask the child to finish (SIGTERM interrupts a running step); kill it if it hangs."""
        if self.process.is_alive():
            if self.step is None:
                with contextlib.suppress(OSError):
                    self.conn.send(None)
            else:
                self.process.terminate()
            self.process.join(_STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class MultiprocessExecutor(Executor):
    """Runs steps in up to `max_concurrent` child processes kept for the whole run."""

    def __init__(self, max_concurrent: int):
        self.max_concurrent = max_concurrent
        self._lock = threading.Lock()
        self._children: list[_Child] = []
        self._idle: list[_Child] = []
        self._queue: deque[tuple[ExecutionStep, dict[str, StepResult]]] = deque()
        self._setup_failed: ErrorInfo | None = None
        self._stopping = False

    def start(self, launch: LaunchContext) -> Iterator[DagsterEvent]:
        super().start(launch)
        assert launch.instance_ref is not None
        self._payload = RunPayload.of(launch.ctx, launch.instance_ref)
        return iter(())

    def launch(
        self, steps: Sequence[ExecutionStep], results: Mapping[str, StepResult]
    ) -> Iterator[DagsterEvent]:
        with self._lock:
            for step in steps:
                upstream = {k: results[k] for k in step.upstream_keys if k in results}
                self._queue.append((step, upstream))
            self._dispatch()
        return iter(())

    def _dispatch(self) -> None:
        """Hand queued steps to idle children, starting children up to max_concurrent; once a
        child could not open the run, the queued steps fail with its reason instead."""
        while self._queue and not self._stopping:
            if self._setup_failed is not None:
                step, _ = self._queue.popleft()
                self.launch_context.report(
                    StepCompletion(
                        step.key,
                        failure=f"a child process could not open the run: "
                        f"{self._setup_failed.message}",
                        error=self._setup_failed,
                    )
                )
                continue
            if self._idle:
                child = self._idle.pop()
            elif len(self._children) < self.max_concurrent:
                child = _Child(self._payload, self._on_message)
                self._children.append(child)
            else:
                return
            child.run(*self._queue.popleft())

    def _on_message(self, child: _Child, message: Any) -> None:
        """From a child's reader thread: a completion, a failed setup, or the child's end."""
        if isinstance(message, StepCompletion):
            self.launch_context.report(message)
            with self._lock:
                child.step = None
                self._idle.append(child)
                self._dispatch()
            return
        with self._lock:
            if isinstance(message, _SetupFailed):
                self._setup_failed = message.error
            if child in self._children:
                self._children.remove(child)
            stopping, step, child.step = self._stopping, child.step, None
        if stopping:
            return
        if step is not None:
            if self._setup_failed is not None:
                why = f"a child process could not open the run: {self._setup_failed.message}"
            else:
                why = child.death_message()
            self.launch_context.report(
                StepCompletion(step.key, failure=why, error=self._setup_failed)
            )
        child.stop()
        with self._lock:
            self._dispatch()

    def _stop_children(self) -> None:
        with self._lock:
            self._stopping = True
            children = list(self._children)
        for child in children:
            child.stop()

    def cancel(self) -> None:
        self._stop_children()

    def close(self) -> None:
        self._stop_children()


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
