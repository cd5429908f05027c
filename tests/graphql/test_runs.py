"""Runs, events, instance and schedules as a client of a real server reads them: the seed's
query shapes (`pipelineRunsOrError`, `pipelineRunOrError { logs { nodes } }`, `stepStats`,
`pipelineRunTags`, `instance { info }`, `scheduler`, `scheduleOrError`), errors as data, and no
secret in any response."""

from __future__ import annotations

import json

import pytest
from run_helpers import CODE, load_code, postgres_home, run_now

from dagster_core import DagsterInstance
from dagster_core.definitions.schedule import SCHEDULE_NAME_TAG
from dagster_core.graphql import GraphQLContext, Workspace, execute_query
from dagster_core.storage.schedules import Schedule, ScheduleStatus


@pytest.fixture
def run_code(tmp_path):
    path = tmp_path / "run_code.py"
    path.write_text(CODE)
    return path


RUNS = """
query Runs($filter: PipelineRunsFilter, $cursor: String, $limit: Int) {
  pipelineRunsOrError(filter: $filter, cursor: $cursor, limit: $limit) {
    __typename
    ... on PipelineRuns { results { runId pipelineName status tags { key value } } }
    ... on InvalidPipelineRunsFilterError { message }
  }
}
"""


def run_ids(server, **variables) -> list[str]:
    runs = server.query(RUNS, variables)["pipelineRunsOrError"]
    assert runs["__typename"] == "PipelineRuns", runs
    return [run["runId"] for run in runs["results"]]


def test_runs_are_listed_newest_first_filtered_and_paged(start_server, dagster_home):
    instance = DagsterInstance.from_home(str(dagster_home))
    made = [
        instance.create_run("etl" if i % 2 else "ml", tags={"team": "a" if i < 3 else "b"})
        for i in range(6)
    ]
    newest_first = [run.run_id for run in reversed(made)]
    server = start_server()

    assert run_ids(server) == newest_first
    assert run_ids(server, filter={"pipelineName": "etl"}) == newest_first[0::2]
    assert run_ids(server, filter={"tags": [{"key": "team", "value": "a"}]}) == newest_first[3:]
    assert run_ids(
        server, filter={"pipelineName": "ml", "tags": [{"key": "team", "value": "b"}]}
    ) == [made[4].run_id]
    assert run_ids(server, filter={"status": "NOT_STARTED"}, limit=2) == newest_first[:2]
    assert run_ids(server, filter={"status": "SUCCESS"}) == []
    assert run_ids(server, filter={"runId": made[2].run_id}) == [made[2].run_id]
    assert run_ids(server, filter={"runId": made[2].run_id, "pipelineName": "etl"}) == []

    pages, cursor = [], None
    while page := run_ids(server, cursor=cursor, limit=4):
        pages.append(page)
        cursor = page[-1]
    assert pages == [newest_first[:4], newest_first[4:]]

    bad = server.query(RUNS, {"cursor": "no-such-run"})["pipelineRunsOrError"]
    assert bad["__typename"] == "InvalidPipelineRunsFilterError"
    assert "no-such-run" in bad["message"]
    status, body = server.post(RUNS, {"filter": {"status": "DONE"}})
    assert status == 200 and "DONE" in body["errors"][0]["message"]


RUN = """
query Run($runId: String!, $after: Cursor, $limit: Int) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRunNotFoundError { runId message }
    ... on PipelineRun {
      runId pipelineName status mode solidSubset parentRunId canCancel environmentConfigYaml
      tags { key value }
      stats { stepsSucceeded stepsFailed materializations expectations startTime endTime }
      stepStats { stepKey status attempts startTime endTime }
      computeLogs(stepKey: "talk.compute") { stdout { data cursor } stderr { data } }
      daskDashboardUrl
      logs(after: $after, limit: $limit) {
        pageInfo { lastCursor hasNextPage count totalCount }
        nodes {
          __typename
          ... on MessageEvent { runId message timestamp level stepKey attempt step { key } }
          ... on ExecutionStepFailureEvent {
            error { message className }
            failureMetadata { label description metadataEntries { label ... on EventTextMetadataEntry { text } } }
          }
          ... on ExecutionStepOutputEvent { outputName typeName }
          ... on ExecutionStepInputEvent { inputName }
          ... on StepMaterializationEvent {
            materialization { label description metadataEntries { label ... on EventTextMetadataEntry { text } } }
          }
          ... on StepExpectationResultEvent { expectationResult { success label } }
          ... on ObjectStoreOperationEvent { operationResult { op } }
          ... on PipelineFailureEvent { pipelineName }
          ... on ExecutionStepUpForRetryEvent { error { message } }
        }
      }
    }
  }
}
"""


