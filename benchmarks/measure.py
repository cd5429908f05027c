"""Timing and memory measurement: repetitions after a warm-up, the driver's peak memory, the
record each figure becomes, and the progress bar."""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

MB = 2**20
_PROC_STAT = "/proc/stat"
_CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    """The most memory Python (and NumPy, which reports to it) held at once during one call of
    `fn`, above what it held before, in MB, as tracemalloc counts it."""
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / MB


def cpu_ticks() -> dict[str, int] | None:
    """The machine's CPU time so far by kind (Linux `/proc/stat`, all CPUs, in clock ticks);
    None where there is no such file."""
    try:
        with open(_PROC_STAT) as f:
            values = f.readline().split()[1 : 1 + len(_CPU_FIELDS)]
    except OSError:
        return None
    return dict(zip(_CPU_FIELDS, map(int, values), strict=False))


def cpu_shares(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    """Each kind's share of the CPU time that passed between two `cpu_ticks`."""
    spent = {kind: after[kind] - before.get(kind, 0) for kind in after}
    total = sum(spent.values()) or 1
    return {kind: ticks / total for kind, ticks in spent.items()}


@dataclass(frozen=True)
class Sample:
    """Seconds of each timed repetition, and the peak memory of one more call (None when not
    measured)."""

    seconds: list[float]
    peak_mb: float | None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def repeat(
    fn: Callable[[], Any],
    reps: int,
    warmup: int,
    tick: Callable[[], None] = lambda: None,
    memory: bool = True,
) -> Sample:
    """Call `fn` `warmup` times untimed, then `reps` times timed (each after a garbage collection),
    then (with `memory`) once more under tracemalloc, which slows it down, for its peak memory;
    `tick` after every call."""
    (seconds,) = _timed((fn,), reps, warmup, tick)
    peak_mb = None
    if memory:
        peak_mb = traced_peak_mb(fn)
        tick()
    return Sample(seconds, peak_mb)


def repeat_beside(
    fn: Callable[[], Any],
    baseline: Callable[[], Any],
    reps: int,
    warmup: int,
    tick: Callable[[], None] = lambda: None,
) -> tuple[Sample, Sample]:
    """`repeat` of `fn` (its memory measured) and of its `baseline`, taking turns: each timed call
    of `fn` follows one of the baseline, so both see the machine in the same state (a shared VM's
    speed drifts by 1.5-2x within minutes, which a baseline measured apart would turn into the
    ratio's error)."""
    seconds, baseline_seconds = _timed((fn, baseline), reps, warmup, tick)
    peak_mb = traced_peak_mb(fn)
    tick()
    return Sample(seconds, peak_mb), Sample(baseline_seconds, None)


def _timed(
    fns: tuple[Callable[[], Any], ...], reps: int, warmup: int, tick: Callable[[], None]
) -> list[list[float]]:
    """Seconds of `reps` timed calls of each of `fns`, in turns, after `warmup` untimed turns."""
    for _ in range(warmup):
        for fn in fns:
            fn()
            tick()
    seconds: list[list[float]] = [[] for _ in fns]
    for _ in range(reps):
        for fn, times in zip(fns, seconds, strict=True):
            gc.collect()  # so garbage left by earlier calls is not collected on this one's time
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
            tick()
    return seconds


@dataclass(frozen=True)
class Record:
    """One figure of the report: a workload on one executor, storage and instance.

    `n` is the workload's size (steps, or bytes per array for `data`); `phase` says what was timed
    when it is not the whole run (`plan` for plan building, `write`/`read` for the event log,
    `start` for the cluster)."""

    workload: str
    executor: str | None
    storage: str | None
    instance: str | None
    n: int
    median_s: float
    min_s: float
    max_s: float
    per_step_ms: float | None
    baseline: str | None
    baseline_median_s: float | None
    ratio: float | None
    peak_mb: float | None
    reps: int
    phase: str = "run"


def record(
    sample: Sample,
    *,
    workload: str,
    executor: str | None,
    storage: str | None,
    instance: str | None,
    n: int,
    steps: int | None,
    baseline: tuple[str, Sample] | None = None,
    phase: str = "run",
) -> Record:
    """The Record of `sample`: its median and spread, per-step cost and ratio to the baseline.
    `steps` is what per_step_ms divides by (steps, events), None when it does not apply."""
    baseline_name, baseline_median = (baseline[0], baseline[1].median) if baseline else (None, None)
    return Record(
        workload=workload,
        executor=executor,
        storage=storage,
        instance=instance,
        n=n,
        median_s=sample.median,
        min_s=min(sample.seconds),
        max_s=max(sample.seconds),
        per_step_ms=sample.median / steps * 1000 if steps else None,
        baseline=baseline_name,
        baseline_median_s=baseline_median,
        ratio=sample.median / baseline_median if baseline_median else None,
        peak_mb=sample.peak_mb,
        reps=len(sample.seconds),
        phase=phase,
    )


class Progress:
    """A one-line progress bar on stderr; one line per label when stderr is not a terminal."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30):
        self.total = max(total, 1)
        self.done = 0
        self.label = ""
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self.interactive = stream.isatty()

    def describe(self, label: str) -> None:
        """Name what runs next."""
        if not self.interactive and label != self.label:
            self.stream.write(f"[{self.done}/{self.total}] {label}\n")
            self.stream.flush()
        self.label = label
        self._draw()

    def advance(self, units: int = 1) -> None:
        self.done = min(self.done + units, self.total)
        self._draw()

    def _draw(self) -> None:
        if not self.interactive:
            return
        filled = self.width * self.done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        line = f"[{bar}] {self.done}/{self.total} {elapsed:4.0f}s {self.label}"
        self.stream.write("\r" + line[:120].ljust(120))
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
        self.stream.write(f"done in {time.monotonic() - self.started:.0f}s\n")
        self.stream.flush()
