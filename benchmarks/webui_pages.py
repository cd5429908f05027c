"""The web UI workload: a real `dagit` on 127.0.0.1 and Debian's chromium driven by Playwright,
timing what a user waits for: from asking for a page to seeing it drawn. The floor is the
pipelines page (a small page through the same server and browser); the figures are the explorer
of a 500-solid pipeline (every solid drawn), the run view of a 1,000-step run (every step in its table
and timeline, the page as the server renders it) and the same with the first rows of its event
log shown (which its script then asks the API for). A first visit (the pipeline not yet laid out
by the server) is timed once, apart from the repeated warm visits.

Goals (issue 14): the run view of a 1,000-step run under 1 s, the 500-solid explorer under 2 s.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks.graphql_api import served
from dagster_core import DagsterInstance
from dagster_core.events import DagsterEvent, DagsterEventType

DAGIT = os.path.join(os.path.dirname(sys.executable), "dagit")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SOLIDS = 500
STEPS = 1_000
_CODE = textwrap.dedent(
    f"""
    from dagster_core import InputDefinition, List, PipelineDefinition, lambda_solid, pipeline
    from dagster_core.definitions.dependency import (
        DependencyDefinition, MultiDependencyDefinition, SolidInvocation,
    )

    @lambda_solid
    def root():
        return 0

    @lambda_solid(input_defs=[InputDefinition("a"), InputDefinition("b")])
    def middle(a, b):
        return a

    @lambda_solid(input_defs=[InputDefinition("parts", List)])
    def join(parts):
        return len(parts)

    def _before(i, salt):
        return "root" if i == 0 else f"m{{i - 1 - (i * salt + salt) % min(i, 20)}}"

    _deps = {{SolidInvocation("root"): {{}}}}
    for i in range({SOLIDS - 2}):
        _deps[SolidInvocation("middle", f"m{{i}}")] = {{
            "a": DependencyDefinition(_before(i, 7)), "b": DependencyDefinition(_before(i, 13)),
        }}
    _deps[SolidInvocation("join")] = {{
        "parts": MultiDependencyDefinition(
            [DependencyDefinition(f"m{{i}}") for i in range({SOLIDS - 22}, {SOLIDS - 2})]
        )
    }}
    explorer_500 = PipelineDefinition([root, middle, join], name="explorer_500", dependencies=_deps)

    @lambda_solid
    def step():
        return 1

    @pipeline
    def wide_1000():
        for i in range({STEPS}):
            step.alias(f"s{{i}}")()
    """
)


@dataclass(frozen=True)
class Pages:
    """The server's base URL and the paths timed on it, with what shows each is drawn."""

    url: str
    run_id: str

    @property
    def timed(self) -> dict[str, tuple[str, str, int]]:
        """phase -> (path, CSS selector, how many must be present)."""
        return {
            "pipelines page (floor)": ("/", "#pipelines .pipeline", 2),
            f"explorer, {SOLIDS} solids": ("/pipelines/explorer_500", "#graph .solid", SOLIDS),
            f"run view, {STEPS} steps": (
                f"/runs/{self.run_id}",
                "#steps tbody tr[data-step-key]",
                STEPS,
            ),
            f"run view, {STEPS} steps, with log rows": (
                f"/runs/{self.run_id}",
                "#log-viewport .log-row",
                1,
            ),
        }


def record_big_run(instance: DagsterInstance) -> str:
    """A finished run of wide_1000 as its events say: every step started, logged, output and
    succeeded, 10 ms apart; its run id."""
    run = instance.create_run("wide_1000")
    started = time.time()
    events = [DagsterEvent(DagsterEventType.PIPELINE_START, run.run_id, "wide_1000", "start")]
    for i in range(STEPS):
        at = started + i * 0.01
        step = {"step_key": f"s{i}.compute", "solid_name": f"s{i}"}
        events += [
            DagsterEvent(DagsterEventType.STEP_START, run.run_id, "wide_1000", "start", timestamp=at, **step),
            DagsterEvent(DagsterEventType.LOG_MESSAGE, run.run_id, "wide_1000", f"log {i}", timestamp=at + 0.002, **step),
            DagsterEvent(DagsterEventType.STEP_OUTPUT, run.run_id, "wide_1000", "output", timestamp=at + 0.004, **step),
            DagsterEvent(DagsterEventType.STEP_SUCCESS, run.run_id, "wide_1000", "success", timestamp=at + 0.005, **step),
        ]  # fmt: skip
    events.append(
        DagsterEvent(
            DagsterEventType.PIPELINE_SUCCESS,
            run.run_id,
            "wide_1000",
            "done",
            timestamp=started + STEPS * 0.01,
        )
    )
    instance.store_events(events)
    return run.run_id


def chromium_missing() -> str | None:
    """Why the workload cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "webui: playwright is not installed (`make bench` installs it), so it is skipped"
    if not os.path.exists(CHROMIUM):
        return f"webui: no chromium at {CHROMIUM} (`make chromium`), so it is skipped"
    return None


@contextmanager
def dagit_pages() -> Iterator[Pages]:
    """`dagit` serving the workload's code over a fresh SQLite instance holding the big run."""
    with tempfile.TemporaryDirectory(prefix="webui-bench-") as home:
        with open(os.path.join(home, "code.py"), "w") as f:
            f.write(_CODE)
        instance = DagsterInstance.from_home(home)
        try:
            run_id = record_big_run(instance)
        finally:
            instance.dispose()
        command = [DAGIT, "-f", os.path.join(home, "code.py")]
        with served(command, home, r" on (http://127\.0\.0\.1:\d+)/ \(") as url:
            yield Pages(url, run_id)


@contextmanager
def browser_page() -> Iterator[Any]:
    """A tab of headless chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(120_000)
            yield page
        finally:
            browser.close()


def visit(page: Any, url: str, selector: str, count: int) -> None:
    """Open `url` and return once `count` elements match `selector`."""
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "([selector, count]) => document.querySelectorAll(selector).length >= count",
        arg=[selector, count],
        polling="raf",
    )
