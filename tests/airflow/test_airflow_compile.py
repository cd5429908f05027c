"""Compiling pipelines to Airflow DAGs without Airflow: the DAG spec, and each task's callable run
directly, in dependency order, as Airflow would call it (a context holding `dag_run.run_id`)."""

import importlib.util
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from types import SimpleNamespace

import pytest

from dagster_core import (
    DagsterEventType,
    DagsterExecutionStepExecutionError,
    DagsterInstance,
    DagsterInvalidConfigError,
    DagsterInvariantViolationError,
    InputDefinition,
    Int,
    List,
    ModeDefinition,
    Output,
    OutputDefinition,
    PipelineRunStatus,
    lambda_solid,
    pipeline,
    resource,
    solid,
)
from dagster_core.airflow import (
    DAG_ID_TAG,
    DAG_RUN_ID_TAG,
    StepSkipped,
    compile_airflow_dag,
    dagster_run_id,
    make_airflow_dag,
    scaffold_airflow_dag,
)
from dagster_core.definitions.handle import ExecutionTargetHandle

E = DagsterEventType
DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "hello_pipeline.py")
FILESYSTEM = {"storage": {"filesystem": {}}}


@lambda_solid
def one():
    return 1


@lambda_solid
def two():
    return 2


@lambda_solid(name="summe_größe", input_defs=[InputDefinition("parts", List[Int])])
def add_up(parts):
    return sum(parts)


@pipeline
def fan_in():
    add_up([one(), two()])


@pytest.fixture
def instance():
    return DagsterInstance.local_temp()


def context(airflow_run_id, try_number=1, max_tries=0):
    """What the callables read of Airflow's task context."""
    return {
        "dag_run": SimpleNamespace(run_id=airflow_run_id),
        "ti": SimpleNamespace(try_number=try_number, max_tries=max_tries),
    }


def run_tasks(spec, airflow_run_id, **kwargs):
    """Call each task's callable upstream first, as Airflow runs them; the exception each raised."""
    raised = {}
    for task in spec.tasks:
        if any(up in raised for up in task.upstream_task_ids):
            continue  # Airflow runs no task downstream of a failed or skipped one
        try:
            task.callable(**context(airflow_run_id, **kwargs))
        except Exception as exc:
            raised[task.task_id] = exc
    return raised


def test_spec_of_a_fan_in_pipeline_has_one_task_per_step_with_its_upstream_tasks(instance):
    spec = compile_airflow_dag(fan_in, FILESYSTEM, instance=instance)

    assert spec.dag_id == "fan_in"
    assert [(t.task_id, t.step_key, t.upstream_task_ids) for t in spec.tasks] == [
        ("one.compute", "one.compute", ()),
        ("two.compute", "two.compute", ()),
        ("summe_gr__e.compute", "summe_größe.compute", ("one.compute", "two.compute")),
    ]
    assert [t.callable.step_key for t in spec.tasks] == [t.step_key for t in spec.tasks]


def test_dag_id_is_sanitised_and_clashing_task_ids_are_told_apart(instance):
    @lambda_solid(name="größe")
    def size():
        return 1

    @lambda_solid(name="grüße", input_defs=[InputDefinition("x", Int)])
    def greetings(x):
        return x

    @pipeline(name="my pipeline/v2")
    def clash():
        greetings(size())

    spec = compile_airflow_dag(clash, FILESYSTEM, instance=instance)

    assert spec.dag_id == "my_pipeline_v2"
    assert [t.task_id for t in spec.tasks] == ["gr__e.compute", "gr__e.compute_2"]
    assert spec.tasks[1].upstream_task_ids == ("gr__e.compute",)


