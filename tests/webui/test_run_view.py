"""The run view in a real browser: a run watched live to SUCCESS (steps, Gantt, stdout), a
running run terminated, a failed run re-executed from failure, a run with 50,000 events (windowed
log, filters), a Dask run's dashboard link, escaping, read-only and unknown runs."""

from __future__ import annotations

import logging
import re
import textwrap

from playwright.sync_api import expect
from waiting import wait_until
from webui_support import screenshot

from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.instance import DagsterInstance
from dagster_core.storage import PipelineRunStatus
from dagster_core.webui.screens.run import StepRow, gantt

FILESYSTEM = {"storage": {"filesystem": {}}}
ADDER = {"solids": {"add": {"inputs": {"x": 5}}}, **FILESYSTEM}
LAUNCH = """
mutation ($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchPipelineExecutionSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""
FINISHED = (PipelineRunStatus.SUCCESS, PipelineRunStatus.FAILURE, PipelineRunStatus.CANCELED)

# `flaky` fails until its file exists; `shouts` logs a script tag and an error with a stack.
MORE_CODE = textwrap.dedent(
    """
    import os
    from dagster_core import Field, InputDefinition, Int, String, lambda_solid, pipeline, solid

    @lambda_solid
    def one():
        return 1

    @solid(config={"path": Field(String)}, input_defs=[InputDefinition("x", Int)])
    def fail_until_file(context, x):
        if not os.path.exists(context.solid_config["path"]):
            raise ValueError("not yet")
        return x + 1

    @pipeline
    def flaky():
        fail_until_file(one())

    @solid
    def shout(context):
        context.log.warning("<script>alert(1)</script>")
        raise RuntimeError("<img src=x onerror=alert(2)>")

    @pipeline
    def shouts():
        shout()
    """
)


def launch(server, pipeline: str, config: dict | None = None, **more) -> str:
    params = {"selector": {"name": pipeline}, "environmentConfigData": config, **more}
    answer = server.query(LAUNCH, {"params": params})["launchPipelineExecution"]
    assert answer["__typename"] == "LaunchPipelineExecutionSuccess", answer
    return answer["run"]["runId"]


def ended(home, run_id: str) -> PipelineRunStatus:
    instance = DagsterInstance.from_home(str(home))
    wait_until(lambda: instance.get_run_by_id(run_id).status in FINISHED, 120, "the run to end")
    return instance.get_run_by_id(run_id).status


def step_statuses(page) -> dict[str, str]:
    rows = page.locator("#steps tbody tr[data-step-key]")
    return dict(rows.evaluate_all("rs => rs.map(r => [r.dataset.stepKey, r.dataset.status])"))


def new_run(page, old_run_id: str) -> str:
    """The id of the run the page navigated to from `old_run_id`'s page."""
    page.wait_for_url(re.compile(r".*/runs/(?!" + re.escape(old_run_id) + "$)[^/]+$"))
    return page.url.rsplit("/", 1)[1]


