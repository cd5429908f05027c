"""Screen 6, one step of a run: its status, attempts and times, a summary of its events, and
the outputs it stored (type, size, preview) read through the API from the run's intermediate
storage, which the API refuses under `--no-intermediates`."""

from __future__ import annotations

from collections import Counter

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.webui.formatting import duration, utc_clock, utc_time
from dagster_core.webui.pages import not_found, query, render
from dagster_core.webui.screens.run import ACTIVE

SHOWN_EVENTS = 200

_STEP = """
query Step($runId: String!, $stepKey: String!) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRun {
      runId pipelineName status
      stepStats { stepKey status startTime endTime attempts }
      logs {
        nodes {
          __typename
          ... on MessageEvent { message timestamp level stepKey attempt }
        }
      }
      stepOutputs(stepKey: $stepKey) {
        __typename
        ... on StepOutputs {
          storageName stored
          outputs { name typeName location sizeBytes preview previewError }
        }
        ... on IntermediatesHiddenError { message }
        ... on PipelineNotFoundError { message }
        ... on PythonError { message }
      }
    }
    ... on PipelineRunNotFoundError { message }
    ... on PythonError { message }
  }
}
"""


async def step_page(request: Request) -> HTMLResponse:
    run_id, step_key = request.path_params["run_id"], request.path_params["step_key"]
    run = (await query(request, _STEP, {"runId": run_id, "stepKey": step_key}))[
        "pipelineRunOrError"
    ]
    if run["__typename"] == "PipelineRunNotFoundError":
        return not_found(request, run["message"])
    if run["__typename"] != "PipelineRun":
        return render(request, "error.html", status_code=500, message=run["message"])
    stats = next((s for s in run["stepStats"] if s["stepKey"] == step_key), None)
    events = [e for e in run["logs"]["nodes"] if e.get("stepKey") == step_key]
    if stats is None and not events:
        return not_found(request, f"Run {run_id} has no step {step_key!r}")
    if stats and stats["status"]:
        status = stats["status"]
    else:
        status = "RUNNING" if run["status"] in ACTIVE else "INCOMPLETE"
    counts = Counter(event["__typename"] for event in events)
    for event in events:
        event["time"] = utc_clock(int(event["timestamp"]) / 1000)
    took = (
        stats["endTime"] - stats["startTime"]
        if stats and stats["startTime"] and stats["endTime"]
        else None
    )
    return render(
        request,
        "step.html",
        run=run,
        step_key=step_key,
        stats=stats,
        status=status,
        started=utc_time(stats and stats["startTime"]),
        duration=duration(took),
        event_counts=sorted(counts.items()),
        events=events[-SHOWN_EVENTS:],
        hidden_events=max(0, len(events) - SHOWN_EVENTS),
        outputs=run["stepOutputs"],
    )


ROUTES = [Route("/runs/{run_id}/steps/{step_key}", step_page, name="step")]