def test_tasks_run_in_order_make_one_run_with_every_step_that_ends_success(instance):
    spec = compile_airflow_dag(fan_in, FILESYSTEM, instance=instance, dag_id="sums")
    airflow_run_id = "manual__2026-01-02T03:04:05+00:00"
    run_id = dagster_run_id("sums", airflow_run_id)

    first, second, last = spec.tasks
    first.callable(**context(airflow_run_id))
    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED
    second.callable(**context(airflow_run_id))
    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED
    last.callable(**context(airflow_run_id))

    (run,) = instance.get_runs()
    assert run.run_id == run_id
    assert run.status is PipelineRunStatus.SUCCESS
    assert run.tags[DAG_ID_TAG] == "sums" and run.tags[DAG_RUN_ID_TAG] == airflow_run_id
    events = instance.all_logs(run_id)
    counts = Counter(e.event_type for e in events)
    assert counts[E.PIPELINE_START] == 1 and counts[E.PIPELINE_SUCCESS] == 1
    assert {e.step_key for e in events if e.event_type is E.STEP_SUCCESS} == {
        "one.compute",
        "two.compute",
        "summe_größe.compute",
    }
    assert events[-1].event_type is E.PIPELINE_SUCCESS
    outputs = [e for e in events if e.event_type is E.STEP_OUTPUT]
    assert outputs[-1].step_key == "summe_größe.compute"


def test_between_tasks_no_process_holds_the_run_so_a_finished_task_does_not_fail_it(instance):
    spec = compile_airflow_dag(fan_in, FILESYSTEM, instance=instance)
    task = multiprocessing.get_context("fork").Process(
        target=spec.tasks[0].callable, kwargs=context("manual__1")
    )
    task.start()
    task.join()

    assert task.exitcode == 0
    run = instance.get_run_by_id(dagster_run_id("fan_in", "manual__1"))
    assert run.status is PipelineRunStatus.STARTED  # not FAILURE: the task's process is gone
    assert run.pid is None


def test_tasks_running_at_once_share_one_run(instance):
    spec = compile_airflow_dag(fan_in, FILESYSTEM, instance=instance)
    fork = multiprocessing.get_context("fork")
    roots = [
        fork.Process(target=task.callable, kwargs=context("manual__1")) for task in spec.tasks[:2]
    ]
    for process in roots:
        process.start()
    for process in roots:
        process.join()
    spec.tasks[2].callable(**context("manual__1"))

    assert [p.exitcode for p in roots] == [0, 0]
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.SUCCESS
    counts = Counter(e.event_type for e in instance.all_logs(run.run_id))
    assert counts[E.PIPELINE_START] == 1 and counts[E.STEP_SUCCESS] == 3


def test_a_task_that_loses_the_race_to_record_the_run_uses_the_winners(instance):
    spec = compile_airflow_dag(fan_in, FILESYSTEM, instance=instance)
    spec.tasks[0].callable(**context("manual__1"))
    run_id = dagster_run_id("fan_in", "manual__1")

    # what a task finds when another recorded the run after it looked for it
    assert spec.tasks[1].callable._create_run(instance, run_id, "manual__1") is None
    (run,) = instance.get_runs()
    assert run.run_id == run_id


def test_another_airflow_run_is_another_run_and_a_rerun_task_stays_in_its_run(instance):
    spec = compile_airflow_dag(fan_in, FILESYSTEM, instance=instance)
    run_tasks(spec, "scheduled__1")
    run_tasks(spec, "scheduled__2")
    spec.tasks[0].callable(**context("scheduled__1"))  # a cleared task, run again

    runs = {r.run_id: r for r in instance.get_runs()}
    assert set(runs) == {
        dagster_run_id("fan_in", "scheduled__1"),
        dagster_run_id("fan_in", "scheduled__2"),
    }
    assert {r.status for r in runs.values()} == {PipelineRunStatus.SUCCESS}
    first = instance.all_logs(dagster_run_id("fan_in", "scheduled__1"))
    assert sum(e.event_type is E.STEP_SUCCESS and e.step_key == "one.compute" for e in first) == 1


@solid(config=str)
def fails(context):
    raise ValueError(f"the {context.solid_config} is cracked")


@pipeline
def failing():
    add_up([one(), fails()])


def test_a_failed_step_fails_its_task_with_the_error_and_the_run_once_nothing_else_can_run(
    instance,
):
    config = {**FILESYSTEM, "solids": {"fails": {"config": "flux capacitor"}}}
    spec = compile_airflow_dag(failing, config, instance=instance)

    raised = run_tasks(spec, "manual__1")

    assert set(raised) == {"fails.compute"}
    error = raised["fails.compute"]
    assert isinstance(error, DagsterExecutionStepExecutionError)
    assert "the flux capacitor is cracked" in str(error)
    run = instance.get_run_by_id(dagster_run_id("failing", "manual__1"))
    assert run.status is PipelineRunStatus.FAILURE
    events = instance.all_logs(run.run_id)
    assert [e.step_key for e in events if e.event_type is E.STEP_FAILURE] == ["fails.compute"]
    assert "fails.compute" in events[-1].message and events[-1].event_type is E.PIPELINE_FAILURE


