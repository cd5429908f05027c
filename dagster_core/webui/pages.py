"""How a screen makes a page: it asks the GraphQL API (in this process, with a read-only
context: pages never change anything) and renders a Jinja2 template with the answer. Templates
autoescape everything, so a user's string (a solid name, a log message, a tag) is shown as text;
live parts are ES modules in `static/` that talk to the same API over HTTP and websockets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.schema import SCHEMA
from dagster_core.redact import redact_text
from dagster_core.webui.settings import WebUISettings

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# no indentation or blank lines from template tags: a 1,000-step run view is a third smaller
TEMPLATES.env.trim_blocks = TEMPLATES.env.lstrip_blocks = True
TEMPLATES.env.filters["tojson_attr"] = lambda value: json.dumps(value, sort_keys=True)


class PageQueryError(Exception):
    """A page's own query failed: a bug in the page, shown as an error page, never half a page."""


async def query(
    request: Request, document: str, variables: Mapping[str, Any] | None = None
) -> dict:
    """The `data` of one GraphQL operation run for this page."""
    state = request.app.state
    context = GraphQLContext(
        state.instance,
        state.workspace,
        can_write=False,
        show_intermediates=state.settings.show_intermediates,
    )
    result = await SCHEMA.execute(
        document, variable_values=dict(variables or {}), context_value=context
    )
    if result.errors:
        raise PageQueryError("; ".join(redact_text(error.message) for error in result.errors))
    return result.data


def settings_of(request: Request) -> WebUISettings:
    return request.app.state.settings


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`template` rendered with `context`, the server's settings and `url()` for links."""
    settings = settings_of(request)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"settings": settings, "url": settings.url, **context},
        status_code=status_code,
    )


def not_found(request: Request, what: str) -> HTMLResponse:
    """A 404 page saying what was not found."""
    return render(request, "not_found.html", status_code=404, what=what)
