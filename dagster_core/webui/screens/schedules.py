"""Screen 7, the schedules: each schedule the instance knows, its cron, pipeline, state, next
fire time and last runs, with Start / Stop (not rendered on a read-only server; the buttons act
through the API's startSchedule / stopRunningSchedule)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.definitions.schedule import SCHEDULE_NAME_TAG
from dagster_core.webui.pages import query, render

LAST_RUNS = 5

_SCHEDULES = """
query Schedules($lastRuns: Int) {
  scheduler {
    __typename
    ... on Scheduler {
      runningSchedules {
        scheduleDefinition { name pipelineName mode }
        status cronSchedule nextFireTime runsCount
        runs(limit: $lastRuns) { runId status }
      }
    }
    ... on SchedulerNotDefinedError { message }
    ... on PythonError { message }
  }
}
"""


async def schedules_page(request: Request) -> HTMLResponse:
    answer = (await query(request, _SCHEDULES, {"lastRuns": LAST_RUNS}))["scheduler"]
    if answer["__typename"] == "PythonError":
        return render(request, "error.html", status_code=500, message=answer["message"])
    schedules = sorted(
        answer.get("runningSchedules", []), key=lambda s: s["scheduleDefinition"]["name"]
    )
    for schedule in schedules:
        fire = schedule["nextFireTime"]
        schedule["next"] = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(fire)) if fire else ""
    return render(
        request,
        "schedules.html",
        no_scheduler=answer.get("message") if answer["__typename"] != "Scheduler" else None,
        schedules=schedules,
        schedule_tag=SCHEDULE_NAME_TAG,
    )


ROUTES = [Route("/schedules", schedules_page, name="schedules")]
