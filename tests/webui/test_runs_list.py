"""The runs screen in a browser: newest first, paged past a thousand runs, each filter (as a
link-able query), runs launched elsewhere appearing live, and a tag's script shown as text."""

from __future__ import annotations

import time
import urllib.parse

from playwright.sync_api import expect
from webui_support import screenshot

from dagster_core import DagsterInstance
from dagster_core.storage import PipelineRun, PipelineRunStatus

RUN_WAIT_MS = 120_000  # a bound on waiting for runs to get somewhere, not on their work
START = """
mutation ($params: ExecutionParams!) {
  startPipelineExecution(executionParams: $params) {
    __typename
    ... on StartPipelineExecutionSuccess { run { runId } }
  }
}
"""


def start_run(server, pipeline: str, config: dict | None = None, **more) -> str:
    params = {"selector": {"name": pipeline}, "environmentConfigData": config, **more}
    answer = server.query(START, {"params": params})["startPipelineExecution"]
    assert answer["__typename"] == "StartPipelineExecutionSuccess", answer
    return answer["run"]["runId"]


def record_runs(dagster_home, count: int) -> list[str]:
    """`count` runs recorded straight into the instance's run storage, oldest first."""
    storage = DagsterInstance.from_home(str(dagster_home)).run_storage
    base = time.time() - count
    ids = []
    for i in range(count):
        run = PipelineRun(
            run_id=f"run-{i:05d}",
            pipeline_name="adder" if i % 2 else "fails",
            tags={"batch": str(i % 3)},
            created_at=base + i,
            updated_at=base + i,
        )
        ids.append(storage.add_run(run).run_id)
    return ids


def shown_ids(page) -> list[str]:
    return page.locator("#run-rows tr.run").evaluate_all("rows => rows.map(r => r.dataset.runId)")


def test_1200_runs_page_newest_first_by_the_cursor(start_dagit, page, dagster_home):
    ids = record_runs(dagster_home, 1200)
    newest_first = ids[::-1]
    server = start_dagit()

    page.goto(server.url + "/runs")
    expect(page.locator("#run-rows tr.run")).to_have_count(50)
    assert shown_ids(page) == newest_first[:50]
    assert page.locator("#newest-page").count() == 0

    page.click("#older-page")
    expect(page.locator("#run-rows tr.run").first).to_have_attribute(
        "data-run-id", newest_first[50]
    )
    assert shown_ids(page) == newest_first[50:100]
    assert page.locator("#live-badge").count() == 0  # an older page stays as it is

    page.goto(server.url + "/runs?" + urllib.parse.urlencode({"cursor": newest_first[1149]}))
    assert shown_ids(page) == newest_first[1150:]
    assert page.locator("#older-page").count() == 0
    page.click("#newest-page")
    expect(page.locator("#run-rows tr.run").first).to_have_attribute("data-run-id", newest_first[0])


def test_each_filter_narrows_the_list_and_is_kept_in_the_url(start_dagit, page, dagster_home):
    ids = record_runs(dagster_home, 12)
    storage = DagsterInstance.from_home(str(dagster_home)).run_storage
    storage.update_run_status(ids[4], PipelineRunStatus.FAILURE, "broke")
    server = start_dagit()
    page.goto(server.url + "/runs")

    page.select_option("#filter-status", "FAILURE")
    page.click("#run-filters button[type=submit]")
    expect(page.locator("#run-rows tr.run")).to_have_count(1)
    assert shown_ids(page) == [ids[4]]
    assert "status=FAILURE" in page.url

    page.goto(server.url + "/runs?pipeline=adder")
    assert shown_ids(page) == ids[1::2][::-1]
    assert page.locator("#filter-pipeline").input_value() == "adder"

    page.goto(server.url + "/runs")
    page.fill("#filter-tag", "batch=2")
    page.click("#run-filters button[type=submit]")
    expect(page.locator("#run-rows tr.run")).to_have_count(4)
    assert shown_ids(page) == [i for n, i in enumerate(ids) if n % 3 == 2][::-1]

    page.goto(server.url + "/runs?pipeline=adder&tag=batch%3D2")
    assert shown_ids(page) == [i for n, i in enumerate(ids) if n % 3 == 2 and n % 2][::-1]

    page.goto(server.url + f"/runs?run_id={ids[7]}")
    assert shown_ids(page) == [ids[7]]
    page.click(f'tr[data-run-id="{ids[7]}"] td:first-child a')
    assert page.url == server.url + f"/runs/{ids[7]}"

    response = page.goto(server.url + "/runs?tag=batch&status=DONE")
    assert response.status == 400
    errors = page.locator(".filter-error").all_inner_texts()
    assert any("tag='batch'" in e and "key=value" in e for e in errors)
    assert any("status='DONE'" in e and "SUCCESS" in e for e in errors)

    page.goto(server.url + "/runs?pipeline=nothing")
    expect(page.locator("#no-runs")).to_have_text("No runs match these filters.")


def test_a_tag_holding_a_script_is_shown_as_text(start_dagit, page, dagster_home):
    script = "<script>window.__xss = 1</script><img src=x onerror='window.__xss = 2'>"
    instance = DagsterInstance.from_home(str(dagster_home))
    instance.create_run("adder", tags={"note": script})
    server = start_dagit()
    page.goto(server.url + "/runs")
    expect(page.locator("#run-rows td.tags")).to_have_text(f"note={script}")
    # the live refresh swaps rows in: wait for one refresh to have happened, then look again
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('rows=1'))"
    )
    expect(page.locator("#run-rows td.tags")).to_have_text(f"note={script}")
    assert page.evaluate("() => window.__xss") is None


def test_runs_launched_elsewhere_appear_live(start_dagit, page, dagster_home, tmp_path):
    server = start_dagit()
    page.goto(server.url + "/runs")
    expect(page.locator("#no-runs")).to_have_text("No runs yet.")

    succeeded = start_run(server, "adder", preset="five")
    failed = start_run(server, "fails")
    release = tmp_path / "release"
    waiting = start_run(
        server, "slow", {"solids": {"wait_for_release": {"config": {"release_file": str(release)}}}}
    )
    other = DagsterInstance.from_home(str(dagster_home)).create_run("elsewhere", tags={"by": "cli"})

    rows = page.locator("#run-rows tr.run")
    expect(rows).to_have_count(4, timeout=RUN_WAIT_MS)
    assert shown_ids(page) == [other.run_id, waiting, failed, succeeded]
    status = lambda run_id: page.locator(f'tr[data-run-id="{run_id}"] td.status')  # noqa: E731
    expect(status(succeeded)).to_have_text("SUCCESS", timeout=RUN_WAIT_MS)
    expect(status(failed)).to_have_text("FAILURE", timeout=RUN_WAIT_MS)
    expect(status(waiting)).to_have_text("STARTED", timeout=RUN_WAIT_MS)
    expect(status(other.run_id)).to_have_text("NOT_STARTED")
    screenshot(page, "runs")

    release.write_text("go")
    expect(status(waiting)).to_have_text("SUCCESS", timeout=RUN_WAIT_MS)
