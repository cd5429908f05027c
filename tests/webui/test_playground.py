"""The playground in a real browser: a YAML run config validated as you type with each error at
its path and line, YAML syntax errors at their line, presets (launched by name, since their YAML
is shown redacted), the scaffold with defaults, and Launch going to the run, which succeeds;
read-only shows no Launch, and with a token the refusal is shown until the token is typed."""

from __future__ import annotations

import re
import textwrap

from playwright.sync_api import expect
from waiting import wait_until
from webui_support import screenshot

BAD_OFFSET = """\
solids:
  add:
    config:
      offset: "x"
    inputs:
      x: 5
"""
GOOD = BAD_OFFSET.replace('"x"', "3")
NOT_YAML = "solids:\n  add:\n    inputs: [x\n  double: {}\n"
RUN_STATUS = """
query ($runId: String!) {
  pipelineRunOrError(runId: $runId) { __typename ... on PipelineRun { status environmentConfigYaml } }
}
"""
TOKEN_REFUSAL = re.compile("Not launched: .*(token|read-only)", re.IGNORECASE)


def _playground(page, server, pipeline: str = "adder", query: str = "") -> None:
    page.goto(f"{server.url}/pipelines/{pipeline}/playground{query}")
    expect(page.locator("#executor-choices code").first).to_be_visible()


def _type_config(page, text: str) -> None:
    page.locator("#config").fill(text)


def _launched_run_id(page, server) -> str:
    page.wait_for_url(re.compile(r"/runs/[^/]+$"))
    return page.url.rsplit("/", 1)[1]


def _run_ends_with(server, run_id: str, status: str) -> dict:
    def run() -> dict:
        return server.query(RUN_STATUS, {"runId": run_id})["pipelineRunOrError"]

    wait_until(lambda: run()["status"] in ("SUCCESS", "FAILURE", "CANCELED"), 120, "the run to end")
    ended = run()
    assert ended["status"] == status, ended
    return ended


def test_a_bad_config_shows_its_error_at_its_path_and_line_until_fixed(start_dagit, page):
    server = start_dagit()
    _playground(page, server)
    _type_config(page, BAD_OFFSET)
    error = page.locator("#errors .config-error")
    expect(page.locator("#validation-state")).to_have_text("1 error")
    expect(error.locator(".path")).to_have_text("solids.add.config.offset")
    expect(error.locator(".message")).to_have_text('expected Int, got "x"')
    expect(error.locator(".reason")).to_have_text("RUNTIME_TYPE_MISMATCH")
    expect(page.locator('#gutter [data-line="4"]')).to_have_class("marked")
    assert page.locator("#gutter .marked").count() == 1
    expect(page.locator('#line-marks .line-mark[data-line="4"]')).to_be_visible()
    screenshot(page, "playground")

    _type_config(page, GOOD)
    expect(page.locator("#validation-state")).to_have_text("valid")
    expect(page.locator("#gutter .marked")).to_have_count(0)
    expect(page.locator("#errors .config-valid")).to_be_visible()
    screenshot(page, "playground-valid")


def test_a_yaml_syntax_error_names_its_line_and_user_text_stays_text(start_dagit, page):
    server = start_dagit()
    _playground(page, server)
    _type_config(page, NOT_YAML)
    error = page.locator("#errors .config-error")
    expect(error.locator(".message")).to_contain_text("Invalid YAML at line 4, column 9")
    expect(error.locator(".path")).to_have_text("(run config)")
    expect(page.locator('#gutter [data-line="4"]')).to_have_class("marked")

    # a config error quoting the user's text shows it as text and runs nothing
    script = "<img src=x onerror=alert(1)>"
    _type_config(page, BAD_OFFSET.replace('"x"', f'"{script}"'))
    expect(error.locator(".message")).to_have_text(f'expected Int, got "{script}"')
    assert page.locator("#errors img").count() == 0

    # Tab indents by two spaces instead of leaving the editor
    _type_config(page, "solids:\n")
    page.locator("#config").press("End")
    page.locator("#config").press("Control+End")
    page.keyboard.press("Tab")
    page.keyboard.type("add:")
    assert page.locator("#config").input_value() == "solids:\n  add:"
    expect(page.locator("#config")).to_be_focused()


