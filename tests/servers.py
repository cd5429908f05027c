"""Real servers for the tests (`dagster-graphql serve`, `dagit`): started as processes on a
free port of 127.0.0.1, waited on until they answer, ended by their PID."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from waiting import wait_until

BIN = os.path.dirname(sys.executable)


class Server:
    """A running server process and its base URL (with its path prefix, if any)."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process = process
        self.url = url
        self.log = log

    def post(
        self, query: str, variables: dict | None = None, token: str | None = None
    ) -> tuple[int, dict]:
        """The HTTP status and JSON body of one GraphQL operation."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.url + "/graphql", body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def query(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """The `data` of an operation that must succeed."""
        status, body = self.post(query, variables, token)
        assert status == 200 and not body.get("errors"), body
        return body["data"]

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)


class ServerStarter:
    """Starts servers for one test (`start(command, announced, *args)`) and ends them all
    (`stop_all`); `announced` is a pattern whose group 1 is the base URL the server prints."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self._workdir = workdir
        self._env = env
        self._started: list[subprocess.Popen] = []

    def start(
        self, command: list[str], announced: str, *args: str, env: dict | None = None
    ) -> Server:
        log = self._workdir / f"server-{len(self._started)}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                [*command, "--port", "0", *args],
                cwd=self._workdir,
                env={**os.environ, **self._env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._started.append(process)

        def address() -> str | None:
            assert process.poll() is None, f"the server exited:\n{log.read_text()}"
            found = re.search(announced, log.read_text())
            return found and found[1]

        wait_until(address, 60, "the server to say where it listens")
        server = Server(process, address(), log)
        wait_until(lambda: _answers(server), 30, "the server to answer /dagit_info")
        return server

    def stop_all(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=30)


def _answers(server: Server) -> bool:
    try:
        server.get("/dagit_info")
        return True
    except (urllib.error.URLError, ConnectionError):
        return False
