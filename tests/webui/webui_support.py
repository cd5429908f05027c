"""What the web UI tests share besides fixtures: the code they serve, where the example and the
screenshots are, and how chromium is started."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from pathlib import Path

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


def screenshot(page, name: str) -> None:
    """Save the page as docs/images/NAME.png for docs/webui.md, when asked to
    (`make screenshots` sets DAGSTER_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean."""
    if os.environ.get("DAGSTER_UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
