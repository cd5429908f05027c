"""The instance: chosen from DAGSTER_HOME, configured by dagster.yaml, and honest about dead runs."""

import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from dagster_core import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    PipelineRunStatus,
    execute_pipeline,
    lambda_solid,
    pipeline,
)
from dagster_core.instance.config import DagsterInstanceConfigError
from dagster_core.storage import InMemoryRunStorage


@lambda_solid
def hello():
    print("hello from the step")
    os.write(2, b"raw bytes on fd 2\n")
    subprocess.run([sys.executable, "-c", "print('from a subprocess')"], check=True)
    return 1


@pipeline
def hello_pipeline():
    hello()


def test_get_without_dagster_home_is_ephemeral(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    instance = DagsterInstance.get()
    assert isinstance(instance.run_storage, InMemoryRunStorage)
    assert not instance.is_persistent


def test_local_instance_keeps_runs_events_and_compute_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = DagsterInstance.get()
    result = execute_pipeline(hello_pipeline, instance=instance)
    assert (tmp_path / "history" / "runs.db").exists()

    again = DagsterInstance.from_home(str(tmp_path))  # a fresh instance sees the same history
    run = again.get_run_by_id(result.run_id)
    assert run.status is PipelineRunStatus.SUCCESS
    types = [e.event_type for e in again.all_logs(result.run_id)]
    assert types[0] is DagsterEventType.PIPELINE_START
    assert types[-1] is DagsterEventType.PIPELINE_SUCCESS
    logs = again.compute_log_manager.read_logs(result.run_id, "hello.compute")
    assert "hello from the step" in logs.stdout
    assert "from a subprocess" in logs.stdout
    assert "raw bytes on fd 2" in logs.stderr
    (step,) = again.event_storage.get_step_stats(result.run_id)
    assert step.status == "SUCCESS" and step.attempts == 1 and step.duration >= 0


def write_yaml(home, text):
    (home / "dagster.yaml").write_text(textwrap.dedent(text))


def test_yaml_parts_load_by_module_and_class(tmp_path):
    write_yaml(
        tmp_path,
        f"""
        run_storage:
          module: dagster_core.storage
          class: InMemoryRunStorage
        compute_logs:
          module: storage_backends.filesystem
          class: LocalComputeLogManager
          config: {{base_dir: {tmp_path / "logs"}}}
        run_monitoring: {{dead_after_seconds: 5}}
        """,
    )
    instance = DagsterInstance.from_home(str(tmp_path))
    assert isinstance(instance.run_storage, InMemoryRunStorage)
    assert instance.compute_log_manager.base_dir == str(tmp_path / "logs")
    assert instance.dead_after_seconds == 5


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        (
            "run_storag: {module: a, class: b}\n",
            'unknown field "run_storag"; did you mean "run_storage"',
        ),
        (
            "run_storage: {module: no_such_module, class: X}\n",
            'run_storage.module: cannot import "no_such_module"',
        ),
        (
            "run_storage: {module: dagster_core.storage, class: Nope}\n",
            'run_storage.class: "Nope" is not a RunStorage in dagster_core.storage; expected one of: InMemoryRunStorage',
        ),
        (
            "compute_logs: {module: storage_backends.filesystem, class: LocalComputeLogManager, config: {base_dir: 3}}\n",
            "compute_logs.config.base_dir: expected String, got 3",
        ),
        (
            "compute_logs: {module: storage_backends.filesystem, class: LocalComputeLogManager, config: {base_dir: {env: DAGSTER_TEST_UNSET_VAR}}}\n",
            "compute_logs.config.base_dir: environment variable DAGSTER_TEST_UNSET_VAR is not set",
        ),
    ],
)
def test_bad_yaml_names_file_key_and_expectation(tmp_path, yaml_text, expected):
    (tmp_path / "dagster.yaml").write_text(yaml_text)
    with pytest.raises(DagsterInstanceConfigError) as info:
        DagsterInstance.from_home(str(tmp_path))
    assert str(tmp_path / "dagster.yaml") in str(info.value)
    assert expected in str(info.value)


