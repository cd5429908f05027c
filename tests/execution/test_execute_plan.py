"""`execute_plan`: steps of one recorded run run by different processes (the Airflow pattern),
each step's events stored once, a succeeded step never run again, a lost attempt followed by the
next attempt number."""

import json
import os
import pickle
import runpy
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from dagster_core import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterInvariantViolationError,
    DagsterRunNotFoundError,
    execute_plan,
)
from storage_backends.filesystem import FilesystemIntermediateStore

E = DagsterEventType
STEP_START_EVENTS = (E.STEP_START, E.STEP_RESTARTED)

# Each solid appends this process's pid to a file named after it: how many times it ran, where.
CODE = textwrap.dedent(
    """
    import os
    from dagster_core import InputDefinition, Int, lambda_solid, pipeline

    MARKS = "@MARKS@"

    def mark(name):
        with open(os.path.join(MARKS, name), "a") as f:
            f.write(f"{os.getpid()}\\n")

    @lambda_solid
    def make():
        mark("make")
        return 20

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def add_one(x):
        mark("add_one")
        return x + 1

    @pipeline
    def two_steps():
        add_one(make())
    """
)

# Another process running steps of the run: the pipeline from its file, the instance from a ref.
TASK = textwrap.dedent(
    """
    import json, pickle, runpy, sys
    from dagster_core import DagsterInstance, execute_plan

    code, ref_path, run_id, *step_keys = sys.argv[1:]
    pipeline = runpy.run_path(code)["two_steps"]
    with open(ref_path, "rb") as f:
        instance = DagsterInstance.from_ref(pickle.load(f))
    events = execute_plan(pipeline, run_id=run_id, step_keys=step_keys, instance=instance)
    instance.dispose()
    print(json.dumps([[e.event_type.value, e.step_key, e.attempt] for e in events]))
    """
)


