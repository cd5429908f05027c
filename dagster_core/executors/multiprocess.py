"""The multiprocess executor: each step in a child process, as soon as its inputs are ready.

Children are started when there are steps for them (at most `max_concurrent`) and kept for the
run; they fork from a fork server that has the framework imported, so a child starts in
milliseconds. Each opens the run once from its payload (definitions, resources, its own connection to the
instance) and then runs step after step sent over a pipe, storing the steps' events itself and
sending back only each step's StepResult. A child that dies fails only the step it was running
and is replaced for the steps after it. To cancel, the children running steps are sent SIGTERM,
which interrupts their step and tears their resources down; a child whose parent dies gets the
same signal from itself (its pipe from the driver closes), so no child outlives its driver.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickletools
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from dagster_core.config import ConfigInt, Field
from dagster_core.definitions.executor import executor
from dagster_core.definitions.retries import retries_config
from dagster_core.errors import DagsterExecutionInterrupted
from dagster_core.events import DagsterEvent, ErrorInfo
from dagster_core.execution.plan import ExecutionStep
from dagster_core.execution.step_runner import StepResult
from dagster_core.execution.step_session import RunPayload
from dagster_core.executors.base import Executor, LaunchContext, StepCompletion
from dagster_core.user_code import user_code_modules

# What every child imports, loaded once into the fork server; with the modules a run's payload
# names (see _fork_context), children fork with everything imported and start in milliseconds.
_FRAMEWORK_MODULES = (
    "dagster_core.execution.step_session",
    "storage_backends.filesystem",
    "storage_backends.sqlite",
)
_STOP_TIMEOUT = 10.0
_fork_server_lock = threading.Lock()
_fork_server_preloaded = False


def _modules_named_in(payload: bytes) -> list[str]:
    """The imported modules whose names a pickle holds (those its loading imports, and perhaps a
    few more already imported), less the user's own code, which travels by value."""
    names = {arg for _, arg, _ in pickletools.genops(payload) if isinstance(arg, str)}
    user = {m.__name__ for m in user_code_modules()} | {"__main__", "__mp_main__"}
    return sorted(
        name
        for name in names
        if name in sys.modules and name.partition(".")[0] not in user and name not in user
    )


def _fork_context(payload: RunPayload) -> multiprocessing.context.BaseContext:
    """Children fork from a server process started once per driver, which has imported the
    framework and the modules the first run's payload names: safe with threads (unlike a plain
    fork) and far faster than spawning an interpreter per child. Spawn where there is no fork
    server."""
    global _fork_server_preloaded
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    with _fork_server_lock:
        if not _fork_server_preloaded:  # takes effect only before the server starts
            context.set_forkserver_preload(
                [*_FRAMEWORK_MODULES, *_modules_named_in(payload.context)]
            )
            _fork_server_preloaded = True
    return context


@dataclass(frozen=True)
class _SetupFailed:
    error: ErrorInfo


def _interrupt(signum: int, _frame: object) -> None:
    raise DagsterExecutionInterrupted(f"received {signal.Signals(signum).name}")


def _watch_driver(lifeline: Connection) -> None:
    """SIGTERM this process, interrupting its step, once the driver is gone: the driver never
    writes to `lifeline`, so reading it ends only when the driver's end closes."""

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="dagster-driver-watch").start()


def _child_main(
    conn: Connection, lifeline: Connection, payload: RunPayload, environ: dict[str, str]
) -> None:
    """Open the run once, then run the steps the parent sends until it sends None."""
    os.environ.clear()  # the driver's environment now, not the fork server's when it started
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    signal.signal(signal.SIGTERM, _interrupt)
    _watch_driver(lifeline)
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
            # the driver hands each step over once: there is no earlier attempt to look for
            conn.send(StepCompletion(step_key, session.run(step_key, upstream, check_prior=False)))
    except (DagsterExecutionInterrupted, EOFError, BrokenPipeError):
        pass  # canceled, or the parent is gone
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the teardown finish
        session.close()


class _Child:
    """One child process, the step it is running, and a thread passing on its messages."""

    def __init__(self, payload: RunPayload, on_message: Any):
        context = _fork_context(payload)
        self.conn, child_conn = context.Pipe()
        child_lifeline, self._lifeline = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_child_main,
            args=(child_conn, child_lifeline, payload, dict(os.environ)),
            daemon=True,
            name="dagster-step",
        )
        self.process.start()
        child_conn.close()
        child_lifeline.close()
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

    def run(self, step: ExecutionStep, upstream: dict[str, StepResult]) -> bool:
        """Send the child a step; False if it is gone (it died, or could not open the run)."""
        self.step = step
        try:
            self.conn.send((step.key, upstream))
        except OSError:
            return False
        return True

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
        self._lifeline.close()


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
        # every child the run will use opens the run now, side by side, while the first steps wait
        wanted = min(self.max_concurrent, len(launch.ctx.plan.steps_to_execute))
        with self._lock:
            while len(self._children) < wanted:
                child = _Child(self._payload, self._on_message)
                self._children.append(child)
                self._idle.append(child)
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
                if not child.run(*self._queue[0]):  # it died idle: its step goes to another
                    child.step = None
                    if child in self._children:
                        self._children.remove(child)
                    continue
            elif len(self._children) < self.max_concurrent:
                child = _Child(self._payload, self._on_message)
                self._children.append(child)
                child.run(*self._queue[0])  # should it have died already, its reader says why
            else:
                return
            self._queue.popleft()

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
            if child in self._idle:
                self._idle.remove(child)
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
    config={"max_concurrent": Field(ConfigInt, is_optional=True), "retries": retries_config()},
    requires_persistent_storage=True,
)
def multiprocess_executor(config: Any) -> MultiprocessExecutor:
    """Run each step in a child process (at most `max_concurrent` at once, default: CPU count)."""
    return MultiprocessExecutor(config.get("max_concurrent") or _default_concurrency())
