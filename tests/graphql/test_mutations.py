"""The mutations against a real server, as a seed-era client sends them: runs started, launched
(in a child process, on Dask too), re-executed and run step by step with executePlan; runs
terminated and deleted; schedules started and stopped; what is refused (bad config, unknown
names, a taken run id, read-only and token servers); and `dagster-graphql -p`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from waiting import wait_until

from dagster_core.events import DagsterEventType
from dagster_core.graphql.predefined import PREDEFINED
from dagster_core.graphql.schema import READ_ONLY_MESSAGE
from dagster_core.instance import DagsterInstance
from dagster_core.storage import PipelineRunStatus

DAGSTER_GRAPHQL = os.path.join(os.path.dirname(sys.executable), "dagster-graphql")
DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

# Besides conftest's `adder` and `fails`: `waits` blocks until its file exists (to be
# terminated while it runs), `flaky` fails until its file exists (to be retried), and a schedule.
CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import (Field, InputDefinition, Int, ModeDefinition, PresetDefinition,
        ScheduleDefinition, String, default_executors, lambda_solid, pipeline, schedules, solid)
    from dagster_dask import dask_executor

    @solid(config={"offset": Field(Int, default_value=1)}, input_defs=[InputDefinition("x", Int)])
    def add(context, x):
        return x + context.solid_config["offset"]

    @lambda_solid
    def double(value):
        return value * 2

    @pipeline(
        mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])],
        preset_defs=[PresetDefinition("five", {"solids": {"add": {"inputs": {"x": 5}}}})],
        tags={"team": "graphql"},
    )
    def adder():
        double(add())

    @solid(config={"path": Field(String)})
    def wait_for_file(context):
        while not os.path.exists(context.solid_config["path"]):
            time.sleep(0.05)

    @pipeline
    def waits():
        wait_for_file()

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

    @schedules
    def define_schedules():
        return [ScheduleDefinition("nightly", "0 2 * * *", "adder", {"solids": {"add": {"inputs": {"x": 5}}}})]
    """
)
RECORDING_SCHEDULER = textwrap.dedent(
    """
    from dagster_core.scheduler import Scheduler

    class RecordingScheduler(Scheduler):
        def start_schedule(self, instance, schedule):
            pass

        def stop_schedule(self, instance, schedule_name):
            pass

        def wipe(self, instance):
            pass
    """
)
FILESYSTEM = {"storage": {"filesystem": {}}}
ADDER = {"solids": {"add": {"inputs": {"x": 5}}}}
START = """
mutation ($params: ExecutionParams!) {
  startPipelineExecution(executionParams: $params) {
    __typename
    ... on StartPipelineExecutionSuccess { run { runId status tags { key value } } }
    ... on PipelineConfigValidationInvalid { pipelineName errors { message path reason } }
    ... on PipelineNotFoundError { pipelineName message }
    ... on ModeNotFoundError { mode message }
    ... on PresetNotFoundError { preset message }
    ... on RunConflict { message }
    ... on PythonError { message }
  }
}
"""
LAUNCH = """
mutation ($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchPipelineExecutionSuccess { run { runId pipelineName status } }
    ... on PipelineRunNotFoundError { runId message }
    ... on InvalidStepError { invalidStepKey message }
    ... on PythonError { message }
  }
}
"""
EXECUTE_PLAN = """
mutation ($params: ExecutionParams!) {
  executePlan(executionParams: $params) {
    __typename
    ... on ExecutePlanSuccess {
      pipeline { name }
      hasFailures
      stepEvents { __typename ... on MessageEvent { stepKey runId } }
    }
    ... on InvalidStepError { invalidStepKey message }
    ... on PipelineConfigValidationInvalid { errors { path } }
    ... on PythonError { message }
  }
}
"""
TERMINATE = """
mutation ($runId: String!) {
  terminatePipelineExecution(runId: $runId) {
    __typename
    ... on TerminatePipelineExecutionSuccess { run { runId } }
    ... on TerminatePipelineExecutionFailure { message }
    ... on PipelineRunNotFoundError { runId message }
  }
}
"""
CANCEL = """
mutation ($runId: String!) {
  cancelPipelineExecution(runId: $runId) {
    __typename
    ... on CancelPipelineExecutionFailure { message }
    ... on PipelineRunNotFoundError { runId message }
  }
}
"""
DELETE = """
mutation ($runId: String!) {
  deletePipelineRun(runId: $runId) {
    __typename
    ... on DeletePipelineRunSuccess { runId }
    ... on DeletePipelineRunFailure { message }
    ... on PipelineRunNotFoundError { runId }
  }
}
"""