@pytest.fixture
def setup(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    code = tmp_path / "code.py"
    code.write_text(CODE.replace("@MARKS@", str(marks)))
    (tmp_path / "task.py").write_text(TASK)
    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    data = tmp_path / "data"
    run = instance.create_run(
        "two_steps", environment_dict={"storage": {"filesystem": {"base_dir": str(data)}}}
    )
    pipeline = runpy.run_path(str(code))["two_steps"]
    yield pipeline, instance, run.run_id
    instance.dispose()


def ran(tmp_path, name) -> list[int]:
    """The pids of the processes that ran solid `name`, one per time it ran."""
    path = tmp_path / "marks" / name
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def run_in_other_process(tmp_path, instance, run_id, *step_keys) -> list[list]:
    (tmp_path / "ref.pickle").write_bytes(pickle.dumps(instance.get_ref()))
    out = subprocess.run(
        [
            sys.executable,
            str(tmp_path / "task.py"),
            str(tmp_path / "code.py"),
            str(tmp_path / "ref.pickle"),
            run_id,
            *step_keys,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def stored(instance, run_id) -> list[tuple]:
    return [(e.event_type, e.step_key, e.attempt) for e in instance.all_logs(run_id)]


def count(events, event_type) -> Counter:
    return Counter(step_key for (t, step_key, _) in events if t is event_type)


def test_each_process_runs_one_step_of_a_shared_run(setup, tmp_path):
    pipeline, instance, run_id = setup

    first = execute_plan(pipeline, run_id=run_id, step_keys=["make.compute"], instance=instance)
    assert {e.step_key for e in first} == {"make.compute"}
    assert [e.event_type for e in first if e.event_type in (E.STEP_START, E.STEP_SUCCESS)] == [
        E.STEP_START,
        E.STEP_SUCCESS,
    ]
    # what it returns is what it stored, once
    assert stored(instance, run_id) == [(e.event_type, e.step_key, e.attempt) for e in first]
    assert ran(tmp_path, "make") == [os.getpid()]

    # the next step in another process: its input read from the filesystem storage
    second = run_in_other_process(tmp_path, instance, run_id, "add_one.compute")
    assert {step_key for (_, step_key, _) in second} == {"add_one.compute"}
    assert ["STEP_SUCCESS", "add_one.compute", 1] in second
    (add_one_pid,) = ran(tmp_path, "add_one")
    assert add_one_pid != os.getpid()

    events = stored(instance, run_id)
    assert len(events) == len(first) + len(second)
    assert count(events, E.STEP_START) == {"make.compute": 1, "add_one.compute": 1}
    assert count(events, E.STEP_SUCCESS) == {"make.compute": 1, "add_one.compute": 1}
    assert not count(events, E.STEP_FAILURE)
    outputs = FilesystemIntermediateStore(str(tmp_path / "data"))
    assert outputs.get_output(run_id, "make.compute", "result") == 20
    assert outputs.get_output(run_id, "add_one.compute", "result") == 21


def test_a_step_that_already_succeeded_is_not_run_again(setup, tmp_path):
    pipeline, instance, run_id = setup
    execute_plan(pipeline, run_id=run_id, instance=instance)  # every step of the run
    assert ran(tmp_path, "make") == [os.getpid()] and ran(tmp_path, "add_one") == [os.getpid()]
    before = stored(instance, run_id)
    assert count(before, E.STEP_SUCCESS) == {"make.compute": 1, "add_one.compute": 1}

    again = execute_plan(pipeline, run_id=run_id, step_keys=["make.compute"], instance=instance)
    assert not [e for e in again if e.event_type is E.STEP_SUCCESS]
    elsewhere = run_in_other_process(tmp_path, instance, run_id, "make.compute", "add_one.compute")
    assert not [e for e in elsewhere if e[0] == "STEP_SUCCESS"]
    all_again = execute_plan(pipeline, run_id=run_id, instance=instance)
    assert not [e for e in all_again if e.event_type is E.STEP_SUCCESS]

    assert ran(tmp_path, "make") == [os.getpid()]  # the side effects happened once
    assert ran(tmp_path, "add_one") == [os.getpid()]
    after = stored(instance, run_id)
    assert count(after, E.STEP_SUCCESS) == {"make.compute": 1, "add_one.compute": 1}
    assert count(after, E.STEP_START) == {"make.compute": 1, "add_one.compute": 1}


def test_a_lost_attempt_is_followed_by_the_next_attempt(setup, tmp_path):
    pipeline, instance, run_id = setup
    # a process started the step and died without ending it
    instance.store_events(
        [
            DagsterEvent(
                E.STEP_START,
                run_id,
                "two_steps",
                message="Started execution of step make.compute",
                step_key="make.compute",
                solid_name="make",
                attempt=1,
            )
        ]
    )
    events = execute_plan(pipeline, run_id=run_id, step_keys=["make.compute"], instance=instance)
    assert {e.attempt for e in events} == {2}
    assert [e.event_type for e in events if e.event_type is E.STEP_SUCCESS] == [E.STEP_SUCCESS]
    assert ran(tmp_path, "make") == [os.getpid()]
    starts = [(t, a) for (t, key, a) in stored(instance, run_id) if t in STEP_START_EVENTS]
    assert starts == [(E.STEP_START, 1), (E.STEP_RESTARTED, 2)]

    # the downstream step, another process, reads the output attempt 2 wrote
    downstream = run_in_other_process(tmp_path, instance, run_id, "add_one.compute")
    assert ["STEP_SUCCESS", "add_one.compute", 1] in downstream
    outputs = FilesystemIntermediateStore(str(tmp_path / "data"))
    assert outputs.get_output(run_id, "add_one.compute", "result") == 21


def test_an_unknown_step_key_names_the_plans_steps(setup, tmp_path):
    pipeline, instance, run_id = setup
    with pytest.raises(DagsterInvariantViolationError) as info:
        execute_plan(
            pipeline, run_id=run_id, step_keys=["make.compute", "nope.compute"], instance=instance
        )
    message = str(info.value)
    assert "nope.compute" in message
    assert "make.compute" in message and "add_one.compute" in message
    assert instance.all_logs(run_id) == []  # refused before any step ran
    assert ran(tmp_path, "make") == []


def test_an_unknown_run_id_is_refused(setup, tmp_path):
    pipeline, instance, _ = setup
    with pytest.raises(DagsterRunNotFoundError, match="no-such-run"):
        execute_plan(pipeline, run_id="no-such-run", instance=instance)
    assert ran(tmp_path, "make") == []
