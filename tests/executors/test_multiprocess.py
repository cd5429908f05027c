"""The multiprocess executor: same results as in process, crashes contained, Ctrl-C cancels."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    Field,
    InputDefinition,
    Int,
    List,
    ModeDefinition,
    Output,
    OutputDefinition,
    PipelineRunStatus,
    execute_pipeline,
    lambda_solid,
    pipeline,
    resource,
    solid,
)

E = DagsterEventType


DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")


def start_blocked_run(tmp_path):
    """`dagster pipeline execute` of tmp_path's code.py with run.yaml, DAGSTER_HOME under
    tmp_path, once its steps `one` and `two` have written their pid files; the driver process
    and the children's pids."""
    driver = subprocess.Popen(
        [DAGSTER, "pipeline", "execute", "-f", "code.py", "-e", "run.yaml"],
        cwd=tmp_path,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path / "home")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    pid_files = [tmp_path / "one.pid", tmp_path / "two.pid"]
    deadline = time.monotonic() + 60
    while not all(f.exists() and f.read_text() for f in pid_files):
        assert driver.poll() is None, driver.communicate()
        assert time.monotonic() < deadline, "the steps never started"
        time.sleep(0.05)
    return driver, [int(f.read_text()) for f in pid_files]


def run_config(executor, tmp_path, **extra):
    return {
        "execution": {executor: {"max_concurrent": 2} if executor == "multiprocess" else {}},
        "storage": {"filesystem": {"base_dir": str(tmp_path)}},
        **extra,
    }


def test_same_results_as_in_process(tmp_path):
    # defined inside the test function: not importable, so it must travel by cloudpickle
    @resource(config={"offset": Field(Int)})
    def offset(init_context):
        yield init_context.resource_config["offset"]

    @solid(output_defs=[OutputDefinition(Int, "a"), OutputDefinition(Int, "b", is_optional=True)])
    def source(_):
        yield Output(1, "a")

    @solid(required_resource_keys={"offset"}, input_defs=[InputDefinition("x", Int)])
    def shift(context, x):
        print(f"shifting {x} in pid {os.getpid()}")
        return x + context.resources.offset

    @lambda_solid(input_defs=[InputDefinition("xs", List[Int])])
    def total(xs):
        return sum(xs)

    @lambda_solid
    def never(x):
        return x

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"offset": offset})])
    def p():
        out = source()
        never(out.b)
        total([shift.alias(f"shift_{i}")(out.a) for i in range(6)])

    extra = {"resources": {"offset": {"config": {"offset": 10}}}}
    results = {
        ex: execute_pipeline(p, run_config(ex, tmp_path / ex, **extra))
        for ex in ("in_process", "multiprocess")
    }
    for result in results.values():
        assert result.success
        assert result.result_for_solid("total").output_value() == 66
        assert result.result_for_solid("never").skipped
    shapes = {
        ex: sorted((e.step_key or "", e.event_type.value) for e in r.step_event_list)
        for ex, r in results.items()
    }
    assert shapes["in_process"] == shapes["multiprocess"]


def test_multiprocess_with_in_memory_storage_is_a_config_error():
    @lambda_solid
    def noop():
        return None

    @pipeline
    def p():
        noop()

    with pytest.raises(DagsterInvalidConfigError, match="needs storage that they can all read"):
        execute_pipeline(p, {"execution": {"multiprocess": {}}})


@pytest.mark.parametrize(
    "how, expected",
    [
        ("os.kill(os.getpid(), signal.SIGKILL)", "was killed by signal SIGKILL"),
        ("os._exit(3)", "exited with code 3"),
    ],
)
def test_a_dying_child_fails_only_its_step(tmp_path, how, expected):
    @lambda_solid
    def crash():
        import os  # noqa: F401 - used by the statement below
        import signal  # noqa: F401

        exec(how)

    @lambda_solid
    def fine():
        return "ok"

    @lambda_solid
    def after_fine(x):
        return x + "!"

    @pipeline
    def p():
        crash()
        after_fine(fine())

    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(
        p, run_config("multiprocess", tmp_path), instance=instance, raise_on_error=False
    )
    assert not result.success
    failure = result.result_for_solid("crash").failure_data
    assert expected in failure.message and "crash.compute" in failure.message
    assert result.result_for_solid("after_fine").output_value() == "ok!"
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.FAILURE


def test_a_resource_that_fails_in_the_children_fails_the_steps_with_its_reason(tmp_path):
    @resource
    def warehouse(_):
        raise ConnectionError("warehouse is down")

    @solid(required_resource_keys={"warehouse"})
    def load(_):
        return 1

    @lambda_solid
    def after(x):
        return x

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"warehouse": warehouse})])
    def p():
        for i in range(4):
            after.alias(f"after_{i}")(load.alias(f"load_{i}")())

    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(
        p, run_config("multiprocess", tmp_path), instance=instance, raise_on_error=False
    )
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.FAILURE
    for i in range(4):
        failure = result.result_for_solid(f"load_{i}").failure_data
        assert "could not open the run" in failure.message
        assert "warehouse is down" in failure.message
        assert result.result_for_solid(f"after_{i}").skipped