def test_an_error_around_the_step_fails_the_task_and_the_run_with_it(instance):
    @resource
    def database(_):
        raise ConnectionError("the database is down")

    @solid(required_resource_keys={"database"})
    def query(_):
        return 1

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"database": database})])
    def needs_database():
        query()

    spec = compile_airflow_dag(needs_database, FILESYSTEM, instance=instance)
    (task,) = spec.tasks
    with pytest.raises(Exception, match="the database is down"):
        task.callable(**context("manual__1"))

    run = instance.get_run_by_id(dagster_run_id("needs_database", "manual__1"))
    assert run.status is PipelineRunStatus.FAILURE
    end = instance.all_logs(run.run_id)[-1]
    assert end.event_type is E.PIPELINE_FAILURE and "the database is down" in end.message


def test_an_airflow_retry_is_our_next_attempt_and_the_run_waits_for_it(instance, tmp_path):
    marker = tmp_path / "tried"

    @lambda_solid
    def flaky():
        if not marker.exists():
            marker.write_text("once")
            raise RuntimeError("first try fails")
        return 5

    @pipeline
    def retried():
        flaky()

    spec = compile_airflow_dag(retried, FILESYSTEM, instance=instance)
    (task,) = spec.tasks
    with pytest.raises(DagsterExecutionStepExecutionError, match="first try fails"):
        task.callable(**context("manual__1", try_number=1, max_tries=1))
    run_id = dagster_run_id("retried", "manual__1")
    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED

    task.callable(**context("manual__1", try_number=2, max_tries=1))

    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.SUCCESS
    ends = [(e.event_type, e.attempt) for e in instance.all_logs(run_id) if e.step_key]
    assert (E.STEP_FAILURE, 1) in ends and ends[-1] == (E.STEP_SUCCESS, 2)


def test_a_skipped_step_skips_its_task_and_the_run_succeeds(instance):
    @solid(
        output_defs=[OutputDefinition(Int, "yes"), OutputDefinition(Int, "no", is_optional=True)]
    )
    def branch(_):
        yield Output(1, "yes")

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def after_no(x):
        return x

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def after_after_no(x):
        return x

    @pipeline
    def optional():
        after_after_no(after_no(branch().no))

    spec = compile_airflow_dag(optional, FILESYSTEM, instance=instance)
    raised = run_tasks(spec, "manual__1")

    assert list(raised) == ["after_no.compute"]
    assert isinstance(raised["after_no.compute"], StepSkipped)
    run = instance.get_run_by_id(dagster_run_id("optional", "manual__1"))
    assert run.status is PipelineRunStatus.SUCCESS


def test_in_memory_storage_is_refused_saying_why_and_what_to_use(instance):
    with pytest.raises(DagsterInvalidConfigError) as info:
        compile_airflow_dag(fan_in, {"storage": {"in_memory": {}}}, instance=instance)
    message = str(info.value)
    assert "in_memory" in message and "own process" in message
    assert '"filesystem" or "s3"' in message