def test_a_run_with_its_config_events_stats_and_compute_logs(start_server, dagster_home, run_code):
    config = {"solids": {"talk": {"config": {"gate": ""}}}}
    run_id = run_now(dagster_home, run_code, "gated", environment_dict=config, tags={"t": "1"})
    server = start_server(code=run_code)

    run = server.query(RUN, {"runId": run_id})["pipelineRunOrError"]
    assert run["__typename"] == "PipelineRun"
    assert (run["runId"], run["pipelineName"], run["status"], run["mode"]) == (
        run_id, "gated", "SUCCESS", "default"
    )  # fmt: skip
    assert run["tags"] == [{"key": "t", "value": "1"}] and run["canCancel"] is False
    assert "gate: ''" in run["environmentConfigYaml"]
    assert run["stats"]["stepsSucceeded"] == 2 and run["stats"]["stepsFailed"] == 0
    assert run["stats"]["materializations"] == 1 and run["stats"]["expectations"] == 1
    assert run["stats"]["startTime"] <= run["stats"]["endTime"]
    assert [(s["stepKey"], s["status"], s["attempts"]) for s in run["stepStats"]] == [
        ("talk.compute", "SUCCESS", 1),
        ("double.compute", "SUCCESS", 1),
    ]
    assert run["computeLogs"]["stdout"]["data"] == "first line\nsecond line\n"
    assert run["daskDashboardUrl"] is None

    nodes = run["logs"]["nodes"]
    stored = DagsterInstance.from_home(str(dagster_home)).all_logs(run_id)
    assert [node["message"] for node in nodes] == [event.message for event in stored]
    assert run["logs"]["pageInfo"] == {
        "lastCursor": str(len(stored) - 1),
        "hasNextPage": False,
        "count": len(stored),
        "totalCount": len(stored),
    }
    kinds = [node["__typename"] for node in nodes]
    assert kinds[0] == "PipelineStartEvent" and kinds[-1] == "PipelineSuccessEvent"
    for kind in (
        "ExecutionStepStartEvent",
        "LogMessageEvent",
        "StepMaterializationEvent",
        "StepExpectationResultEvent",
        "ExecutionStepOutputEvent",
        "ObjectStoreOperationEvent",
        "ExecutionStepInputEvent",
        "ExecutionStepSuccessEvent",
    ):
        assert kind in kinds
    log = nodes[kinds.index("LogMessageEvent")]
    assert log["message"] == "passed the gate" and log["level"] == "INFO"
    assert log["stepKey"] == "talk.compute" and log["step"] == {"key": "talk.compute"}
    assert log["runId"] == run_id and log["attempt"] == 1 and int(log["timestamp"]) > 0
    materialized = nodes[kinds.index("StepMaterializationEvent")]["materialization"]
    assert materialized == {
        "label": "table",
        "description": "rows written",
        "metadataEntries": [{"label": "rows", "text": "5"}],
    }

    page = server.query(RUN, {"runId": run_id, "after": 2, "limit": 3})["pipelineRunOrError"]
    assert [n["message"] for n in page["logs"]["nodes"]] == [e.message for e in stored[3:6]]
    assert page["logs"]["pageInfo"]["lastCursor"] == "5"
    assert page["logs"]["pageInfo"]["hasNextPage"] is True


def test_a_failed_and_a_retried_run_show_their_errors_and_attempts(
    start_server, dagster_home, run_code
):
    failed = run_now(dagster_home, run_code, "failing")
    retried = run_now(dagster_home, run_code, "retrying")
    server = start_server(code=run_code)

    run = server.query(RUN, {"runId": failed})["pipelineRunOrError"]
    assert run["status"] == "FAILURE" and run["stats"]["stepsFailed"] == 1
    assert run["stepStats"][1] == {**run["stepStats"][1], "stepKey": "refuse.compute"}
    assert run["stepStats"][1]["status"] == "FAILURE"
    nodes = run["logs"]["nodes"]
    failure = next(n for n in nodes if n["__typename"] == "ExecutionStepFailureEvent")
    assert failure["message"] == "too big" and failure["level"] == "ERROR"
    assert failure["error"]["className"] == "Failure"
    assert failure["failureMetadata"] == {
        "label": "intentional-failure",
        "description": "too big",
        "metadataEntries": [{"label": "n", "text": "5"}],
    }
    assert nodes[-1]["__typename"] == "PipelineFailureEvent"

    run = server.query(RUN, {"runId": retried})["pipelineRunOrError"]
    assert run["status"] == "SUCCESS"
    assert [(s["stepKey"], s["status"], s["attempts"]) for s in run["stepStats"]] == [
        ("flaky.compute", "SUCCESS", 2)
    ]
    kinds = [(n["__typename"], n["attempt"]) for n in run["logs"]["nodes"] if n["stepKey"]]
    assert ("ExecutionStepUpForRetryEvent", 1) in kinds
    assert ("ExecutionStepRestartEvent", 2) in kinds


