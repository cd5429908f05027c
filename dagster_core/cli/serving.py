"""Serving an ASGI app from the command line: bind first (port 0 picks a free one), so the
address printed is the one listening, then run uvicorn on that socket until interrupted."""

from __future__ import annotations

import gc
import socket

import click
from starlette.applications import Starlette


def serve(app: Starlette, host: str, port: int, announce: str) -> None:
    """Serve `app` on host:port; `announce` (with `{url}` for the bound base URL) goes to stderr
    once the socket listens."""
    import uvicorn

    listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((host, port))
    bound_host, bound_port = listening.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(announce.format(url=f"http://{shown_host}:{bound_port}"), err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    # What is loaded by now (the user's code, the schema, the instance) lives as long as the
    # server: frozen, it is left out of the collector's full passes, which a big answer (a run
    # of 10,000 events) triggers and which would otherwise walk all of it each time. Garbage is
    # collected first, so none of it is kept.
    gc.collect()
    gc.freeze()
    server.run(sockets=[listening])
