"""Retries as the seed named them, re-execution from failure, and runs that keep their promises
(resource errors with raise_on_error=False, results that outlive their instance), as a user
porting Dagster 0.7 code exercises them."""

import gc
import logging
import os
import subprocess
import sys
import textwrap

import pytest

from dagster_core import (
    Bool,
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    DagsterInvariantViolationError,
    DagsterResourceFunctionError,
    DagsterUnknownResourceError,
    Field,
    InputDefinition,
    ModeDefinition,
    Output,
    OutputDefinition,
    PipelineRunStatus,
    ResourceDefinition,
    RetryRequested,
    execute_pipeline,
    execute_solid,
    lambda_solid,
    pipeline,
    reexecute_pipeline,
    resource,
    solid,
)
from dagster_core.serdes import deserialize_value, serialize_value

E = DagsterEventType
DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_config(executor: str, **executor_config) -> dict:
    """The seed-era form: the executor's settings under a `config:` layer."""
    return {
        "execution": {executor: {"config": executor_config}},
        "storage": {"filesystem": {}},
        **QUIET,
    }


def step_types(events, step_key: str) -> list[tuple[DagsterEventType, int]]:
    """(event type, attempt) of a step's start, retry and end events."""
    shown = {E.STEP_START, E.STEP_RESTARTED, E.STEP_UP_FOR_RETRY, E.STEP_SUCCESS, E.STEP_FAILURE}
    return [
        (e.event_type, e.attempt)
        for e in events
        if e.step_key == step_key and e.event_type in shown
    ]


def ran_steps(result) -> list[str]:
    return [e.step_key for e in result.event_list if e.event_type is E.STEP_START]


# -- retries ------------------------------------------------------------------------------------


@solid
def flaky(context):
    if context.attempt < 3:
        raise RetryRequested(max_retries=3)
    return context.attempt


@pipeline
def flaky_pipeline():
    flaky()


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_retried_step_is_up_for_retry_then_restarted(executor):
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(flaky_pipeline, run_config(executor), instance=instance)
    assert result.success
    assert result.result_for_solid("flaky").output_value() == 3
    assert step_types(result.event_list, "flaky.compute") == [
        (E.STEP_START, 1),
        (E.STEP_UP_FOR_RETRY, 1),
        (E.STEP_RESTARTED, 2),
        (E.STEP_UP_FOR_RETRY, 2),
        (E.STEP_RESTARTED, 3),
        (E.STEP_SUCCESS, 3),
    ]
    (stats,) = instance.event_storage.get_step_stats(result.run_id)  # what `run show` prints
    assert stats.attempts == 3


def test_up_for_retry_says_how_long_it_waits_and_why():
    @solid
    def once(context):
        if context.attempt == 1:
            try:
                raise ConnectionError("db went away")
            except ConnectionError as exc:
                raise RetryRequested(max_retries=1, seconds_to_wait=0.01) from exc
        return "ok"

    result = execute_solid(once)
    (up,) = [e for e in result.step_events if e.event_type is E.STEP_UP_FOR_RETRY]
    assert up.data["seconds_to_wait"] == 0.01
    assert "db went away" in up.error.to_string()
    assert up.level == logging.WARNING


def test_step_retry_is_the_old_name_of_step_up_for_retry_and_old_logs_read_back():
    assert E.STEP_RETRY is E.STEP_UP_FOR_RETRY
    assert E("STEP_RETRY") is E.STEP_UP_FOR_RETRY
    result = execute_solid(flaky)
    event = next(e for e in result.step_events if e.event_type is E.STEP_UP_FOR_RETRY)
    written = serialize_value(event)
    assert '"STEP_UP_FOR_RETRY"' in written  # the seed's name is the one stored
    stored_before = written.replace('"STEP_UP_FOR_RETRY"', '"STEP_RETRY"')
    assert deserialize_value(stored_before) == event


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_with_retries_disabled_retry_requested_fails_the_step_saying_so(executor):
    result = execute_pipeline(
        flaky_pipeline,
        run_config(executor, retries={"disabled": {}}),
        instance=DagsterInstance.local_temp(),
        raise_on_error=False,
    )
    assert not result.success
    assert step_types(result.event_list, "flaky.compute") == [
        (E.STEP_START, 1),
        (E.STEP_FAILURE, 1),
    ]
    message = result.result_for_solid("flaky").failure_data.message
    assert "retries are disabled" in message
    assert f"execution.{executor}.retries" in message


def test_retries_enabled_is_the_default_and_can_be_said():
    for config in ({}, {"retries": {"enabled": {}}}):
        result = execute_pipeline(flaky_pipeline, run_config("in_process", **config))
        assert result.result_for_solid("flaky").output_value() == 3


def test_a_bad_retries_choice_is_a_config_error_naming_its_path():
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(flaky_pipeline, run_config("in_process", retries={"sometimes": {}}))
    assert "execution.in_process.retries" in str(info.value)
    assert '"enabled", "disabled"' in str(info.value)


