"""The web UI in a real browser: a real `dagit` on 127.0.0.1 (started per test with the code
and instance the test gives, ended by its PID) and Playwright driving Debian's chromium.

Without playwright or chromium the browser tests skip, saying how to get them (`make test`
installs both); under CI=true they fail instead."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Server, ServerStarter

DAGIT = os.path.join(os.path.dirname(sys.executable), "dagit")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EXAMPLE = Path(__file__).parents[2] / "examples" / "hello_pipeline.py"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "images"
# Chromium as root in a sandbox without a network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Pipelines for the UI tests: `adder` (config with a default, an input from config, a preset),
# `fails` (a solid that raises), `slow` (a step that waits for a file, to be terminated).
CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import Field, InputDefinition, Int, ModeDefinition, PresetDefinition
    from dagster_core import String, default_executors, lambda_solid, pipeline, solid
    from dagster_dask import dask_executor

    @solid(config={"offset": Field(Int, default_value=1)}, input_defs=[InputDefinition("x", Int)])
    def add(context, x):
        context.log.info(f"adding {context.solid_config['offset']} to {x}")
        print(f"add says {x}")
        return x + context.solid_config["offset"]

    @lambda_solid
    def double(value):
        return value * 2

    @pipeline(
        mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])],
        preset_defs=[PresetDefinition("five", {"solids": {"add": {"inputs": {"x": 5}}}})],
        tags={"team": "webui"},
    )
    def adder():
        "Adds, then doubles."
        double(add())

    @lambda_solid
    def boom():
        raise ValueError("boom")

    @pipeline
    def fails():
        boom()

    @solid(config={"release_file": Field(String)})
    def wait_for_release(context):
        path = context.solid_config["release_file"]
        while not os.path.exists(path):
            time.sleep(0.05)
        return 1

    @pipeline
    def slow():
        wait_for_release()
    """
)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless chromium per test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: `make test` installs it (the [test] extra)")
    if not os.path.exists(CHROMIUM):
        _missing(f"no chromium at {CHROMIUM}: `make chromium` installs Debian's package")
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
    starters: list[ServerStarter] = []

    def start(*args: str, env: dict | None = None, code: Path | None = None) -> Server:
        starter = ServerStarter(
            [DAGIT, "-f", str(code or webui_code)],
            r" on (http://127\.0\.0\.1:\d+\S*?)/ \(",
            tmp_path,
            {"DAGSTER_HOME": str(dagster_home)},
        )
        starters.append(starter)
        return starter.start(*args, env=env)

    yield start
    for starter in starters:
        starter.stop_all()


def screenshot(page, name: str) -> None:
    """Save the page as docs/images/NAME.png, for docs/webui.md."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