@pytest.fixture
def code(tmp_path):
    path = tmp_path / "exec_code.py"
    path.write_text(CODE)
    return path


@pytest.fixture
def instance(dagster_home):
    instance = DagsterInstance.from_home(str(dagster_home))
    yield instance
    instance.dispose()


def params(pipeline: str, config: dict | None = None, **more) -> dict:
    return {"params": {"selector": {"name": pipeline}, "environmentConfigData": config, **more}}


def ended(instance: DagsterInstance, run_id: str, status: PipelineRunStatus):
    """Wait for the run to end; it must end with `status`."""
    finished = (PipelineRunStatus.SUCCESS, PipelineRunStatus.FAILURE, PipelineRunStatus.CANCELED)
    wait_until(lambda: instance.get_run_by_id(run_id).status in finished, 120, "the run to end")
    run = instance.get_run_by_id(run_id)
    assert run.status is status, (run.status_message, instance.all_logs(run_id)[-3:])
    return run


def step_ends(instance: DagsterInstance, run_id: str) -> dict[str, str]:
    return {
        e.step_key: e.event_type.value
        for e in instance.all_logs(run_id)
        if e.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE)
    }


def test_a_started_run_returns_at_once_and_runs_to_success(start_server, code, instance):
    server = start_server(code=code)
    tags = {"tags": [{"key": "who", "value": "test"}]}
    answer = server.query(START, params("adder", ADDER, executionMetadata=tags))
    started = answer["startPipelineExecution"]
    assert started["__typename"] == "StartPipelineExecutionSuccess"
    run = started["run"]
    assert run["status"] in ("NOT_STARTED", "STARTED", "SUCCESS")
    assert {"key": "who", "value": "test"} in run["tags"]
    assert {"key": "team", "value": "graphql"} in run["tags"]
    assert server.query("{ version }")  # the server answers while the run goes on
    record = ended(instance, run["runId"], PipelineRunStatus.SUCCESS)
    assert record.pid != server.process.pid  # driven by a child process, not the server
    assert step_ends(instance, run["runId"]) == {
        "add.compute": "STEP_SUCCESS",
        "double.compute": "STEP_SUCCESS",
    }


