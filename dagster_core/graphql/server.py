"""The API over HTTP and websockets: one Starlette app serving `/graphql` (queries and
mutations over HTTP, subscriptions over websockets in both the `graphql-transport-ws` and the
legacy `graphql-ws` protocols) and `/dagit_info`. It binds where its runner says (the command
binds 127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import asyncio
import gc
import hmac
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from dagster_core.graphql.context import GraphQLContext, Workspace
from dagster_core.graphql.schema import SCHEMA, VERSION
from dagster_core.instance import DagsterInstance

GRAPHQL_PATH = "/graphql"
INFO_PATH = "/dagit_info"


class _GraphQLApp(GraphQL):
    """The schema served with a context per request: whether the caller may write follows the
    server's read-only flag and its token."""

    def __init__(
        self,
        instance: DagsterInstance,
        workspace: Workspace,
        read_only: bool,
        token: str | None,
        show_intermediates: bool,
    ):
        super().__init__(
            SCHEMA,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        )
        self._instance = instance
        self._workspace = workspace
        self._read_only = read_only
        self._token = token
        self._show_intermediates = show_intermediates

    def _may_write(self, request: Request | WebSocket) -> bool:
        if self._read_only:
            return False
        if self._token is None:
            return True
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self._token}".encode())

    def encode_json(self, data: object) -> str:
        """Answers as JSON text, by orjson: a run's 10,000 events are a megabyte of it, which the
        json module takes a tenth of the request to write."""
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:  # integers beyond 64 bits, which only json writes
            return super().encode_json(data)  # type: ignore[return-value]

    async def get_context(self, request: Request | WebSocket, response: Any) -> GraphQLContext:
        return GraphQLContext(
            self._instance,
            self._workspace,
            self._may_write(request),
            show_intermediates=self._show_intermediates,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await super().__call__(scope, receive, send)
        if scope["type"] == "websocket":
            # A subscription stopped while its result was being sent is left suspended by
            # strawberry, never closed: only the cycle collector finalizes it (and so ends the
            # event-log watch it holds). Run it once the connection is over.
            await asyncio.to_thread(gc.collect)


def graphql_routes(
    instance: DagsterInstance,
    workspace: Workspace,
    read_only: bool = False,
    token: str | None = None,
    prefix: str = "",
    show_intermediates: bool = True,
) -> list[BaseRoute]:
    """`/graphql` (HTTP and websocket) and `/dagit_info` under `prefix`, for any app that serves
    the API (this module's, the web UI's); `show_intermediates=False` refuses stored outputs."""
    graphql = _GraphQLApp(instance, workspace, read_only, token, show_intermediates)

    async def info(_request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "dagit_version": VERSION,
                "dagster_version": VERSION,
                "dagster_graphql_version": VERSION,
            }
        )

    return [
        Route(prefix + GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
        WebSocketRoute(prefix + GRAPHQL_PATH, graphql),
        Route(prefix + INFO_PATH, info),
    ]


def create_app(
    instance: DagsterInstance,
    workspace: Workspace,
    read_only: bool = False,
    token: str | None = None,
) -> Starlette:
    """The ASGI app serving the API for `workspace`'s definitions and `instance`'s runs."""
    return Starlette(routes=graphql_routes(instance, workspace, read_only, token))
