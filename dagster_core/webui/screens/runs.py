"""Screen 4, the runs: newest first, PAGE_SIZE a page, filtered by status, pipeline, tags
(`tag=key=value`, repeatable) and run id, all as query parameters so that a filtered view can
be linked. Paging follows the API's cursor (the last run id of a page). The newest page keeps
itself current: its script re-fetches the rows (`?rows=1`, the same query and template) every
couple of seconds, so runs launched elsewhere appear without a reload."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.storage.runs import PipelineRunStatus
from dagster_core.webui.formatting import duration, utc_time
from dagster_core.webui.pages import query, render

PAGE_SIZE = 50
ROWS_PARAM = "rows"

_RUNS = """
query Runs($filter: PipelineRunsFilter, $cursor: String, $limit: Int) {
  pipelineRunsOrError(filter: $filter, cursor: $cursor, limit: $limit) {
    __typename
    ... on PipelineRuns {
      results {
        runId pipelineName status mode
        tags { key value }
        stats { startTime endTime }
      }
    }
    ... on InvalidPipelineRunsFilterError { message }
    ... on PythonError { message }
  }
  pipelinesOrError { ... on PipelineConnection { nodes { name } } }
}
"""


@dataclass(frozen=True)
class RunsView:
    """The filters and page a request asks for, as given in its query parameters."""

    status: str = ""
    pipeline: str = ""
    tags: tuple[str, ...] = ()
    run_id: str = ""
    cursor: str = ""

    @classmethod
    def of(cls, request: Request) -> RunsView:
        params = request.query_params
        return cls(
            status=params.get("status", "").strip(),
            pipeline=params.get("pipeline", "").strip(),
            tags=tuple(t.strip() for t in params.getlist("tag") if t.strip()),
            run_id=params.get("run_id", "").strip(),
            cursor=params.get("cursor", "").strip(),
        )

    def errors(self) -> list[str]:
        """What is wrong with the parameters, each naming the bad value and what is accepted."""
        found = []
        statuses = [status.value for status in PipelineRunStatus]
        if self.status and self.status not in statuses:
            found.append(
                f"status={self.status!r} is not a run status: use one of {', '.join(statuses)}"
            )
        for tag in self.tags:
            if "=" not in tag or not tag.split("=", 1)[0]:
                found.append(f"tag={tag!r} is not a tag filter: write it as key=value")
        return found

    def api_filter(self) -> dict:
        tags = [dict(zip(("key", "value"), tag.split("=", 1), strict=True)) for tag in self.tags]
        return {
            "status": self.status or None,
            "pipelineName": self.pipeline or None,
            "runId": self.run_id or None,
            "tags": tags or None,
        }

    def query_string(self, cursor: str | None = None) -> str:
        """This view's parameters (with `cursor`, if given) as a query string, "" for none."""
        pairs = [("status", self.status), ("pipeline", self.pipeline)]
        pairs += [("tag", tag) for tag in self.tags]
        pairs += [("run_id", self.run_id), ("cursor", cursor or "")]
        encoded = urlencode([(key, value) for key, value in pairs if value])
        return f"?{encoded}" if encoded else ""


def _row(run: dict, now: float) -> dict:
    start, end = run["stats"]["startTime"], run["stats"]["endTime"]
    return {
        **run,
        "start": utc_time(start),
        "duration": duration(end - start) if start and end else "",
        "running_for": duration(now - start) if start and not end else "",
    }


async def runs_page(request: Request) -> HTMLResponse:
    view = RunsView.of(request)
    only_rows = request.query_params.get(ROWS_PARAM) == "1"
    errors = view.errors()
    answer, pipelines = None, []
    if not errors:
        data = await query(
            request,
            _RUNS,
            {"filter": view.api_filter(), "cursor": view.cursor or None, "limit": PAGE_SIZE + 1},
        )
        answer = data["pipelinesOrError"]
        pipelines = [p["name"] for p in (answer or {}).get("nodes", [])]
        answer = data["pipelineRunsOrError"]
        if answer["__typename"] != "PipelineRuns":
            errors.append(answer["message"])
    results = answer["results"] if answer and not errors else []
    now = time.time()
    runs = [_row(run, now) for run in results[:PAGE_SIZE]]
    older = view.query_string(runs[-1]["runId"]) if len(results) > PAGE_SIZE else None
    return render(
        request,
        "runs_rows.html" if only_rows else "runs.html",
        status_code=400 if errors else 200,
        view=view,
        runs=runs,
        errors=errors,
        pipelines=pipelines,
        statuses=[status.value for status in PipelineRunStatus],
        older=older,
        live=not view.cursor and not errors,
    )


ROUTES = [Route("/runs", runs_page, name="runs")]
