"""Running a pipeline from the CLI: a live progress line, the outcome, the exit status."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Generator, Iterable

import click

from dagster_core.events import (
    PIPELINE_END_EVENTS,
    STEP_END_EVENTS,
    DagsterEvent,
    DagsterEventType,
)


def format_time(timestamp: float | None) -> str:
    """A timestamp as local `YYYY-mm-dd HH:MM:SS`, or `-`."""
    if timestamp is None:
        return "-"
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float | None) -> str:
    """Seconds as `850ms` or `2.31s`, or `-`."""
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.2f}s"


class _Progress:
    """Steps done of total, on one line that rewrites itself on a terminal."""

    def __init__(self, stream=sys.stderr):  # type: ignore[no-untyped-def]
        self.stream = stream
        self.total = 0
        self.done: dict[str, str] = {}
        self.tty = stream.isatty()

    def update(self, event: DagsterEvent) -> None:
        if event.event_type is DagsterEventType.PIPELINE_START:
            self.total = len(event.data.get("step_keys", ()))
        elif event.event_type in STEP_END_EVENTS and event.step_key:
            self.done[event.step_key] = event.event_type.value.removeprefix("STEP_").lower()
            line = f"[{len(self.done)}/{self.total} steps] {event.step_key} {self.done[event.step_key]}"
            if self.tty:
                self.stream.write("\r\033[K" + line)
                if len(self.done) == self.total:
                    self.stream.write("\n")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for status in self.done.values():
            counts[status] = counts.get(status, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return f"{len(self.done)}/{self.total} steps ({parts or 'none ran'})"


def run_with_progress(events: Iterable[DagsterEvent]) -> None:
    """Consume a run's events showing steps done of total; exit 1 unless the run succeeded, 130
    when Ctrl-C or SIGTERM canceled it (the run loop turns both into a cancellation)."""
    progress = _Progress()
    end: DagsterEvent | None = None
    run_id = ""
    try:
        for event in events:
            run_id = event.run_id
            progress.update(event)
            if event.event_type in PIPELINE_END_EVENTS:
                end = event
    except KeyboardInterrupt:
        if isinstance(events, Generator):
            events.close()  # records the cancellation, if the run loop had not yet
        click.echo(f"Run {run_id} CANCELED: {progress.summary()}", err=True)
        sys.exit(130)
    except Exception as exc:  # the run is already marked FAILURE; say why and exit 1
        click.echo(f"Run {run_id} FAILURE: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    ok = end is not None and end.event_type is DagsterEventType.PIPELINE_SUCCESS
    status = end.event_type.value.removeprefix("PIPELINE_") if end else "UNKNOWN"
    click.echo(f"Run {run_id} {status}: {progress.summary()}")
    if not ok:
        sys.exit(1)
