"""Screen 3, the playground: a pipeline's run config edited as YAML, validated as you type
(through `isPipelineConfigValid`, which takes YAML text), scaffolded from the config schema,
filled from a preset, and launched. The page only carries what the script starts from (the
pipeline's modes and presets); everything else the script asks the API for."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.webui.pages import not_found, query, render

_PIPELINE = """
query ($name: String!) {
  pipelineOrError(params: {name: $name}) {
    __typename
    ... on Pipeline {
      name
      description
      modes { name description }
      presets { name mode environmentConfigYaml }
    }
    ... on PipelineNotFoundError { message }
    ... on PythonError { message }
  }
}
"""


async def playground_page(request: Request) -> HTMLResponse:
    name = request.path_params["name"]
    answer = (await query(request, _PIPELINE, {"name": name}))["pipelineOrError"]
    if answer["__typename"] == "PipelineNotFoundError":
        return not_found(request, f"No pipeline '{name}' in the served code")
    if answer["__typename"] != "Pipeline":
        return render(request, "error.html", status_code=500, message=answer["message"])
    modes = [mode["name"] for mode in answer["modes"]]
    presets = {preset["name"]: preset for preset in answer["presets"]}
    preset = request.query_params.get("preset", "")
    preset = preset if preset in presets else ""
    mode = presets[preset]["mode"] if preset else request.query_params.get("mode", "")
    return render(
        request,
        "playground.html",
        pipeline=answer,
        mode=mode if mode in modes else modes[0],
        preset=preset,
    )


ROUTES = [Route("/pipelines/{name}/playground", playground_page, name="playground")]
