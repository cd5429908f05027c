"""The web UI in a real browser: a real `dagit` on 127.0.0.1 (started per test with the code
and instance the test gives, ended by its PID) and Playwright driving Debian's chromium.

Without playwright or chromium the browser tests skip, saying how to get them (`make test`
installs both); under CI=true they fail instead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from missing_service import missing_service
from servers import Server, ServerStarter
from webui_support import CHROMIUM, CHROMIUM_ARGS, CODE, DAGIT


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless chromium per test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("playwright is not installed: `make test` installs it (the [test] extra)")
    if not os.path.exists(CHROMIUM):
        missing_service(f"no chromium at {CHROMIUM}: `make chromium` installs Debian's package")
    from playwright.sync_api import expect

    # what a page shows after a run's steps may take a while on a loaded machine
    expect.set_options(timeout=60_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh browser tab; a script error on any page fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def webui_code(tmp_path) -> Path:
    path = tmp_path / "code.py"
    path.write_text(CODE)
    return path


@pytest.fixture
def dagster_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def start_dagit(tmp_path, webui_code, dagster_home) -> Iterator:
    """`start_dagit(*args, env=..., code=...)` starts `dagit` on a free port and waits until it
    answers; the Server's url includes the path prefix."""
    starter = ServerStarter(tmp_path, {"DAGSTER_HOME": str(dagster_home)})

    def start(*args: str, env: dict | None = None, code: Path | None = None) -> Server:
        command = [DAGIT, "-f", str(code or webui_code)]
        return starter.start(command, r" on (http://127\.0\.0\.1:\d+\S*?)/ \(", *args, env=env)

    yield start
    starter.stop_all()