def test_a_child_that_dies_while_idle_is_replaced_for_the_next_steps(tmp_path):
    @lambda_solid
    def kill_the_idle_sibling():
        import psutil  # the step's child and its idle sibling share one parent, the fork server

        siblings = [p for p in psutil.Process().parent().children() if p.pid != os.getpid()]
        for sibling in siblings:
            sibling.kill()
        psutil.wait_procs(siblings, timeout=30)
        return len(siblings)

    @lambda_solid
    def count(n):
        return n

    @pipeline
    def p():
        first = kill_the_idle_sibling()
        count.alias("count_a")(first)
        count.alias("count_b")(first)

    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(p, run_config("multiprocess", tmp_path), instance=instance)
    assert result.result_for_solid("kill_the_idle_sibling").output_value() == 1
    assert result.result_for_solid("count_a").output_value() == 1
    assert result.result_for_solid("count_b").output_value() == 1
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.SUCCESS


def test_compute_logs_of_children_are_captured(tmp_path):
    @lambda_solid
    def talk():
        print("hello from a child")
        os.write(2, b"low-level stderr\n")

    @pipeline
    def p():
        talk()

    instance = DagsterInstance.local_temp()
    result = execute_pipeline(p, run_config("multiprocess", tmp_path), instance=instance)
    logs = instance.compute_log_manager.read_logs(result.run_id, "talk.compute")
    assert "hello from a child" in logs.stdout
    assert "low-level stderr" in logs.stderr


CANCEL_CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import Field, String, lambda_solid, pipeline, solid

    @solid(config={"dir": Field(String)})
    def block(context):
        d = context.solid_config["dir"]
        with open(os.path.join(d, f"{context.solid_name}.pid"), "w") as f:
            f.write(str(os.getpid()))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.05)

    @pipeline
    def blocking():
        block.alias("one")()
        block.alias("two")()
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_the_run_stops_children_and_marks_it_canceled(tmp_path, sig):
    (tmp_path / "code.py").write_text(CANCEL_CODE)
    cfg = (
        f"solids: {{one: {{config: {{dir: {tmp_path}}}}}, two: {{config: {{dir: {tmp_path}}}}}}}\n"
        "execution: {multiprocess: {max_concurrent: 2}}\nstorage: {filesystem: {}}\n"
    )
    (tmp_path / "run.yaml").write_text(cfg)
    driver, child_pids = start_blocked_run(tmp_path)
    driver.send_signal(sig)
    driver.communicate(timeout=60)
    assert driver.returncode != 0

    def gone(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    deadline = time.monotonic() + 30
    while not all(gone(pid) for pid in child_pids):
        assert time.monotonic() < deadline, "children outlived the canceled run"
        time.sleep(0.05)

    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.CANCELED
    events = instance.all_logs(run.run_id)
    canceled = [e for e in events if e.event_type is E.STEP_FAILURE and e.data.get("canceled")]
    assert sorted(e.step_key for e in canceled) == ["one.compute", "two.compute"]


TEARDOWN_CODE = textwrap.dedent(
    """
    import os, time
    from dagster_core import Field, ModeDefinition, String, pipeline, resource, solid

    @resource(config={"dir": Field(String)})
    def conn(init_context):
        yield init_context.resource_config["dir"]
        with open(os.path.join(init_context.resource_config["dir"], f"teardown-{os.getpid()}"), "w"):
            pass

    @solid(required_resource_keys={"conn"})
    def block(context):
        with open(os.path.join(context.resources.conn, f"{context.solid_name}.pid"), "w") as f:
            f.write(str(os.getpid()))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(0.05)

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"conn": conn})])
    def blocking():
        block.alias("one")()
        block.alias("two")()
    """
)


@pytest.mark.slow
def test_terminating_a_run_tears_down_the_childrens_resources(tmp_path):
    (tmp_path / "code.py").write_text(TEARDOWN_CODE)
    (tmp_path / "run.yaml").write_text(
        f"resources: {{conn: {{config: {{dir: {tmp_path}}}}}}}\n"
        "execution: {multiprocess: {max_concurrent: 2}}\nstorage: {filesystem: {}}\n"
    )
    driver, child_pids = start_blocked_run(tmp_path)
    instance = DagsterInstance.from_home(str(tmp_path / "home"))
    (run,) = instance.get_runs()
    terminate = subprocess.run(
        [DAGSTER, "run", "terminate", run.run_id],
        env={**os.environ, "DAGSTER_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
    )
    assert terminate.returncode == 0, terminate.stderr
    output, _ = driver.communicate(timeout=120)  # bounds a hang; it ends within seconds
    assert driver.returncode == 1, output
    torn_down = sorted(int(p.name.split("-")[1]) for p in tmp_path.glob("teardown-*"))
    assert torn_down == sorted(child_pids)
    assert instance.get_run_by_id(run.run_id).status is PipelineRunStatus.CANCELED
    stats = {s.step_key: s.status for s in instance.event_storage.get_step_stats(run.run_id)}
    assert stats == {"one.compute": "FAILURE", "two.compute": "FAILURE"}