def test_retries_run_out_after_max_retries():
    @solid
    def always(_):
        raise RetryRequested(max_retries=2)

    result = execute_solid(always, raise_on_error=False)
    assert [t for t, _ in step_types(result.step_events, "always.compute")].count(
        E.STEP_RESTARTED
    ) == 2
    assert "exceeded its 2 retries" in result.failure_data.message


# -- re-execution from failure ------------------------------------------------------------------


@lambda_solid
def load():
    return 1


@solid(config={"fail": Field(Bool, default_value=False)}, input_defs=[InputDefinition("x")])
def transform(context, x):
    if context.solid_config["fail"]:
        raise ValueError("transform broke")
    return x + 1


@lambda_solid(input_defs=[InputDefinition("x")])
def publish(x):
    return x * 10


@lambda_solid
def unrelated():
    return "fine"


@pipeline
def etl():
    publish(transform(load()))
    unrelated()


FAILING = {"solids": {"transform": {"config": {"fail": True}}}, "storage": {"filesystem": {}}}
FIXED = {"storage": {"filesystem": {}}, **QUIET}


def test_from_failure_runs_what_did_not_succeed_and_reads_the_rest_from_the_parent():
    instance = DagsterInstance.local_temp()
    parent = execute_pipeline(etl, {**FAILING, **QUIET}, instance=instance, raise_on_error=False)
    assert not parent.success
    assert sorted(ran_steps(parent)) == ["load.compute", "transform.compute", "unrelated.compute"]

    retry = reexecute_pipeline(
        etl, parent.run_id, environment_dict=FIXED, instance=instance, from_failure=True
    )
    assert retry.success
    assert ran_steps(retry) == ["transform.compute", "publish.compute"]
    assert retry.result_for_solid("publish").output_value() == 20
    reads = [e for e in retry.event_list if e.event_type is E.OBJECT_STORE_OPERATION]
    assert any(parent.run_id in e.data.get("source_run_ids", ()) for e in reads)
    run = instance.get_run_by_id(retry.run_id)
    assert run.parent_run_id == parent.run_id
    assert run.step_keys_to_execute == ("transform.compute", "publish.compute")
    assert run.tags["dagster/is_resume_retry"] == "true"


def test_from_failure_of_a_retry_reads_outputs_from_further_back():
    instance = DagsterInstance.local_temp()
    first = execute_pipeline(etl, {**FAILING, **QUIET}, instance=instance, raise_on_error=False)
    second = reexecute_pipeline(
        etl, first.run_id, instance=instance, from_failure=True, raise_on_error=False
    )
    assert not second.success and ran_steps(second) == ["transform.compute"]
    third = reexecute_pipeline(
        etl, second.run_id, environment_dict=FIXED, instance=instance, from_failure=True
    )
    assert ran_steps(third) == ["transform.compute", "publish.compute"]
    assert third.result_for_solid("publish").output_value() == 20


def test_from_failure_leaves_a_step_skipped_for_a_missing_optional_output():
    @solid(
        output_defs=[
            OutputDefinition(name="always"),
            OutputDefinition(name="sometimes", is_optional=True),
        ]
    )
    def split(_):
        yield Output(1, "always")

    @lambda_solid(input_defs=[InputDefinition("x")])
    def uses_sometimes(x):
        return x

    @solid(config={"fail": Field(Bool, default_value=False)}, input_defs=[InputDefinition("x")])
    def uses_always(context, x):
        if context.solid_config["fail"]:
            raise ValueError("broke")
        return x

    @pipeline
    def branching():
        always, sometimes = split()
        uses_sometimes(sometimes)
        uses_always(always)

    instance = DagsterInstance.local_temp()
    parent = execute_pipeline(
        branching,
        {"solids": {"uses_always": {"config": {"fail": True}}}, **FIXED},
        instance=instance,
        raise_on_error=False,
    )
    assert parent.result_for_solid("uses_sometimes").skipped
    retry = reexecute_pipeline(
        branching, parent.run_id, environment_dict=FIXED, instance=instance, from_failure=True
    )
    assert retry.success and ran_steps(retry) == ["uses_always.compute"]


def test_from_failure_refuses_step_keys_and_a_run_with_nothing_to_retry():
    instance = DagsterInstance.local_temp()
    ok = execute_pipeline(etl, FIXED, instance=instance)
    with pytest.raises(DagsterInvariantViolationError, match="no step to re-execute from failure"):
        reexecute_pipeline(etl, ok.run_id, instance=instance, from_failure=True)
    with pytest.raises(DagsterInvariantViolationError, match="not both"):
        reexecute_pipeline(
            etl,
            ok.run_id,
            step_keys_to_execute=["publish.compute"],
            instance=instance,
            from_failure=True,
        )


CLI_CODE = textwrap.dedent(
    """
    from dagster_core import Bool, Field, lambda_solid, pipeline, solid

    @lambda_solid
    def load():
        return 1

    @solid(config={"fail": Field(Bool, default_value=False)})
    def transform(context, x):
        if context.solid_config["fail"]:
            raise ValueError("transform broke")
        return x + 1

    @pipeline
    def etl():
        transform(load())
    """
)