def test_an_unknown_run_is_a_not_found_error(start_server):
    server = start_server()
    run = server.query(RUN, {"runId": "nope"})["pipelineRunOrError"]
    assert run == {
        "__typename": "PipelineRunNotFoundError",
        "runId": "nope",
        "message": "No run with id 'nope'",
    }


def test_run_tags_instance_info_and_config_hide_secrets(
    start_server, dagster_home, fresh_postgres_url, monkeypatch
):
    secret_url = fresh_postgres_url.replace("postgres@", "postgres:hunter2secret@")
    monkeypatch.setenv("DAGSTER_PG_URL", secret_url)
    postgres_home(dagster_home)
    instance = DagsterInstance.from_home(str(dagster_home))
    run = instance.create_run(
        "etl",
        environment_dict={"resources": {"db": {"config": {"url": secret_url}}}},
        tags={"team": "b", "env": "prod"},
    )
    instance.create_run("etl", tags={"team": "a"})
    server = start_server()

    data = server.query(
        """query($runId: String!) {
          pipelineRunTags { key values }
          instance { info }
          pipelineRunOrError(runId: $runId) { ... on PipelineRun { environmentConfigYaml } }
        }""",
        {"runId": run.run_id},
    )
    assert data["pipelineRunTags"] == [
        {"key": "env", "values": ["prod"]},
        {"key": "team", "values": ["a", "b"]},
    ]
    assert "storage_backends.postgres.PostgresRunStorage" in data["instance"]["info"]
    assert "DAGSTER_PG_URL" in data["instance"]["info"]
    assert "postgres:***@" in data["pipelineRunOrError"]["environmentConfigYaml"]
    assert "hunter2secret" not in json.dumps(data)
    assert "hunter2secret" not in server.log.read_text()


def test_schedules_with_their_state_next_fire_time_and_runs(start_server, dagster_home):
    instance = DagsterInstance.from_home(str(dagster_home))
    for name, status in (("nightly", ScheduleStatus.RUNNING), ("hourly", ScheduleStatus.STOPPED)):
        instance.schedule_storage.add_schedule(
            Schedule(name, "etl", "0 * * * *", status, fingerprint="f", python_file="/x.py")
        )
    scheduled = [instance.create_run("etl", tags={SCHEDULE_NAME_TAG: "nightly"}) for _ in "ab"]
    instance.create_run("etl")
    server = start_server()

    query = """query($name: String!) {
      scheduler { __typename ... on Scheduler { runningSchedules {
        scheduleDefinition { name cronSchedule pipelineName } status nextFireTime runsCount
      } } }
      scheduleOrError(scheduleName: $name) {
        __typename
        ... on RunningSchedule { status cronSchedule runs(limit: 5) { runId } runsCount }
        ... on ScheduleNotFoundError { scheduleName message }
      }
    }"""
    data = server.query(query, {"name": "nightly"})
    listed = {s["scheduleDefinition"]["name"]: s for s in data["scheduler"]["runningSchedules"]}
    assert listed["nightly"]["status"] == "RUNNING" and listed["hourly"]["status"] == "STOPPED"
    assert listed["nightly"]["scheduleDefinition"]["cronSchedule"] == "0 * * * *"
    assert listed["nightly"]["nextFireTime"] % 3600 == 0
    assert listed["hourly"]["nextFireTime"] is None
    assert (listed["nightly"]["runsCount"], listed["hourly"]["runsCount"]) == (2, 0)
    assert data["scheduleOrError"]["runs"] == [{"runId": r.run_id} for r in reversed(scheduled)]

    missing = server.query(query, {"name": "weekly"})["scheduleOrError"]
    assert missing["__typename"] == "ScheduleNotFoundError"
    assert "hourly, nightly" in missing["message"]


