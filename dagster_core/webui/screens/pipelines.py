"""Screen 1, the pipelines: every pipeline of the served code with its description, modes,
presets and tags."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.webui.pages import query, render

_PIPELINES = """
{
  pipelinesOrError {
    __typename
    ... on PipelineConnection {
      nodes {
        name
        description
        modes { name description }
        presets { name mode }
        tags { key value }
        solids { name }
      }
    }
    ... on PythonError { message }
  }
}
"""


async def pipelines_page(request: Request) -> HTMLResponse:
    answer = (await query(request, _PIPELINES))["pipelinesOrError"]
    if answer["__typename"] != "PipelineConnection":
        return render(request, "error.html", status_code=500, message=answer["message"])
    return render(request, "pipelines.html", pipelines=answer["nodes"])


ROUTES = [Route("/", pipelines_page, name="pipelines")]