def test_cli_reexecute_from_failure(tmp_path):
    (tmp_path / "code.py").write_text(CLI_CODE)
    (tmp_path / "fail.yaml").write_text(
        "storage: {filesystem: {}}\nsolids: {transform: {config: {fail: true}}}\n"
    )
    (tmp_path / "ok.yaml").write_text("storage: {filesystem: {}}\n")

    def dagster(*args):
        return subprocess.run(
            [DAGSTER, *args],
            cwd=tmp_path,
            env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
            capture_output=True,
            text=True,
        )

    failed = dagster("pipeline", "execute", "-f", "code.py", "-n", "etl", "-e", "fail.yaml")
    assert failed.returncode == 1
    (parent,) = DagsterInstance.from_home(str(tmp_path)).get_runs()

    both = dagster("pipeline", "reexecute", parent.run_id, "--from-failure", "--step-keys", "x")
    assert both.returncode == 2 and "not both" in both.stderr

    retried = dagster("pipeline", "reexecute", parent.run_id, "--from-failure", "-e", "ok.yaml")
    assert retried.returncode == 0, retried.stderr
    assert "[1/1 steps] transform.compute success" in retried.stderr
    instance = DagsterInstance.from_home(str(tmp_path))
    child = next(r for r in instance.get_runs() if r.run_id != parent.run_id)
    assert child.step_keys_to_execute == ("transform.compute",)


# -- resources ----------------------------------------------------------------------------------


@resource
def cannot_connect(_):
    raise ConnectionError("no database at db:5432")


@resource
def cannot_close(_):
    yield "connection"
    raise OSError("close failed")


@solid(required_resource_keys={"db"})
def query(context):
    return context.resources.db


def pipeline_with(db_resource):
    @pipeline(mode_defs=[ModeDefinition(resource_defs={"db": db_resource})])
    def uses_db():
        query()

    return uses_db


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_resource_that_cannot_be_built_fails_the_run_without_raising(executor):
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(
        pipeline_with(cannot_connect),
        run_config(executor),
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    assert result.event_list[-1].event_type is E.PIPELINE_FAILURE
    failures = [e.message for e in result.event_list if e.is_failure]
    assert any("no database at db:5432" in m and "'db'" in m for m in failures)
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.FAILURE


def test_a_resource_that_cannot_be_built_raises_its_error_by_default():
    with pytest.raises(DagsterResourceFunctionError, match="no database at db:5432"):
        execute_pipeline(pipeline_with(cannot_connect), QUIET)


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_a_failed_teardown_is_logged_and_does_not_fail_a_run_that_succeeded(executor):
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(pipeline_with(cannot_close), run_config(executor), instance=instance)
    assert result.success
    assert result.result_for_solid("query").output_value() == "connection"
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.SUCCESS
    (teardown,) = [
        e
        for e in instance.all_logs(result.run_id)
        if e.event_type is E.ENGINE_EVENT and e.data.get("resource") == "db"
    ]
    assert teardown.level == logging.ERROR
    assert "Teardown of resource 'db' failed: OSError: close failed" in teardown.message


def test_an_unknown_resource_raises_dagster_unknown_resource_error_naming_those_there():
    seen = {}

    @solid(required_resource_keys={"db", "cache"})
    def peek(context):
        seen["has"] = hasattr(context.resources, "nope")
        try:
            _ = context.resources.nope
        except DagsterUnknownResourceError as exc:
            seen["error"] = exc
        return context.resources.db

    hard = ResourceDefinition.hardcoded_resource
    result = execute_solid(peek, resources={"db": hard("d"), "cache": hard("c")})
    assert result.output_value() == "d"
    assert seen["has"] is False
    error = seen["error"]
    assert isinstance(error, AttributeError) and error.resource_name == "nope"
    assert "'nope'" in str(error) and "'cache', 'db'" in str(error)
    assert "required_resource_keys" in str(error)


def test_an_unknown_resource_fails_the_step_with_that_error():
    @solid
    def forgot(context):
        return context.resources.db

    result = execute_solid(forgot, raise_on_error=False)
    assert result.failure_data.error.cls_name == "DagsterUnknownResourceError"
    assert "Unknown resource 'db'" in result.failure_data.message


# -- results keep what they need ----------------------------------------------------------------


@lambda_solid
def one():
    return 1


@pipeline
def just_one():
    one()


def test_a_result_reads_outputs_after_its_temporary_instance_is_dropped():
    result = execute_pipeline(just_one, FIXED, instance=DagsterInstance.local_temp())
    gc.collect()
    assert result.result_for_solid("one").output_value() == 1


def test_a_solid_result_reads_outputs_after_the_default_instance_is_gone():
    solid_result = execute_pipeline(just_one, FIXED).result_for_solid("one")
    gc.collect()
    assert solid_result.output_value() == 1
    unit = execute_solid(one, FIXED)
    gc.collect()
    assert unit.output_value() == 1