def test_env_values_are_read_and_info_never_prints_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_TEST_LOG_DIR", str(tmp_path / "from-env"))
    write_yaml(
        tmp_path,
        """
        compute_logs:
          module: storage_backends.filesystem
          class: LocalComputeLogManager
          config: {base_dir: {env: DAGSTER_TEST_LOG_DIR}}
        local_artifact_storage:
          module: dagster_core.storage
          class: LocalArtifactStorage
          config: {base_dir: "postgresql://me:hunter2@db.example/x"}
        """,
    )
    instance = DagsterInstance.from_home(str(tmp_path))
    assert instance.compute_log_manager.base_dir == str(tmp_path / "from-env")
    out = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "dagster"), "instance", "info"],
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "{'env': 'DAGSTER_TEST_LOG_DIR'}" in out
    assert str(tmp_path / "from-env") not in out
    assert "hunter2" not in out and "me:***@db.example" in out


def test_run_of_a_dead_process_is_marked_failure(tmp_path):
    instance = DagsterInstance.from_home(str(tmp_path))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    run = instance.create_run("p")
    instance.run_storage.delete_run(run.run_id)
    instance.run_storage.add_run(replace(run, pid=gone.pid))
    instance.store_events(
        [DagsterEvent(DagsterEventType.PIPELINE_START, run.run_id, "p", message="start")]
    )
    (listed,) = instance.get_runs()
    assert listed.status is PipelineRunStatus.FAILURE
    assert f"pid {gone.pid}" in listed.status_message and "is gone" in listed.status_message
    assert instance.all_logs(run.run_id)[-1].event_type is DagsterEventType.PIPELINE_FAILURE


def test_run_without_events_for_too_long_is_marked_failure(tmp_path):
    (tmp_path / "dagster.yaml").write_text("run_monitoring: {dead_after_seconds: 0}\n")
    instance = DagsterInstance.from_home(str(tmp_path))
    run = instance.create_run("p")
    instance.run_storage.delete_run(run.run_id)
    instance.run_storage.add_run(replace(run, hostname="another-host", pid=1))
    instance.store_events(
        [DagsterEvent(DagsterEventType.PIPELINE_START, run.run_id, "p", timestamp=0.0)]
    )
    assert "no event for" in instance.get_run_by_id(run.run_id).status_message


def test_a_quiet_run_whose_process_lives_on_this_host_stays_started(tmp_path):
    (tmp_path / "dagster.yaml").write_text("run_monitoring: {dead_after_seconds: 0}\n")
    instance = DagsterInstance.from_home(str(tmp_path))
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        run = instance.create_run("p")
        instance.run_storage.delete_run(run.run_id)
        instance.run_storage.add_run(replace(run, pid=alive.pid))
        instance.store_events(
            [DagsterEvent(DagsterEventType.PIPELINE_START, run.run_id, "p", timestamp=0.0)]
        )
        assert instance.get_run_by_id(run.run_id).status is PipelineRunStatus.STARTED
    finally:
        alive.kill()
        alive.wait()


def test_every_bad_part_is_reported_at_once_and_nothing_is_created(
    tmp_path, fresh_postgres_url, monkeypatch
):
    import psycopg2

    monkeypatch.setenv("DAGSTER_TEST_PG", fresh_postgres_url)
    (tmp_path / "dagster.yaml").write_text(
        textwrap.dedent(
            """
            run_storage:
              module: storage_backends.postgres
              class: PostgresRunStorage
              config: {postgres_url: {env: DAGSTER_TEST_PG}}
            event_log_storage:
              module: storage_backends.postgres
              class: PostgresEventLogStorag
              config: {postgres_url: {env: DAGSTER_TEST_PG}}
            compute_logs:
              module: storage_backends.nosuch
              class: LocalComputeLogManager
            schedule_storage:
              module: storage_backends.sqlite
              class: SqliteScheduleStorage
              config: {base_dir: 7}
            """
        )
    )
    with pytest.raises(DagsterInstanceConfigError) as info:
        DagsterInstance.from_home(str(tmp_path))
    text = str(info.value)
    assert "event_log_storage.class" in text and "PostgresEventLogStorage" in text
    assert 'compute_logs.module: cannot import "storage_backends.nosuch"' in text
    assert "schedule_storage.config.base_dir: expected String" in text
    with psycopg2.connect(fresh_postgres_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
        assert cursor.fetchone()[0] == 0  # the valid run_storage part created no table either
