"""What no page may do, across every screen: run a user's string as HTML or script, or show a
secret from config or the environment."""

from __future__ import annotations

import textwrap

from playwright.sync_api import expect
from waiting import wait_until

from dagster_core import DagsterInstance
from dagster_core.storage.runs import PipelineRunStatus

SECRET_URL = "postgresql://app:hunter2-in-url@db.internal:5432/app"
SECRET_ENV = "WEBUI_TEST_API_KEY"
SECRET_VALUE = "sk-env-secret-0042"

CODE = textwrap.dedent(
    """
    from dagster_core import Field, String, StringSource, pipeline, solid

    @solid(config={"db_url": Field(String), "api_key": Field(StringSource), "note": Field(String)})
    def shout(context):
        context.log.info("<script>window.__xss = 'log'</script>")
        print("<img src=x onerror=\\"window.__xss = 'stdout'\\">")
        return context.solid_config["note"]

    @pipeline(
        description="<b onmouseover=\\"window.__xss = 'description'\\">bold?</b>",
        tags={"owner": "<script>window.__xss = 'tag'</script>"},
    )
    def shouty():
        shout()
    """
)
CONFIG = {
    "solids": {
        "shout": {
            "config": {
                "db_url": SECRET_URL,
                "api_key": {"env": SECRET_ENV},
                "note": "<script>window.__xss = 'output'</script>",
            }
        }
    },
    "storage": {"filesystem": {}},
}
LAUNCH = """
mutation ($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchPipelineExecutionSuccess { run { runId } }
  }
}
"""


def test_no_screen_runs_a_users_string_or_shows_a_secret(start_dagit, page, tmp_path, dagster_home):
    code = tmp_path / "shouty.py"
    code.write_text(CODE)
    server = start_dagit(code=code, env={SECRET_ENV: SECRET_VALUE})
    params = {"selector": {"name": "shouty"}, "environmentConfigData": CONFIG}
    answer = server.query(LAUNCH, {"params": params})["launchPipelineExecution"]
    assert answer["__typename"] == "LaunchPipelineExecutionSuccess", answer
    run_id = answer["run"]["runId"]
    instance = DagsterInstance.from_home(str(dagster_home))
    wait_until(
        lambda: instance.get_run_by_id(run_id).status == PipelineRunStatus.SUCCESS,
        120,
        "the run to succeed",
    )

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def visit(path: str, shown: str) -> None:
        page.goto(server.url + path)
        expect(page.locator("main")).to_contain_text(shown)
        assert page.evaluate("window.__xss") is None, path
        content = page.content()
        for secret in ("hunter2-in-url", SECRET_VALUE):
            assert secret not in content, (path, secret)

    visit("/", "bold?")
    expect(page.locator(".pipeline .description")).to_have_text(
        "<b onmouseover=\"window.__xss = 'description'\">bold?</b>"
    )
    visit("/pipelines/shouty#solid=shout", "db_url")
    visit("/pipelines/shouty/playground", "Launch")
    visit("/runs", "<script>window.__xss = 'tag'</script>")
    visit(f"/runs/{run_id}", "<script>window.__xss = 'log'</script>")
    expect(page.locator("#run-config")).to_contain_text(f"env: {SECRET_ENV}")
    expect(page.locator("#run-config")).to_contain_text("app:***@db.internal")
    page.locator('#steps button[data-step-key="shout.compute"]').click()
    expect(page.locator("#compute-log")).to_contain_text("<img src=x onerror=")
    assert page.evaluate("window.__xss") is None
    visit(f"/runs/{run_id}/steps/shout.compute", "<script>window.__xss = 'output'</script>")
    assert dialogs == []
