"""InstanceRef: an instance as a small picklable value that opens the same instance in another
process, with its secrets resolved inside but never printed."""

import dataclasses
import json
import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import make_url

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    InstanceRef,
    PipelineRunStatus,
    execute_pipeline,
    lambda_solid,
    pipeline,
)

E = DagsterEventType
PASSWORD = "S3cretXYZ"

# Opens the instance from a pickled ref, reports what it sees of the run, then stores an event
# of its own in that run.
CHILD = textwrap.dedent(
    """
    import json, os, pickle, sys
    from dagster_core import DagsterEvent, DagsterEventType, DagsterInstance

    ref_path, run_id = sys.argv[1:]
    with open(ref_path, "rb") as f:
        instance = DagsterInstance.from_ref(pickle.load(f))
    run = instance.get_run_by_id(run_id)
    seen = {
        "runs": [r.run_id for r in instance.get_runs()],
        "status": run.status.value,
        "events": [e.event_type.value for e in instance.all_logs(run_id)],
    }
    instance.store_events(
        [
            DagsterEvent(
                DagsterEventType.ENGINE_EVENT,
                run_id,
                run.pipeline_name,
                message=f"stored by pid {os.getpid()}",
            )
        ]
    )
    instance.dispose()
    print(json.dumps(seen))
    """
)


@lambda_solid
def one():
    return 1


@lambda_solid
def plus_one(x):
    return x + 1


@pipeline
def two_steps():
    plus_one(one())


def open_in_child(tmp_path, ref: InstanceRef, run_id: str, env=None) -> dict:
    """Open `ref` in a new Python process; what it saw of `run_id` (before storing its event)."""
    (tmp_path / "child.py").write_text(CHILD)
    (tmp_path / "ref.pickle").write_bytes(pickle.dumps(ref))
    out = subprocess.run(
        [sys.executable, str(tmp_path / "child.py"), str(tmp_path / "ref.pickle"), run_id],
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_messages(instance: DagsterInstance, run_id: str) -> list[str]:
    return [
        e.message
        for e in instance.all_logs(run_id)
        if e.event_type is E.ENGINE_EVENT and e.message.startswith("stored by pid ")
    ]


def event_types(instance: DagsterInstance, run_id: str) -> list[str]:
    return [e.event_type.value for e in instance.all_logs(run_id)]


def test_sqlite_ref_round_trips_and_opens_the_same_instance_in_another_process(tmp_path):
    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    result = execute_pipeline(two_steps, instance=instance)
    ref = instance.get_ref()

    copy = pickle.loads(pickle.dumps(ref))
    assert copy == ref
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.source = "elsewhere"
    reopened = DagsterInstance.from_ref(copy)
    assert [r.run_id for r in reopened.get_runs()] == [result.run_id]
    assert event_types(reopened, result.run_id) == event_types(instance, result.run_id)

    before = event_types(instance, result.run_id)
    seen = open_in_child(tmp_path, ref, result.run_id)
    assert seen == {"runs": [result.run_id], "status": "SUCCESS", "events": before}
    # what the other process stored, this one reads
    (message,) = child_messages(instance, result.run_id)
    assert message != f"stored by pid {os.getpid()}"
    assert event_types(instance, result.run_id) == [*before, "ENGINE_EVENT"]
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.SUCCESS
    reopened.dispose()
    instance.dispose()


def test_postgres_ref_carries_the_resolved_url_and_never_prints_the_password(
    tmp_path, monkeypatch, fresh_postgres_url
):
    # trust auth ignores the password, so this URL connects while carrying a secret to leak
    url = make_url(fresh_postgres_url).set(password=PASSWORD).render_as_string(hide_password=False)
    assert PASSWORD in url
    monkeypatch.setenv("DAGSTER_TEST_REF_PG", url)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "run_storage: {module: storage_backends.postgres, class: PostgresRunStorage,"
        " config: {postgres_url: {env: DAGSTER_TEST_REF_PG}}}\n"
        "event_log_storage: {module: storage_backends.postgres, class: PostgresEventLogStorage,"
        " config: {postgres_url: {env: DAGSTER_TEST_REF_PG}}}\n"
    )
    instance = DagsterInstance.from_home(str(home))
    result = execute_pipeline(two_steps, instance=instance)
    ref = instance.get_ref()

    # resolved where the ref is made: the other process needs no copy of the environment
    assert ref.parts["run_storage"].config["postgres_url"] == url
    assert ref.parts["event_log_storage"].config["postgres_url"] == url
    for shown in (repr(ref), str(ref), f"{ref}", f"{ref!r}", repr([ref]), repr({"r": ref})):
        assert PASSWORD not in shown
        assert "PostgresRunStorage" in shown and "PostgresEventLogStorage" in shown

    copy = pickle.loads(pickle.dumps(ref))
    assert copy == ref
    assert PASSWORD not in repr(copy)

    before = event_types(instance, result.run_id)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_TEST_REF_PG"}
    seen = open_in_child(tmp_path, ref, result.run_id, env=env)
    assert seen == {"runs": [result.run_id], "status": "SUCCESS", "events": before}
    fresh = DagsterInstance.from_home(str(home))
    assert len(child_messages(fresh, result.run_id)) == 1
    assert event_types(fresh, result.run_id) == [*before, "ENGINE_EVENT"]
    fresh.dispose()
    instance.dispose()


def test_an_ephemeral_instance_keeps_its_runs_visible_through_its_ref(tmp_path):
    instance = DagsterInstance.ephemeral()
    first = execute_pipeline(two_steps, instance=instance)
    before = event_types(instance, first.run_id)
    assert before[0] == "PIPELINE_START" and before[-1] == "PIPELINE_SUCCESS"

    ref = instance.get_ref()
    assert pickle.loads(pickle.dumps(ref)) == ref
    # the run made before the ref is still there, in this process and in another
    assert instance.get_run_by_id(first.run_id).status is PipelineRunStatus.SUCCESS
    assert event_types(instance, first.run_id) == before
    seen = open_in_child(tmp_path, ref, first.run_id)
    assert seen == {"runs": [first.run_id], "status": "SUCCESS", "events": before}
    assert len(child_messages(instance, first.run_id)) == 1

    # and so is every run made after it
    second = execute_pipeline(two_steps, instance=instance)
    seen = open_in_child(tmp_path, ref, second.run_id)
    assert sorted(seen["runs"]) == sorted([first.run_id, second.run_id])
    assert seen["status"] == "SUCCESS"
    assert seen["events"] == [e.event_type.value for e in second.event_list]
    assert len(child_messages(instance, second.run_id)) == 1