def test_a_run_is_watched_live_to_success_with_steps_gantt_and_stdout(start_dagit, page):
    server = start_dagit()
    run_id = launch(server, "adder", ADDER)
    page.goto(f"{server.url}/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_text("SUCCESS", timeout=120_000)
    expect(page.locator('#steps tr[data-step-key="double.compute"]')).to_have_attribute(
        "data-status", "SUCCESS"
    )
    assert step_statuses(page) == {"add.compute": "SUCCESS", "double.compute": "SUCCESS"}
    bars = page.locator("#gantt rect.bar-SUCCESS")
    assert sorted(bars.evaluate_all("bs => bs.map(b => b.dataset.stepKey)")) == [
        "add.compute",
        "double.compute",
    ]
    assert page.locator("#run-pipeline").get_attribute("href") == "/pipelines/adder"
    step_link = page.locator('#steps tr[data-step-key="add.compute"] a')
    assert step_link.get_attribute("href") == f"/runs/{run_id}/steps/add.compute"
    expect(page.locator("#log-viewport")).to_contain_text("PipelineSuccess")
    expect(page.locator("#log-viewport")).to_contain_text("adding 1 to 5")
    page.locator("#run-config").evaluate("e => e.closest('details').open = true")
    assert "x: 5" in page.locator("#run-config").inner_text()
    assert "team=webui" in page.locator("#run-tags").inner_text()
    screenshot(page, "run-view")

    page.locator('#steps tr[data-step-key="add.compute"] button[data-action="open-step"]').click()
    expect(page.locator("#compute-log")).to_contain_text("add says 5")
    page.locator('#step-panel .tab[data-io="STDERR"]').click()
    expect(page.locator("#compute-log")).not_to_contain_text("add says 5")
    page.locator('#step-panel .tab[data-io="STDOUT"]').click()
    expect(page.locator("#compute-log")).to_contain_text("add says 5")
    page.locator("#step-panel").scroll_into_view_if_needed()
    screenshot(page, "run-stdout")


def test_a_running_run_is_terminated_from_the_page(start_dagit, page, tmp_path, dagster_home):
    server = start_dagit()
    release = tmp_path / "never"
    config = {
        "solids": {"wait_for_release": {"config": {"release_file": str(release)}}},
        "execution": {"multiprocess": {}},  # a step in its own process can be stopped at once
        **FILESYSTEM,
    }
    run_id = launch(server, "slow", config)
    page.goto(f"{server.url}/runs/{run_id}")
    expect(page.locator('#steps tr[data-step-key="wait_for_release.compute"]')).to_have_attribute(
        "data-status", "RUNNING", timeout=120_000
    )
    expect(page.locator("#gantt rect.bar-RUNNING")).to_have_count(1)
    page.locator("#terminate").click()
    expect(page.locator("#run-status")).to_have_text("CANCELED", timeout=120_000)
    expect(page.locator("#terminate")).to_have_count(0)
    assert ended(dagster_home, run_id) is PipelineRunStatus.CANCELED


def test_re_execute_from_failure_runs_only_the_failed_step(
    start_dagit, page, tmp_path, dagster_home
):
    code = tmp_path / "flaky.py"
    code.write_text(MORE_CODE)
    server = start_dagit(code=code)
    flag = tmp_path / "ready"
    config = {"solids": {"fail_until_file": {"config": {"path": str(flag)}}}, **FILESYSTEM}
    first = launch(server, "flaky", config)
    assert ended(dagster_home, first) is PipelineRunStatus.FAILURE
    page.goto(f"{server.url}/runs/{first}")
    expect(page.locator("#run-status")).to_have_text("FAILURE")
    assert step_statuses(page) == {"one.compute": "SUCCESS", "fail_until_file.compute": "FAILURE"}
    flag.write_text("")

    page.locator("#reexecute-failed").click()
    retried = new_run(page, first)
    expect(page.locator("#run-status")).to_have_text("SUCCESS", timeout=120_000)
    assert page.locator("#parent-run").inner_text() == first
    expect(page.locator('#steps tr[data-step-key="fail_until_file.compute"]')).to_have_attribute(
        "data-status", "SUCCESS"
    )
    assert step_statuses(page) == {"fail_until_file.compute": "SUCCESS"}

    page.locator('#steps button[data-step-key="fail_until_file.compute"]').click()
    page.locator("#reexecute-step").click()
    one_step = new_run(page, retried)
    expect(page.locator("#run-status")).to_have_text("SUCCESS", timeout=120_000)
    assert page.locator("#parent-run").inner_text() == retried
    assert step_statuses(page) == {"fail_until_file.compute": "SUCCESS"}

    page.locator("#reexecute-all").click()
    new_run(page, one_step)
    expect(page.locator("#run-status")).to_have_text("SUCCESS", timeout=120_000)
    expect(page.locator('#steps tr[data-step-key="fail_until_file.compute"]')).to_have_attribute(
        "data-status", "SUCCESS"
    )
    assert step_statuses(page) == {"one.compute": "SUCCESS", "fail_until_file.compute": "SUCCESS"}


def test_an_error_is_shown_as_text_with_its_stack(start_dagit, page, tmp_path, dagster_home):
    code = tmp_path / "shouts.py"
    code.write_text(MORE_CODE)
    server = start_dagit(code=code)
    run_id = launch(server, "shouts")
    assert ended(dagster_home, run_id) is PipelineRunStatus.FAILURE
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server.url}/runs/{run_id}")
    log = page.locator("#log-viewport")
    expect(log).to_contain_text("<script>alert(1)</script>")
    failure = log.locator(".log-row", has_text="ExecutionStepFailure")
    failure.click()
    detail = page.locator("#event-detail-body")
    expect(detail).to_contain_text("RuntimeError: <img src=x onerror=alert(2)>")
    expect(detail).to_contain_text("in shout")
    page.locator("#event-detail-close").click()
    expect(page.locator("#event-detail")).to_be_hidden()
    assert dialogs == []