def test_an_ephemeral_instance_is_refused(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with pytest.raises(DagsterInvariantViolationError, match="DAGSTER_HOME"):
        compile_airflow_dag(fan_in, FILESYSTEM)


def test_bad_run_config_fails_when_the_dag_is_compiled(instance):
    with pytest.raises(DagsterInvalidConfigError, match="nope"):
        compile_airflow_dag(fan_in, {**FILESYSTEM, "solids": {"nope": {}}}, instance=instance)


def test_scaffold_adds_filesystem_storage_and_keeps_env_references(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "compute_logs:\n"
        "  module: storage_backends.filesystem\n"
        "  class: LocalComputeLogManager\n"
        "  config: {base_dir: {env: AIRFLOW_TEST_LOGS_DIR}}\n"
    )
    secret_dir = str(tmp_path / "secret-logs-dir")
    monkeypatch.setenv("AIRFLOW_TEST_LOGS_DIR", secret_dir)
    handle = ExecutionTargetHandle.for_repo_python_file(EXAMPLE)

    dag = scaffold_airflow_dag(
        handle, "hello_pipeline", instance=DagsterInstance.from_home(str(home))
    )

    assert dag.dag_id == "hello_pipeline"
    assert secret_dir not in dag.source
    assert "{'env': 'AIRFLOW_TEST_LOGS_DIR'}" in dag.source
    namespace = {}
    exec(compile(dag.source.split("dag, tasks =")[0], "dag.py", "exec"), namespace)
    assert namespace["ENVIRONMENT_DICT"] == {"storage": {"filesystem": {}}}
    assert namespace["INSTANCE"].home == str(home)


def scaffold_cli(tmp_path, *args, dagster_home=""):
    return subprocess.run(
        [DAGSTER, "airflow", "scaffold", "-f", EXAMPLE, "-n", "hello_pipeline", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": dagster_home},
    )


def test_scaffold_cli_refuses_in_memory_storage_and_a_missing_dagster_home(tmp_path):
    (tmp_path / "memory.yaml").write_text("storage: {in_memory: {}}\n")
    dags = tmp_path / "dags"

    in_memory = scaffold_cli(
        tmp_path,
        *("-e", str(tmp_path / "memory.yaml"), "--dags-folder", str(dags)),
        dagster_home=str(tmp_path / "home"),
    )
    no_home = scaffold_cli(tmp_path, "--dags-folder", str(dags))

    assert in_memory.returncode == 2 and '"in_memory" storage' in in_memory.stderr
    assert "filesystem" in in_memory.stderr
    assert no_home.returncode == 2 and "set DAGSTER_HOME" in no_home.stderr
    assert not dags.exists()


def test_scaffold_cli_writes_the_dag_file_named_after_the_dag_id(tmp_path):
    dags = tmp_path / "dags"
    result = scaffold_cli(
        tmp_path,
        *("--dag-id", "hello", "--dags-folder", str(dags)),
        dagster_home=str(tmp_path / "home"),
    )

    assert result.returncode == 0, result.stderr
    assert f"Wrote DAG hello to {dags / 'hello.py'}" in result.stdout
    source = (dags / "hello.py").read_text()
    assert "dag_id='hello'" in source and "pipeline_name='hello_pipeline'" in source


@pytest.mark.skipif(
    importlib.util.find_spec("airflow.sdk") is not None, reason="Airflow is installed here"
)
def test_make_airflow_dag_without_airflow_says_how_to_install_it(instance):
    with pytest.raises(DagsterInvariantViolationError, match=r"\[airflow\]"):
        make_airflow_dag(python_file=EXAMPLE, pipeline_name="hello_pipeline", instance=instance)


def test_make_airflow_dag_needs_one_of_module_name_and_python_file():
    with pytest.raises(DagsterInvariantViolationError, match="exactly one of module_name"):
        make_airflow_dag(pipeline_name="hello_pipeline")


PRESET_CODE = """
from dagster_core import Field, Int, PresetDefinition, pipeline, solid

@solid(config={"n": Field(Int)})
def count(context):
    return context.solid_config["n"]

@pipeline(
    preset_defs=[
        PresetDefinition("ten", {"solids": {"count": {"config": {"n": 10}}}}),
        PresetDefinition("part", {"solids": {"count": {"config": {"n": 1}}}}, solid_subset=["count"]),
    ]
)
def counted():
    count()
"""


def test_scaffold_takes_a_presets_config_but_not_its_solid_subset(tmp_path):
    (tmp_path / "counted.py").write_text(PRESET_CODE)
    handle = ExecutionTargetHandle.for_repo_python_file(str(tmp_path / "counted.py"))
    instance = DagsterInstance.local_temp()

    dag = scaffold_airflow_dag(handle, "counted", preset="ten", instance=instance)

    namespace = {}
    exec(compile(dag.source.split("dag, tasks =")[0], "dag.py", "exec"), namespace)
    assert namespace["ENVIRONMENT_DICT"] == {
        "solids": {"count": {"config": {"n": 10}}},
        "storage": {"filesystem": {}},
    }
    with pytest.raises(DagsterInvariantViolationError, match="subset"):
        scaffold_airflow_dag(handle, "counted", preset="part", instance=instance)