def test_a_page_of_runs_reads_the_event_log_once(run_code, tmp_path, monkeypatch):
    instance = DagsterInstance.local_temp()
    pipeline_home = instance.home
    run_ids = [run_now(pipeline_home, run_code, "retrying") for _ in range(4)]
    storage = instance.event_storage
    calls = []
    for name in ("get_logs_for_run", "get_logs_for_runs", "get_step_stats"):
        original = getattr(storage, name)
        monkeypatch.setattr(
            storage, name, lambda *a, _n=name, _o=original: calls.append(_n) or _o(*a)
        )
    context = GraphQLContext(instance, Workspace.of())
    result = execute_query(
        context,
        """{ pipelineRunsOrError { ... on PipelineRuns { results {
            runId stats { stepsSucceeded } stepStats { attempts } logs { nodes { __typename } }
            daskDashboardUrl
        } } } }""",
    )
    results = result["data"]["pipelineRunsOrError"]["results"]
    assert [r["runId"] for r in results] == list(reversed(run_ids))
    assert all(r["stepStats"] == [{"attempts": 2}] for r in results)
    assert calls == ["get_logs_for_runs"]


@pytest.mark.slow
def test_a_dask_run_links_its_dashboard(start_server, dagster_home, graphql_code, tmp_path):
    config = {
        "solids": {"add": {"inputs": {"x": 1}}},
        "execution": {"dask": {"cluster": {"local": {"n_workers": 1, "threads_per_worker": 1}}}},
        "storage": {"filesystem": {"base_dir": str(tmp_path / "intermediates")}},
    }
    run_id = run_now(dagster_home, graphql_code, "adder", environment_dict=config)
    server = start_server()
    run = server.query(
        "query($id: String!) { pipelineRunOrError(runId: $id) { ... on PipelineRun { status daskDashboardUrl } } }",
        {"id": run_id},
    )["pipelineRunOrError"]
    assert run["status"] == "SUCCESS"
    assert run["daskDashboardUrl"].startswith("http://") and "/status" in run["daskDashboardUrl"]


def test_a_run_names_its_pipeline_as_the_served_code_defines_it(
    start_server, dagster_home, run_code, graphql_code
):
    run_id = run_now(
        dagster_home,
        run_code,
        "gated",
        environment_dict={"solids": {"talk": {"config": {"gate": ""}}}},
    )
    query = """
    query ($runId: String!) {
      pipelineRunOrError(runId: $runId) {
        ... on PipelineRun {
          pipeline { __typename ... on Pipeline { name solids { name } } ... on UnknownPipeline { name } }
        }
      }
    }
    """
    served = start_server(code=run_code).query(query, {"runId": run_id})["pipelineRunOrError"]
    assert served["pipeline"]["__typename"] == "Pipeline"
    assert [s["name"] for s in served["pipeline"]["solids"]] == ["talk", "double"]
    other = start_server(code=graphql_code).query(query, {"runId": run_id})["pipelineRunOrError"]
    assert other["pipeline"] == {"__typename": "UnknownPipeline", "name": "gated"}


def test_a_run_shows_its_whole_plan_as_the_served_code_plans_it(run_code):
    code = load_code(run_code)
    instance = DagsterInstance.local_temp()
    gated = instance.create_run(
        "gated",
        {"solids": {"talk": {"config": {"gate": ""}}}},
        step_keys_to_execute=["double.compute"],
    )
    subset = instance.create_run("gated", {}, solid_subset=["talk"])
    broken = instance.create_run("gated", {"solids": {"talk": {"config": {"gate": 5}}}})
    unknown = instance.create_run("gone", {})
    context = GraphQLContext(instance, Workspace.of(code.gated))
    query = """
    query ($runId: String!) {
      pipelineRunOrError(runId: $runId) {
        ... on PipelineRun {
          executionPlan {
            __typename
            ... on ExecutionPlan { steps { key } }
            ... on PipelineConfigValidationInvalid { errors { path } }
            ... on PipelineNotFoundError { pipelineName }
          }
        }
      }
    }
    """

    def plan(run) -> dict:
        result = execute_query(context, query, {"runId": run.run_id})
        assert not result.get("errors"), result
        return result["data"]["pipelineRunOrError"]["executionPlan"]

    assert plan(gated) == {
        "__typename": "ExecutionPlan",
        "steps": [{"key": "talk.compute"}, {"key": "double.compute"}],
    }
    assert plan(subset) == {"__typename": "ExecutionPlan", "steps": [{"key": "talk.compute"}]}
    assert plan(broken) == {
        "__typename": "PipelineConfigValidationInvalid",
        "errors": [{"path": ["solids", "talk", "config", "gate"]}],
    }
    assert plan(unknown) == {"__typename": "PipelineNotFoundError", "pipelineName": "gone"}