def test_a_launched_run_runs_in_a_child_process_and_on_dask(start_server, code, instance):
    server = start_server(code=code)
    launched = server.query(LAUNCH, params("adder", ADDER))["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchPipelineExecutionSuccess", launched
    assert launched["run"]["pipelineName"] == "adder"
    record = ended(instance, launched["run"]["runId"], PipelineRunStatus.SUCCESS)
    assert record.pid not in (None, server.process.pid, os.getpid())

    on_dask = {
        **ADDER,
        **FILESYSTEM,
        "execution": {"dask": {"cluster": {"local": {"n_workers": 1}}}},
    }
    launched = server.query(LAUNCH, params("adder", on_dask))["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchPipelineExecutionSuccess", launched
    run_id = launched["run"]["runId"]
    ended(instance, run_id, PipelineRunStatus.SUCCESS)
    start = next(e for e in instance.all_logs(run_id) if e.event_type.value == "PIPELINE_START")
    assert "dask executor" in start.message
    assert set(step_ends(instance, run_id).values()) == {"STEP_SUCCESS"}


def test_execute_plan_runs_one_step_of_a_run_at_a_time(start_server, code, instance):
    server = start_server(code=code)
    config = {**ADDER, **FILESYSTEM}
    first = server.query(
        EXECUTE_PLAN,
        params("adder", config, stepKeys=["add.compute"], executionMetadata={"runId": "plan-1"}),
    )["executePlan"]
    assert first["__typename"] == "ExecutePlanSuccess", first
    assert first["pipeline"] == {"name": "adder"} and first["hasFailures"] is False
    assert {e["stepKey"] for e in first["stepEvents"]} == {"add.compute"}
    assert {e["runId"] for e in first["stepEvents"]} == {"plan-1"}
    assert "ExecutionStepSuccessEvent" in {e["__typename"] for e in first["stepEvents"]}
    assert step_ends(instance, "plan-1") == {"add.compute": "STEP_SUCCESS"}

    second = server.query(
        EXECUTE_PLAN,
        params("adder", config, stepKeys=["double.compute"], executionMetadata={"runId": "plan-1"}),
    )["executePlan"]
    assert second["__typename"] == "ExecutePlanSuccess" and not second["hasFailures"], second
    assert step_ends(instance, "plan-1") == {
        "add.compute": "STEP_SUCCESS",
        "double.compute": "STEP_SUCCESS",
    }

    unknown = server.query(
        EXECUTE_PLAN,
        params("adder", config, stepKeys=["nope.compute"], executionMetadata={"runId": "plan-2"}),
    )["executePlan"]
    assert unknown["__typename"] == "InvalidStepError"
    assert unknown["invalidStepKey"] == "nope.compute" and "add.compute" in unknown["message"]
    assert instance.get_run_by_id("plan-2") is None  # nothing ran: no run is left behind


def test_a_running_run_is_terminated_then_deleted(start_server, code, instance, tmp_path):
    server = start_server(code=code)
    config = {
        "solids": {"wait_for_file": {"config": {"path": str(tmp_path / "never")}}},
        "execution": {"multiprocess": {}},
        **FILESYSTEM,
    }
    run_id = server.query(START, params("waits", config))["startPipelineExecution"]["run"]["runId"]
    wait_until(
        lambda: any(e.event_type.value == "STEP_START" for e in instance.all_logs(run_id)),
        120,
        "the step to start",
    )
    refused = server.query(DELETE, {"runId": run_id})["deletePipelineRun"]
    assert refused["__typename"] == "DeletePipelineRunFailure" and "running" in refused["message"]

    terminated = server.query(TERMINATE, {"runId": run_id})["terminatePipelineExecution"]
    assert terminated == {
        "__typename": "TerminatePipelineExecutionSuccess",
        "run": {"runId": run_id},
    }
    ended(instance, run_id, PipelineRunStatus.CANCELED)

    again = server.query(TERMINATE, {"runId": run_id})["terminatePipelineExecution"]
    assert again["__typename"] == "TerminatePipelineExecutionFailure"
    assert "not running (status CANCELED)" in again["message"]
    cancel = server.query(CANCEL, {"runId": run_id})["cancelPipelineExecution"]
    assert cancel["__typename"] == "CancelPipelineExecutionFailure"

    deleted = server.query(DELETE, {"runId": run_id})["deletePipelineRun"]
    assert deleted == {"__typename": "DeletePipelineRunSuccess", "runId": run_id}
    assert instance.get_run_by_id(run_id) is None and instance.all_logs(run_id) == []
    for query, field in ((TERMINATE, "terminatePipelineExecution"), (DELETE, "deletePipelineRun")):
        missing = server.query(query, {"runId": run_id})[field]
        assert missing["__typename"] == "PipelineRunNotFoundError"
        assert missing["runId"] == run_id


def test_retry_run_id_re_executes_from_failure_or_the_given_steps(
    start_server, code, instance, tmp_path
):
    server = start_server(code=code)
    flag = tmp_path / "ready"
    config = {"solids": {"fail_until_file": {"config": {"path": str(flag)}}}, **FILESYSTEM}
    first = server.query(LAUNCH, params("flaky", config))["launchPipelineExecution"]["run"]
    ended(instance, first["runId"], PipelineRunStatus.FAILURE)
    flag.write_text("")

    retry = server.query(LAUNCH, params("flaky", config, retryRunId=first["runId"]))
    retried = retry["launchPipelineExecution"]["run"]["runId"]
    run = ended(instance, retried, PipelineRunStatus.SUCCESS)
    assert run.parent_run_id == first["runId"]
    assert run.tags["dagster/is_resume_retry"] == "true"
    assert step_ends(instance, retried) == {"fail_until_file.compute": "STEP_SUCCESS"}

    again = server.query(
        LAUNCH, params("flaky", config, retryRunId=retried, stepKeys=["fail_until_file.compute"])
    )["launchPipelineExecution"]["run"]["runId"]
    ended(instance, again, PipelineRunStatus.SUCCESS)
    assert step_ends(instance, again) == {"fail_until_file.compute": "STEP_SUCCESS"}

    unknown = server.query(LAUNCH, params("flaky", config, retryRunId="nope"))
    assert unknown["launchPipelineExecution"] == {
        "__typename": "PipelineRunNotFoundError",
        "runId": "nope",
        "message": "No run nope to re-execute in the instance",
    }
    bad_step = server.query(
        LAUNCH, params("flaky", config, retryRunId=retried, stepKeys=["nope.compute"])
    )["launchPipelineExecution"]
    assert bad_step["__typename"] == "InvalidStepError"
    assert bad_step["invalidStepKey"] == "nope.compute"


def test_what_is_refused_records_no_run(start_server, code, instance):
    server = start_server(code=code)

    def start(variables):
        return server.query(START, variables)["startPipelineExecution"]

    invalid = start(params("adder", {"solids": {"add": {"config": {"offset": "x"}}}}))
    assert invalid["__typename"] == "PipelineConfigValidationInvalid"
    assert invalid["pipelineName"] == "adder"
    paths = sorted(tuple(e["path"]) for e in invalid["errors"])
    assert len(paths) == 2, invalid  # every error at once: the bad offset and the missing input
    assert ("solids", "add", "config", "offset") in paths
    assert all(e["reason"] and e["message"] for e in invalid["errors"])

    missing = start(params("nope", {}))
    assert missing["__typename"] == "PipelineNotFoundError" and "adder" in missing["message"]
    mode = start(params("adder", ADDER, mode="fast"))
    assert mode == {
        "__typename": "ModeNotFoundError",
        "mode": "fast",
        "message": "Pipeline 'adder' has no mode 'fast' (modes: default)",
    }
    preset = start(params("adder", None, preset="six"))
    assert preset["__typename"] == "PresetNotFoundError" and "five" in preset["message"]
    assert instance.get_runs() == []

    by_preset = start(params("adder", None, preset="five", executionMetadata={"runId": "mine"}))
    assert by_preset["__typename"] == "StartPipelineExecutionSuccess", by_preset
    conflict = start(params("adder", ADDER, executionMetadata={"runId": "mine"}))
    assert conflict["__typename"] == "RunConflict" and "mine" in conflict["message"]
    ended(instance, "mine", PipelineRunStatus.SUCCESS)
    assert [r.run_id for r in instance.get_runs()] == ["mine"]


def test_read_only_and_token_servers_refuse_mutations(start_server, code, instance):
    for server, token in (
        (start_server("--read-only", code=code), None),
        (start_server("--token", "T", code=code), "wrong"),
    ):
        status, body = server.post(START, params("adder", ADDER), token=token)
        assert status == 200 and body["data"] is None
        assert body["errors"][0]["message"] == READ_ONLY_MESSAGE
        assert server.query("{ version }")  # queries still work
    status, body = server.post(START, params("adder", ADDER))
    assert body["errors"][0]["message"] == READ_ONLY_MESSAGE
    assert instance.get_runs() == []

    answer = server.query(START, params("adder", ADDER), token="T")
    run_id = answer["startPipelineExecution"]["run"]["runId"]
    ended(instance, run_id, PipelineRunStatus.SUCCESS)


def test_schedules_start_and_stop(start_server, code, dagster_home, tmp_path):
    (tmp_path / "recording_scheduler.py").write_text(RECORDING_SCHEDULER)
    (dagster_home / "dagster.yaml").write_text(
        "scheduler: {module: recording_scheduler, class: RecordingScheduler}\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "PYTHONPATH": str(tmp_path)}
    up = subprocess.run(
        [DAGSTER, "schedule", "up", "-f", str(code)], env=env, capture_output=True, text=True
    )
    assert up.returncode == 0, up.stderr
    server = start_server(code=code, env={"PYTHONPATH": str(tmp_path)})
    query = """
    mutation ($name: String!) {
      %s(scheduleName: $name) {
        __typename
        ... on RunningSchedule { status scheduleDefinition { name pipelineName } }
        ... on ScheduleNotFoundError { scheduleName message }
      }
    }"""
    stopped = server.query(query % "stopRunningSchedule", {"name": "nightly"})
    assert stopped["stopRunningSchedule"] == {
        "__typename": "RunningSchedule",
        "status": "STOPPED",
        "scheduleDefinition": {"name": "nightly", "pipelineName": "adder"},
    }
    started = server.query(query % "startSchedule", {"name": "nightly"})
    assert started["startSchedule"]["status"] == "RUNNING"
    missing = server.query(query % "startSchedule", {"name": "nope"})["startSchedule"]
    assert missing["__typename"] == "ScheduleNotFoundError" and "nightly" in missing["message"]


def test_the_command_runs_predefined_operations_in_process_and_on_a_server(
    start_server, code, instance, dagster_home
):
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}

    def run(*args):
        return subprocess.run(
            [DAGSTER_GRAPHQL, *args], capture_output=True, text=True, env=env, timeout=300
        )

    plan = {
        "executionParams": {
            "selector": {"name": "adder"},
            "environmentConfigData": ADDER,
            "executionMetadata": {"runId": "cli-plan"},
        }
    }
    local = run("-f", str(code), "-p", "executePlan", "-v", json.dumps(plan))
    assert local.returncode == 0, local.stdout + local.stderr
    answer = json.loads(local.stdout)["data"]["executePlan"]
    assert answer["__typename"] == "ExecutePlanSuccess" and answer["hasFailures"] is False
    assert {e["stepKey"] for e in answer["stepEvents"]} == {"add.compute", "double.compute"}

    started = run(
        "-f",
        str(code),
        "-p",
        "startPipelineExecution",
        "-v",
        json.dumps({"executionParams": {"selector": {"name": "adder"}, "preset": "five"}}),
    )
    assert started.returncode == 0, started.stdout + started.stderr
    run_id = json.loads(started.stdout)["data"]["startPipelineExecution"]["run"]["runId"]
    ended(instance, run_id, PipelineRunStatus.SUCCESS)  # the run outlives the command

    server = start_server(code=code)
    variables = {"executionParams": {"selector": {"name": "adder"}, "environmentConfigData": ADDER}}
    remote = run("-r", server.url, "-p", "launchPipelineExecution", "-v", json.dumps(variables))
    assert remote.returncode == 0, remote.stdout + remote.stderr
    launched = json.loads(remote.stdout)["data"]["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchPipelineExecutionSuccess"
    ended(instance, launched["run"]["runId"], PipelineRunStatus.SUCCESS)

    invalid = run(
        "-r",
        server.url,
        "-p",
        "launchPipelineExecution",
        "-v",
        json.dumps(
            {"executionParams": {"selector": {"name": "adder"}, "environmentConfigData": {}}}
        ),
    )
    assert invalid.returncode == 0  # errors as data, not GraphQL errors
    body = json.loads(invalid.stdout)["data"]["launchPipelineExecution"]
    assert body["__typename"] == "PipelineConfigValidationInvalid"
    assert body["errors"] == [
        {
            "message": 'missing required field "solids" (Dict)',
            "path": [],
            "reason": "MISSING_REQUIRED_FIELD",
        }
    ]
    assert set(PREDEFINED) == {"startPipelineExecution", "launchPipelineExecution", "executePlan"}


RECORDING_LAUNCHER = textwrap.dedent(
    """
    from dagster_core import Field, String
    from dagster_core.launcher import RunLauncher

    class RecordingLauncher(RunLauncher):
        def __init__(self, path):
            self.path = path

        @classmethod
        def config_schema(cls):
            return {"path": Field(String)}

        def launch_run(self, instance, run, pipeline, environment_dict=None):
            with open(self.path, "a") as f:
                f.write(f"{run.run_id} {pipeline.name} {sorted(environment_dict)}\\n")
            return run
    """
)


def test_the_run_launcher_is_the_one_dagster_yaml_names(start_server, code, dagster_home, tmp_path):
    (tmp_path / "recording_launcher.py").write_text(RECORDING_LAUNCHER)
    launched = tmp_path / "launched.txt"
    (dagster_home / "dagster.yaml").write_text(
        "run_launcher:\n  module: recording_launcher\n  class: RecordingLauncher\n"
        f"  config: {{path: {launched}}}\n"
    )
    server = start_server(code=code, env={"PYTHONPATH": str(tmp_path)})
    answer = server.query(LAUNCH, params("adder", ADDER))["launchPipelineExecution"]
    assert answer["__typename"] == "LaunchPipelineExecutionSuccess"
    assert answer["run"]["status"] == "NOT_STARTED"  # this launcher only writes it down
    assert launched.read_text() == f"{answer['run']['runId']} adder ['solids']\n"


def test_a_run_whose_process_dies_is_marked_failure(start_server, code, instance, tmp_path):
    server = start_server(code=code)
    config = {"solids": {"wait_for_file": {"config": {"path": str(tmp_path / "never")}}}}
    run_id = server.query(LAUNCH, params("waits", config))["launchPipelineExecution"]["run"][
        "runId"
    ]
    wait_until(
        lambda: instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED,
        120,
        "the run to start",
    )
    os.kill(instance.get_run_by_id(run_id).pid, signal.SIGKILL)
    run = ended(instance, run_id, PipelineRunStatus.FAILURE)
    assert "is gone" in run.status_message


def test_credentials_in_run_config_never_come_back(start_server, code, instance):
    server = start_server(code=code)
    secret_url = "postgresql://me:hunter2@db.example/x"
    bad = {"solids": {"add": {"inputs": {"x": 5}, "config": {"offset": secret_url}}}}
    status, body = server.post(START, params("adder", bad))
    assert status == 200
    assert body["data"]["startPipelineExecution"]["__typename"] == "PipelineConfigValidationInvalid"
    assert "hunter2" not in json.dumps(body) and "***" in json.dumps(body)

    config = {"solids": {"fail_until_file": {"config": {"path": secret_url}}}}
    query = """mutation ($params: ExecutionParams!) {
      launchPipelineExecution(executionParams: $params) {
        ... on LaunchPipelineExecutionSuccess { run { runId environmentConfigYaml } }
      }
    }"""
    status, body = server.post(query, params("flaky", config))
    assert status == 200
    run = body["data"]["launchPipelineExecution"]["run"]
    assert "hunter2" not in json.dumps(body) and "me:***@db.example" in run["environmentConfigYaml"]
    ended(instance, run["runId"], PipelineRunStatus.FAILURE)  # the step got the real path
    assert "hunter2" not in json.dumps([e.message for e in instance.all_logs(run["runId"])])


def test_a_started_run_outlives_the_server_and_ends(start_server, code, instance, tmp_path):
    server = start_server(code=code)
    flag = tmp_path / "go"
    config = {"solids": {"wait_for_file": {"config": {"path": str(flag)}}}}
    run_id = server.query(START, params("waits", config))["startPipelineExecution"]["run"]["runId"]
    wait_until(
        lambda: instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED,
        120,
        "the run to start",
    )
    server.process.terminate()
    assert server.process.wait(timeout=60) is not None
    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED  # its child lives
    flag.write_text("")
    ended(instance, run_id, PipelineRunStatus.SUCCESS)