def test_a_run_with_50000_events_is_windowed_and_filtered(start_dagit, page, dagster_home):
    instance = DagsterInstance.from_home(str(dagster_home))
    run = instance.create_run("adder", ADDER)
    step = {"step_key": "add.compute", "solid_name": "add"}
    events = [
        DagsterEvent(DagsterEventType.PIPELINE_START, run.run_id, "adder", "started"),
        DagsterEvent(DagsterEventType.STEP_START, run.run_id, "adder", "step started", **step),
    ]
    events += [
        DagsterEvent(
            DagsterEventType.LOG_MESSAGE,
            run.run_id,
            "adder",
            f"message number {i}",
            **step,
            level=logging.WARNING if i % 1000 == 0 else logging.DEBUG,
        )
        for i in range(50_000)
    ]
    events += [
        DagsterEvent(DagsterEventType.STEP_SUCCESS, run.run_id, "adder", "step done", **step),
        DagsterEvent(DagsterEventType.PIPELINE_SUCCESS, run.run_id, "adder", "done"),
    ]
    instance.store_events(events)
    server = start_dagit()

    page.goto(f"{server.url}/runs/{run.run_id}")
    log = page.locator("#log-viewport")
    expect(log).to_contain_text("message number 49999", timeout=60_000)
    expect(log).to_contain_text("PipelineSuccess")
    expect(page.locator("#log-count")).to_have_text("50004 of 50004 events shown", timeout=120_000)
    assert page.locator("#log-viewport .log-row").count() < 200
    log.evaluate("e => { e.scrollTop = 0; }")
    expect(log).to_contain_text("message number 0")
    assert "message number 49999" not in log.inner_text()
    assert page.locator("#log-viewport .log-row").count() < 200

    page.locator("#filter-level").select_option("WARNING")
    expect(page.locator("#log-count")).to_have_text("50 of 50004 events shown")
    expect(log).to_contain_text("message number 49000")
    levels = set(log.locator(".log-row span:nth-child(2)").all_inner_texts())
    assert levels == {"WARNING"}
    page.locator("#filter-step").select_option("add.compute")
    expect(page.locator("#log-count")).to_have_text("50 of 50004 events shown")
    screenshot(page, "run-logs")
    page.locator("#filter-text").fill("number 12000")
    expect(page.locator("#log-count")).to_have_text("1 of 50004 events shown")
    page.locator("#filter-text").fill("")
    page.locator("#filter-level").select_option("")
    page.locator("#filter-step").select_option("")
    page.locator("#filter-type").select_option("PipelineStartEvent")
    expect(page.locator("#log-count")).to_have_text("1 of 50004 events shown")


def test_a_dask_run_links_its_dashboard(start_dagit, page, dagster_home):
    server = start_dagit()
    on_dask = {**ADDER, "execution": {"dask": {"cluster": {"local": {"n_workers": 1}}}}}
    run_id = launch(server, "adder", on_dask)
    assert ended(dagster_home, run_id) is PipelineRunStatus.SUCCESS
    page.goto(f"{server.url}/runs/{run_id}")
    link = page.locator("#dask-dashboard")
    assert re.match(r"https?://127\.0\.0\.1:\d+/status", link.get_attribute("href"))


