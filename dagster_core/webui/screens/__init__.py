"""The screens of the web UI, one module each; every module's ROUTES are served under the
path prefix."""

from starlette.routing import Route

from dagster_core.webui.screens import explorer, pipelines, playground, run, runs, schedules, step

SCREEN_ROUTES: list[Route] = [
    *pipelines.ROUTES,
    *explorer.ROUTES,
    *playground.ROUTES,
    *runs.ROUTES,
    *run.ROUTES,
    *schedules.ROUTES,
    *step.ROUTES,
]
