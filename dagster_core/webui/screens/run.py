"""Screen 5, the run view: a run's status, config, tags, steps and their Gantt timeline, rendered
from `pipelineRunOrError`; the summary (status, actions, steps, Gantt) is also served alone, so
that the page's script can re-render it from the server as the run's events arrive. The event
log, the steps' stdout/stderr and the actions are the script's (static/run.js), over the API.

Step states come from the run's plan and its step stats: a step with an end is SUCCESS, FAILURE
or SKIPPED; one started but not ended is RUNNING while the run is active, else it was cut short
(CANCELED with its run, else INTERRUPTED); one not started is NOT_STARTED."""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.storage.runs import ACTIVE_STATUSES, PipelineRunStatus
from dagster_core.webui.formatting import duration, utc_clock, utc_time
from dagster_core.webui.pages import not_found, query, render

_RUN = """
query RunView($runId: String!) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRunNotFoundError { message }
    ... on PythonError { message }
    ... on PipelineRun {
      runId
      pipelineName
      pipeline { __typename }
      status
      statusMessage
      mode
      canCancel
      parentRunId
      solidSubset
      stepKeysToExecute
      environmentConfigYaml
      tags { key value }
      stats { startTime endTime }
      stepStats { stepKey status startTime endTime attempts }
      executionPlan { __typename ... on ExecutionPlan { steps { key } } }
      daskDashboardUrl
      logs(limit: 0) { pageInfo { totalCount } }
    }
  }
}
"""

# the statuses (as the API names them) of a run that has not ended
ACTIVE = frozenset(
    {PipelineRunStatus.NOT_STARTED.value, *(status.value for status in ACTIVE_STATUSES)}
)
_ROW_HEIGHT = 20
_LABEL_WIDTH = 150
_CHART_WIDTH = 420
_AXIS_HEIGHT = 22
_MIN_SPAN = 0.01  # seconds: the shortest time axis, so that a quick run's bars are visible
_TICK_STEPS = (
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.5,
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
)
_MAX_TICKS = 8


@dataclass(frozen=True)
class StepRow:
    """One step of the run as the table and the Gantt show it (times in seconds since the
    epoch)."""

    key: str
    status: str
    attempts: int
    start: float | None
    end: float | None

    def duration_at(self, now: float) -> float | None:
        """How long it took, or has taken until `now` while it runs."""
        if self.start is None:
            return None
        if self.end is None:
            return now - self.start if self.status == "RUNNING" else None
        return self.end - self.start


@dataclass(frozen=True)
class Bar:
    key: str
    status: str
    y: float
    x: float
    width: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Gantt:
    """The timeline's geometry, in SVG user units."""

    width: int
    height: int
    label_width: int
    row_height: int
    axis_height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def step_rows(run: dict) -> list[StepRow]:
    """Every step of the run (planned order; steps it did not run left out), with its state."""
    stats = {s["stepKey"]: s for s in run["stepStats"]}
    plan = run["executionPlan"]
    keys = [s["key"] for s in plan["steps"]] if plan["__typename"] == "ExecutionPlan" else []
    if run["stepKeysToExecute"] is not None:
        chosen = set(run["stepKeysToExecute"])
        keys = [k for k in keys if k in chosen]
    keys += [k for k in stats if k not in keys]
    rows = []
    for key in keys:
        stat = stats.get(key)
        if stat is None:
            rows.append(StepRow(key, "NOT_STARTED", 0, None, None))
            continue
        rows.append(
            StepRow(
                key,
                _step_status(stat, run["status"]),
                stat["attempts"],
                stat["startTime"],
                stat["endTime"],
            )
        )
    return rows


def _step_status(stat: dict, run_status: str) -> str:
    if stat["status"] is not None:
        return stat["status"]
    if stat["startTime"] is None:
        return "NOT_STARTED"
    if run_status in ACTIVE:
        return "RUNNING"
    return "CANCELED" if run_status == "CANCELED" else "INTERRUPTED"


def gantt(rows: list[StepRow], run_start: float | None, now: float) -> Gantt:
    """Bars for the steps that started, on a time axis from the run's start to its last end
    (`now` for the steps still running, so their bars grow)."""
    started = [r for r in rows if r.start is not None]
    origin = min([r.start for r in started] + ([run_start] if run_start else []), default=now)
    ends = [r.end if r.end is not None else now for r in started]
    span = max([e - origin for e in ends] + [_MIN_SPAN])
    scale = _CHART_WIDTH / span
    bars = tuple(
        Bar(
            key=r.key,
            status=r.status,
            y=_AXIS_HEIGHT + i * _ROW_HEIGHT + 3,
            x=_LABEL_WIDTH + (r.start - origin) * scale,
            width=max(2.0, ((r.end if r.end is not None else now) - r.start) * scale),
        )
        for i, r in enumerate(rows)
        if r.start is not None
    )
    step = next((s for s in _TICK_STEPS if span / s <= _MAX_TICKS), _TICK_STEPS[-1])
    ticks = tuple(
        Tick(x=_LABEL_WIDTH + i * step * scale, label=_seconds(i * step))
        for i in range(int(span / step) + 1)
    )
    return Gantt(
        width=_LABEL_WIDTH + _CHART_WIDTH + 24,
        height=_AXIS_HEIGHT + max(len(rows), 1) * _ROW_HEIGHT,
        label_width=_LABEL_WIDTH,
        row_height=_ROW_HEIGHT,
        axis_height=_AXIS_HEIGHT,
        bars=bars,
        ticks=ticks,
    )


def _seconds(value: float) -> str:
    if value >= 60:
        return (
            f"{int(value // 60)}m{int(value % 60):02d}s" if value % 60 else f"{int(value // 60)}m"
        )
    return f"{value:g}s"


async def _run_context(request: Request) -> dict | HTMLResponse:
    run_id = request.path_params["run_id"]
    answer = (await query(request, _RUN, {"runId": run_id}))["pipelineRunOrError"]
    if answer["__typename"] == "PipelineRunNotFoundError":
        return not_found(request, f"No run with id {run_id!r} in this instance")
    if answer["__typename"] != "PipelineRun":
        return render(request, "error.html", status_code=500, message=answer["message"])
    rows = step_rows(answer)
    plan = answer["executionPlan"]
    now = time.time()
    start, end = answer["stats"]["startTime"], answer["stats"]["endTime"]
    return {
        "run": answer,
        "steps": rows,
        "plan_steps": [s["key"] for s in plan["steps"]]
        if plan["__typename"] == "ExecutionPlan"
        else [],
        "gantt": gantt(rows, start, now),
        "active": answer["status"] in ACTIVE,
        "start": utc_time(start),
        "end": utc_time(end),
        "duration": duration((end or now) - start if start else None),
        "event_count": answer["logs"]["pageInfo"]["totalCount"],
        "format_clock": utc_clock,
        "format_duration": duration,
        "now": now,
    }


async def run_page(request: Request) -> HTMLResponse:
    context = await _run_context(request)
    if isinstance(context, HTMLResponse):
        return context
    return render(request, "run.html", **context)


async def run_summary(request: Request) -> HTMLResponse:
    """The run's summary alone (status, actions, steps, Gantt), for the page to swap in live."""
    context = await _run_context(request)
    if isinstance(context, HTMLResponse):
        return context
    return render(request, "run_summary.html", **context)


ROUTES = [
    Route("/runs/{run_id}", run_page, name="run"),
    Route("/runs/{run_id}/summary", run_summary, name="run_summary"),
]
