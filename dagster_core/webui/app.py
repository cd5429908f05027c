"""The `dagit` app: the screens, their static files and the GraphQL API, at one origin and
under one path prefix. Pages read through the API (dagster_core.webui.pages); the browser acts
through it, so `--read-only` and the token guard the API itself, and the pages only hide what
the API would refuse."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from dagster_core.graphql.context import Workspace
from dagster_core.graphql.server import graphql_routes
from dagster_core.instance import DagsterInstance
from dagster_core.webui.pages import PageQueryError, render
from dagster_core.webui.screens import SCREEN_ROUTES
from dagster_core.webui.settings import WebUISettings

STATIC_DIR = Path(__file__).parent / "static"


def create_webui_app(
    instance: DagsterInstance,
    workspace: Workspace,
    settings: WebUISettings | None = None,
    token: str | None = None,
) -> Starlette:
    """The ASGI app of the web UI for `workspace`'s definitions and `instance`'s runs."""
    settings = settings or WebUISettings(token_required=token is not None)
    prefix = settings.path_prefix
    routes: list[BaseRoute] = [
        *graphql_routes(
            instance, workspace, settings.read_only, token, prefix, settings.show_intermediates
        ),
        Mount(prefix + "/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *_prefixed(SCREEN_ROUTES, prefix),
    ]
    if prefix:
        routes.append(Route("/", lambda _request: RedirectResponse(prefix + "/")))
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, PageQueryError: _page_error},
    )
    app.state.instance = instance
    app.state.workspace = workspace
    app.state.settings = settings
    return app


def _prefixed(routes: list[Route], prefix: str) -> list[Route]:
    return [
        Route(prefix + route.path, route.endpoint, methods=route.methods, name=route.name)
        for route in routes
    ]


async def _http_error(request: Request, exc: HTTPException) -> HTMLResponse:
    return render(request, "error.html", status_code=exc.status_code, message=exc.detail)


async def _page_error(request: Request, exc: PageQueryError) -> HTMLResponse:
    return render(request, "error.html", status_code=500, message=str(exc))