def test_read_only_shows_no_actions_and_an_unknown_run_is_a_404(
    start_dagit, page, tmp_path, dagster_home
):
    server = start_dagit("--read-only", "--path-prefix", "/dagit")
    release = tmp_path / "never"
    config = {"solids": {"wait_for_release": {"config": {"release_file": str(release)}}}}
    instance = DagsterInstance.from_home(str(dagster_home))
    run = instance.create_run("slow", config)
    page.goto(f"{server.url}/runs/{run.run_id}")
    expect(page.locator("#run-status")).to_have_text("NOT_STARTED")
    assert (
        page.locator("button[data-action=terminate], button[data-action^=reexecute]").count() == 0
    )
    assert page.locator("#run-pipeline").get_attribute("href") == "/dagit/pipelines/slow"

    response = page.goto(f"{server.url}/runs/no-such-run")
    assert response.status == 404
    assert "no-such-run" in page.locator("#not-found").inner_text()


def test_a_refused_token_is_shown_in_the_page(start_dagit, page, dagster_home):
    server = start_dagit("--token", "sesame")
    instance = DagsterInstance.from_home(str(dagster_home))
    run = instance.create_run("adder", ADDER)
    instance.store_events(
        [DagsterEvent(DagsterEventType.PIPELINE_FAILURE, run.run_id, "adder", "gave up")]
    )
    page.goto(f"{server.url}/runs/{run.run_id}")
    page.locator("#reexecute-all").click()
    expect(page.locator("#action-error")).to_contain_text("token")


def test_a_run_written_by_another_process_updates_live_and_the_log_follows_its_tail(
    start_dagit, page, dagster_home
):
    instance = DagsterInstance.from_home(str(dagster_home))
    run = instance.create_run("adder", ADDER)
    step = {"step_key": "add.compute", "solid_name": "add"}

    def write(first: int, count: int) -> None:
        instance.store_events(
            [
                DagsterEvent(DagsterEventType.LOG_MESSAGE, run.run_id, "adder", f"line {i}", **step)
                for i in range(first, first + count)
            ]
        )

    instance.store_events(
        [
            DagsterEvent(DagsterEventType.PIPELINE_START, run.run_id, "adder", "started"),
            DagsterEvent(DagsterEventType.STEP_START, run.run_id, "adder", "step", **step),
        ]
    )
    write(0, 200)
    server = start_dagit()
    page.goto(f"{server.url}/runs/{run.run_id}")
    log = page.locator("#log-viewport")
    expect(page.locator("#run-status")).to_have_text("STARTED")
    expect(log).to_contain_text("line 199")

    write(200, 200)  # followed: the newest line comes into view
    expect(log).to_contain_text("line 399", timeout=60_000)
    log.evaluate("e => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); }")
    expect(log).to_contain_text("line 0")
    write(400, 200)  # scrolled up: the view stays where the user is
    expect(page.locator("#log-count")).to_have_text("602 of 602 events shown", timeout=60_000)
    assert log.evaluate("e => e.scrollTop") == 0
    expect(log).to_contain_text("line 0")

    instance.store_events(
        [
            DagsterEvent(DagsterEventType.STEP_SUCCESS, run.run_id, "adder", "ok", **step),
            DagsterEvent(DagsterEventType.PIPELINE_SUCCESS, run.run_id, "adder", "done"),
        ]
    )
    expect(page.locator("#run-status")).to_have_text("SUCCESS", timeout=60_000)
    expect(page.locator('#steps tr[data-step-key="add.compute"]')).to_have_attribute(
        "data-status", "SUCCESS"
    )


def test_the_gantt_spans_the_run_and_a_running_bar_reaches_now():
    rows = [
        StepRow("a.compute", "SUCCESS", 1, 100.0, 102.0),
        StepRow("b.compute", "RUNNING", 2, 102.0, None),
        StepRow("c.compute", "NOT_STARTED", 0, None, None),
    ]
    chart = gantt(rows, run_start=100.0, now=104.0)
    done, running = chart.bars
    assert (done.key, running.key) == ("a.compute", "b.compute")
    assert running.x == done.x + done.width
    assert running.x + running.width == chart.ticks[-1].x  # the axis ends at now: 4s
    assert [tick.label for tick in chart.ticks] == [f"{i / 2:g}s" for i in range(9)]
    assert running.y - done.y == chart.row_height
    assert chart.height == chart.axis_height + 3 * chart.row_height