def test_the_scaffold_shows_required_fields_defaults_and_the_executors(start_dagit, page):
    server = start_dagit()
    _playground(page, server)
    expect(page.locator("#executor-choices")).to_have_text("dask, in_process, multiprocess")
    page.locator("#scaffold").click()
    expect(page.locator("#config")).to_have_value(re.compile(r"offset: 1\n"))
    text = page.locator("#config").input_value()
    assert "solids:\n  add:\n    config:\n      offset: 1\n    inputs:\n      x: 0\n" in text
    assert text.startswith("solids:\n")
    assert "\nexecution:  # one of dask | in_process | multiprocess\n  in_process: {}\n" in text
    expect(page.locator("#validation-state")).to_have_text("valid")


def test_a_preset_fills_the_editor_and_mode_and_launches_by_name(start_dagit, page, tmp_path):
    code = tmp_path / "preset_code.py"
    code.write_text(
        textwrap.dedent(
            """
            from dagster_core import Field, ModeDefinition, PresetDefinition, String
            from dagster_core import pipeline, solid

            @solid(config={"url": Field(String)})
            def connect(context):
                assert "hunter2" in context.solid_config["url"], "the preset's own password"

            @pipeline(
                mode_defs=[ModeDefinition("local"), ModeDefinition("prod")],
                preset_defs=[PresetDefinition(
                    "prod_db",
                    {"solids": {"connect": {"config": {"url": "postgresql://app:hunter2@db/x"}}}},
                    mode="prod",
                )],
            )
            def db_pipeline():
                connect()
            """
        )
    )
    server = start_dagit(code=code)
    _playground(page, server, "db_pipeline")
    expect(page.locator("#mode")).to_have_value("local")
    page.locator("#preset").select_option("prod_db")
    expect(page.locator("#mode")).to_have_value("prod")
    expect(page.locator("#config")).to_have_value(re.compile(r"postgresql://app:\*\*\*@db/x"))
    expect(page.locator("#validation-state")).to_have_text("valid")
    page.locator("#launch").click()
    run_id = _launched_run_id(page, server)
    _run_ends_with(server, run_id, "SUCCESS")  # the preset's password, not the *** shown

    # the query parameters preselect, and an unknown pipeline is a 404 naming it
    page.evaluate("sessionStorage.clear()")
    _playground(page, server, "db_pipeline", "?mode=prod")
    expect(page.locator("#mode")).to_have_value("prod")
    expect(page.locator("#preset")).to_have_value("")
    _playground(page, server, "db_pipeline", "?preset=prod_db")
    expect(page.locator("#preset")).to_have_value("prod_db")
    expect(page.locator("#config")).to_have_value(re.compile("connect"))
    response = page.goto(server.url + "/pipelines/nope/playground")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("nope")


def test_launching_goes_to_the_run_which_succeeds_and_back_keeps_the_text(start_dagit, page):
    server = start_dagit()
    _playground(page, server)
    _type_config(page, GOOD)
    expect(page.locator("#validation-state")).to_have_text("valid")
    page.locator("#launch").click()
    run_id = _launched_run_id(page, server)
    # the run view follows it live to the end
    expect(page.locator("#run-status")).to_have_text("SUCCESS")
    expect(page.locator('#steps tr[data-step-key="double.compute"]')).to_have_attribute(
        "data-status", "SUCCESS"
    )
    run = _run_ends_with(server, run_id, "SUCCESS")
    assert "offset: 3" in run["environmentConfigYaml"]
    page.go_back()
    expect(page.locator("#config")).to_have_value(GOOD)


def test_launching_a_bad_config_shows_why_and_keeps_the_text(start_dagit, page):
    server = start_dagit()
    _playground(page, server)
    _type_config(page, BAD_OFFSET)
    page.locator("#launch").click()
    expect(page.locator("#launch-error")).to_have_text("Not launched: the run config has 1 error.")
    expect(page.locator("#config")).to_have_value(BAD_OFFSET)
    assert "/playground" in page.url


def test_read_only_has_no_launch(start_dagit, page):
    server = start_dagit("--read-only")
    _playground(page, server)
    _type_config(page, GOOD)
    expect(page.locator("#validation-state")).to_have_text("valid")
    assert page.locator("#launch").count() == 0


def test_with_a_token_launch_is_refused_until_the_token_is_typed(start_dagit, page):
    server = start_dagit("--token", "s3cret-token")
    _playground(page, server)
    _type_config(page, GOOD)
    page.locator("#launch").click()
    expect(page.locator("#launch-error")).to_have_text(TOKEN_REFUSAL)
    expect(page.locator("#config")).to_have_value(GOOD)
    token = page.locator("#api-token")
    token.fill("s3cret-token")
    token.dispatch_event("change")
    page.locator("#launch").click()
    _run_ends_with(server, _launched_run_id(page, server), "SUCCESS")
