"""The dask executor on a LocalCluster and on real `dask scheduler` / `dask worker` processes."""

from __future__ import annotations

import os
import signal
import socket
import time

import pytest
from distributed import Client, get_task_stream
from waiting import wait_until

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    InputDefinition,
    Int,
    List,
    ModeDefinition,
    PipelineRunStatus,
    RetryRequested,
    default_executors,
    execute_pipeline,
    execute_pipeline_iterator,
    lambda_solid,
    pipeline,
    solid,
)
from dagster_dask import DagsterDaskError, dask_executor

E = DagsterEventType
DASK_MODE = [ModeDefinition(executor_defs=[*default_executors, dask_executor])]
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def dask_config(cluster: dict, tmp_path, **extra) -> dict:
    return {
        "execution": {"dask": {"cluster": cluster, **extra}},
        "storage": {"filesystem": {"base_dir": str(tmp_path / "intermediates")}},
        **QUIET,
    }


def existing(address: str) -> dict:
    return {"existing": {"address": address, "timeout": 10}}


def wide_pipeline(n: int):
    @lambda_solid
    def root():
        return 1

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def add_one(x):
        return x + 1

    @lambda_solid(input_defs=[InputDefinition("xs", List[Int])])
    def total(xs):
        return sum(xs)

    @pipeline(mode_defs=DASK_MODE)
    def wide():
        r = root()
        total([add_one.alias(f"add_{i}")(r) for i in range(n)])

    return wide


def step_events(result, event_type):
    return [e for e in result.event_list if e.event_type is event_type]


def test_outputs_equal_in_process_on_a_warm_cluster(local_cluster, tmp_path):
    p = wide_pipeline(20)  # defined inside a function: travels by cloudpickle
    instance = DagsterInstance.local_temp()
    on_dask = execute_pipeline(p, dask_config(existing(local_cluster), tmp_path), instance=instance)
    in_process = execute_pipeline(p, QUIET)
    assert on_dask.result_for_solid("total").output_value() == 40
    assert in_process.result_for_solid("total").output_value() == 40
    assert len(step_events(on_dask, E.STEP_SUCCESS)) == 22
    stored = instance.all_logs(on_dask.run_id)
    assert sum(e.event_type is E.STEP_SUCCESS for e in stored) == 22  # each stored once
    assert instance.get_run_by_id(on_dask.run_id).status is PipelineRunStatus.SUCCESS
    dashboard = [e for e in on_dask.event_list if "dashboard" in e.data]
    assert dashboard and "dashboard:" in dashboard[0].message


def test_a_chain_of_steps_runs_as_one_dask_task_and_fails_where_its_step_fails(
    local_cluster, tmp_path
):
    @lambda_solid
    def load():
        return 1

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def clean(x):
        if x < 0:
            raise ValueError("negative")
        return x + 1

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def save(x):
        return x * 10

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def negate(x):
        return -x

    @pipeline(mode_defs=DASK_MODE)
    def chained():
        save(clean(load()))  # one chain: load -> clean -> save
        clean.alias("clean_negated")(negate(load.alias("load_too")()))

    instance = DagsterInstance.local_temp()
    with (
        Client(local_cluster, set_as_default=False) as client,
        get_task_stream(client) as stream,
    ):
        result = execute_pipeline(
            chained,
            dask_config(existing(local_cluster), tmp_path),
            instance=instance,
            raise_on_error=False,
        )
    assert result.result_for_solid("save").output_value() == 20
    step_tasks = [t["key"] for t in stream.data if f"-{result.run_id}-" in str(t["key"])]
    assert sorted(k.split(f"-{result.run_id}-")[1] for k in step_tasks) == [
        "load.compute..save.compute",
        "load_too.compute..clean_negated.compute",
    ]
    # a failing step in a chain fails there; every step's events are in the log once
    assert not result.success
    ends = {e.step_key: e.event_type for e in instance.all_logs(result.run_id) if e.is_step_event}
    assert ends["clean_negated.compute"] is E.STEP_FAILURE
    assert ends["save.compute"] is E.STEP_SUCCESS
    assert sum(e.event_type is E.STEP_SUCCESS for e in instance.all_logs(result.run_id)) == 5


@pytest.mark.slow
def test_local_cluster_from_config_with_an_ephemeral_instance(tmp_path):
    result = execute_pipeline(wide_pipeline(4), dask_config({"local": {"n_workers": 2}}, tmp_path))
    assert result.result_for_solid("total").output_value() == 8


def test_two_runs_at_once_never_share_results(local_cluster, tmp_path):
    @solid
    def who(context):
        return context.run_id

    @pipeline(mode_defs=DASK_MODE)
    def p():
        who()

    instance = DagsterInstance.local_temp()
    cfg = dask_config(existing(local_cluster), tmp_path)
    first = execute_pipeline_iterator(p, cfg, instance=instance)
    second = execute_pipeline_iterator(p, cfg, instance=instance)
    events = [next(first), next(second)]
    events += list(first) + list(second)
    run_ids = {e.run_id for e in events}
    assert len(run_ids) == 2
    for run_id in run_ids:
        assert instance.get_run_by_id(run_id).status is PipelineRunStatus.SUCCESS


def test_retry_requested_on_dask(local_cluster, tmp_path):
    @solid
    def flaky(context):
        if context.attempt < 2:
            raise RetryRequested(max_retries=2)
        return context.attempt

    @pipeline(mode_defs=DASK_MODE)
    def p():
        flaky()

    result = execute_pipeline(
        p, dask_config(existing(local_cluster), tmp_path), instance=DagsterInstance.local_temp()
    )
    assert result.result_for_solid("flaky").output_value() == 2
    assert len(step_events(result, E.STEP_RETRY)) == 1


def test_bad_input_is_refused_before_the_run(local_cluster, tmp_path):
    p = wide_pipeline(1)
    with pytest.raises(DagsterInvalidConfigError, match="needs storage that they can all read"):
        execute_pipeline(p, {"execution": {"dask": {}}})
    with pytest.raises(DagsterInvalidConfigError, match="need a shared one"):
        execute_pipeline(p, dask_config(existing(local_cluster), tmp_path))
    cfg = dask_config(existing(local_cluster), tmp_path)
    cfg["storage"] = {"filesystem": {"base_dir": "relative/dir"}}
    with pytest.raises(DagsterInvalidConfigError, match='"relative/dir" is not absolute'):
        execute_pipeline(p, cfg, instance=DagsterInstance.local_temp())


def test_unreachable_scheduler_is_named_within_the_timeout(tmp_path):
    instance = DagsterInstance.local_temp()
    started = time.monotonic()
    cfg = dask_config({"existing": {"address": "tcp://127.0.0.1:9", "timeout": 2}}, tmp_path)
    with pytest.raises(DagsterDaskError, match=r"tcp://127\.0\.0\.1:9 within 2"):
        execute_pipeline(p := wide_pipeline(1), cfg, instance=instance)
    assert time.monotonic() - started < 30
    (run,) = instance.get_runs()
    assert run.pipeline_name == p.name and run.status is PipelineRunStatus.FAILURE


def test_custom_cluster_module_that_is_missing_names_the_package(tmp_path):
    cfg = dask_config(
        {"custom": {"module": "dask_jobqueue_missing", "class": "SLURMCluster"}}, tmp_path
    )
    with pytest.raises(DagsterDaskError, match="pip install dask-jobqueue-missing"):
        execute_pipeline(wide_pipeline(1), cfg, instance=DagsterInstance.local_temp())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_runs_share_a_client_let_go_of_their_tasks_and_reach_a_restarted_scheduler(
    cluster_at_port, tmp_path
):
    port, p, instance = _free_port(), wide_pipeline(3), DagsterInstance.local_temp()

    def scheduler_state(dask_scheduler):  # nested: travels by value to the scheduler
        return [str(key) for key in dask_scheduler.tasks], list(dask_scheduler.clients)

    def scheduler_plugins(dask_scheduler):
        return set(dask_scheduler.plugins)

    with cluster_at_port(port) as cluster:
        config = dask_config(existing(cluster.address), tmp_path)
        runs = [execute_pipeline(p, config, instance=instance) for _ in range(2)]
        assert [r.result_for_solid("total").output_value() for r in runs] == [6, 6]
        with Client(cluster.address, set_as_default=False) as watcher:

            def held() -> list[str]:
                tasks, _ = watcher.run_on_scheduler(scheduler_state)
                return [key for key in tasks if any(r.run_id in key for r in runs)]

            # nothing of an ended run stays in the cluster's memory
            wait_until(lambda: not held(), 30, "the scheduler to forget the runs' tasks")
            _, clients = watcher.run_on_scheduler(scheduler_state)
        # both runs went through one connection of this process, kept for the next run
        assert len(set(clients) - {watcher.id, "fire-and-forget"}) == 1, clients
    with cluster_at_port(port) as restarted:  # the same address again, a new scheduler behind it
        again = execute_pipeline(p, config, instance=instance)
        with Client(restarted.address, set_as_default=False) as watcher:
            plugins = watcher.run_on_scheduler(scheduler_plugins)
    assert again.result_for_solid("total").output_value() == 6
    # installed once per scheduler: the new one got the plugin that marks recomputed steps
    assert "dagster-mark-recomputes" in plugins


@pytest.mark.slow
def test_remote_cluster_with_postgres_resources_and_no_suitable_worker(
    remote_cluster, postgres_home, tmp_path
):
    home = postgres_home
    instance = DagsterInstance.from_home(str(home))

    @solid(tags={"dask/resources": {"GPU": 1}})
    def on_gpu(_):
        from distributed import get_worker

        return get_worker().name

    @solid(tags={"dask/resources": {"TPU": 1}})
    def on_tpu(_):
        return "never"

    @pipeline(mode_defs=DASK_MODE)
    def placed():
        on_gpu()

    @lambda_solid
    def after_tpu(x):
        return x

    @pipeline(mode_defs=DASK_MODE)
    def unplaceable():
        after_tpu(on_tpu())

    cfg = dask_config(existing(remote_cluster.address), tmp_path)
    result = execute_pipeline(placed, cfg, instance=instance)
    assert result.result_for_solid("on_gpu").output_value() == "gpu-worker"
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.SUCCESS

    cfg["execution"]["dask"]["worker_timeout"] = 1
    result = execute_pipeline(unplaceable, cfg, instance=instance, raise_on_error=False)
    failure = result.result_for_solid("on_tpu").failure_data
    assert "no Dask worker offers the resources {'TPU': 1}" in failure.message
    # its Dask task failed outside the step runner: the step after it is skipped, as elsewhere
    assert result.result_for_solid("after_tpu").skipped
    waiting = [
        e for e in result.event_list if e.event_type is E.ENGINE_EVENT and "Waiting" in e.message
    ]
    assert waiting


def test_a_task_failing_beside_a_running_branch_lets_that_branch_finish(local_cluster, tmp_path):
    """The unplaceable step's task errs, and with it the join's, while the other branch still
    runs: that branch's end is still awaited and recorded, and only then does the run end."""
    release = tmp_path / "release"

    @solid(tags={"dask/resources": {"TPU": 1}})
    def on_tpu(_):
        return 1

    @lambda_solid
    def until_released():
        wait_until(release.exists, 120, "the test to release the step")
        return 2

    @lambda_solid(input_defs=[InputDefinition("a", Int), InputDefinition("b", Int)])
    def join(a, b):
        return a + b

    @pipeline(mode_defs=DASK_MODE)
    def branches():
        join(on_tpu(), until_released())

    cfg = dask_config(existing(local_cluster), tmp_path, worker_timeout=1)
    events = []
    for event in execute_pipeline_iterator(branches, cfg, instance=DagsterInstance.local_temp()):
        events.append(event)
        if event.event_type is E.STEP_FAILURE and event.step_key == "on_tpu.compute":
            succeeded = {e.step_key for e in events if e.event_type is E.STEP_SUCCESS}
            assert "until_released.compute" not in succeeded  # it waits for the release
            release.touch()
    ends = {
        e.step_key: e.event_type
        for e in events
        if e.event_type in (E.STEP_SUCCESS, E.STEP_FAILURE, E.STEP_SKIPPED)
    }
    assert ends == {
        "on_tpu.compute": E.STEP_FAILURE,
        "until_released.compute": E.STEP_SUCCESS,
        "join.compute": E.STEP_SKIPPED,
    }
    assert events[-1].event_type is E.PIPELINE_FAILURE


def _run_killing_a_worker(pipeline_def, instance, cluster, tmp_path, marks, step_key) -> list:
    """Run on `cluster` and SIGKILL the worker process running attempt 1 of `step_key` (its
    solid writes its pid to `marks/<solid>.pid`); the run's events as they came. The worker's
    nanny starts it again."""
    events = execute_pipeline_iterator(
        pipeline_def, dask_config(existing(cluster.address), tmp_path), instance=instance
    )
    seen = []
    pid_file = marks / f"{step_key.partition('.')[0]}.pid"
    for event in events:
        seen.append(event)
        if event.event_type is E.STEP_START and event.step_key == step_key and event.attempt == 1:
            wait_until(pid_file.exists, 60, f"{step_key} to write its pid")
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    return seen


def _hangs_on_first_attempt(name: str, marks, tags=None):
    """A solid `name` that passes its input on, but whose first attempt writes the pid of the
    process running it to `marks/<name>.pid` and hangs until that process is killed."""

    @solid(name=name, tags=tags or {})
    def hang_first(context, x):
        if context.attempt == 1:
            (marks / f"{name}.pid").write_text(str(os.getpid()))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                time.sleep(0.05)
        return x

    return hang_first


def _attempts(stored, step_key) -> list:
    return [
        (e.event_type, e.attempt)
        for e in stored
        if e.event_type in (E.STEP_START, E.STEP_RESTARTED) and e.step_key == step_key
    ]


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_step(remote_cluster, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()

    @lambda_solid
    def upstream():
        (marks / f"upstream-{os.getpid()}-{time.time_ns()}").write_text("ran")
        return 1

    slow = _hangs_on_first_attempt("slow", marks)

    @pipeline(mode_defs=DASK_MODE)
    def p():
        slow(upstream())

    instance = DagsterInstance.local_temp()
    seen = _run_killing_a_worker(p, instance, remote_cluster, tmp_path, marks, "slow.compute")
    assert seen[-1].event_type is E.PIPELINE_SUCCESS
    stored = instance.all_logs(seen[0].run_id)
    successes = [e.step_key for e in stored if e.event_type is E.STEP_SUCCESS]
    assert sorted(successes) == ["slow.compute", "upstream.compute"]
    assert _attempts(stored, "slow.compute") == [(E.STEP_START, 1), (E.STEP_RESTARTED, 2)]
    assert len(list(marks.glob("upstream-*"))) == 1  # never run twice, even if Dask recomputed it


@pytest.mark.slow
def test_a_result_lost_with_its_worker_is_taken_from_the_log_not_computed_again(
    remote_cluster, tmp_path
):
    """`make` and `block` need the GPU worker. Killing it while `block` runs loses the only copy
    of `make`'s result, so Dask computes `make`'s task again, on the restarted worker: the step
    returns its recorded result rather than running a second time."""
    marks = tmp_path / "marks"
    marks.mkdir()
    on_gpu = {"dask/resources": {"GPU": 1}}

    @solid(tags=on_gpu)
    def make(_):
        (marks / f"make-{os.getpid()}-{time.time_ns()}").write_text("ran")
        return 1

    block = _hangs_on_first_attempt("block", marks, on_gpu)

    @lambda_solid
    def after(x, y):
        (marks / "after").write_text(str(x + y))

    @pipeline(mode_defs=DASK_MODE)
    def p():
        made = make()
        after(made, block(made))

    instance = DagsterInstance.local_temp()
    seen = _run_killing_a_worker(p, instance, remote_cluster, tmp_path, marks, "block.compute")
    run_id = seen[0].run_id
    assert seen[-1].event_type is E.PIPELINE_SUCCESS
    with Client(remote_cluster.address, set_as_default=False) as client:
        story = client.run_on_scheduler(
            lambda dask_scheduler: dask_scheduler.story(f"make-{run_id}-make.compute")
        )
    assert sum(1 for t in story if t[2] == "processing") == 2  # Dask did compute it again
    stored = instance.all_logs(run_id)
    assert _attempts(stored, "make.compute") == [(E.STEP_START, 1)]
    assert len(list(marks.glob("make-*"))) == 1
    assert _attempts(stored, "block.compute") == [(E.STEP_START, 1), (E.STEP_RESTARTED, 2)]
    assert (marks / "after").read_text() == "2"


TERMINATE_CODE = """
import os, time
from dagster_core import Field, ModeDefinition, String, default_executors, pipeline, solid
from dagster_dask import dask_executor

@solid(config={"dir": Field(String)})
def block(context):
    directory = context.solid_config["dir"]
    open(os.path.join(directory, "started"), "w").close()
    deadline = time.monotonic() + 120
    # a running Dask task cannot be interrupted: the test releases it when done
    while time.monotonic() < deadline and not os.path.exists(os.path.join(directory, "release")):
        time.sleep(0.05)

@solid
def after(context, x):
    return x

@pipeline(mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])])
def blocking():
    after(block())
"""


@pytest.mark.slow
def test_a_run_terminated_from_another_process_is_canceled(local_cluster, tmp_path):
    import subprocess
    import sys

    (tmp_path / "code.py").write_text(TERMINATE_CODE)
    (tmp_path / "run.yaml").write_text(
        f"solids: {{block: {{config: {{dir: {tmp_path}}}}}}}\n"
        f"execution: {{dask: {{cluster: {{existing: {{address: '{local_cluster}'}}}}}}}}\n"
        f"storage: {{filesystem: {{base_dir: {tmp_path / 'data'}}}}}\n"
    )
    home = tmp_path / "home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    driver = subprocess.Popen(
        [dagster, "pipeline", "execute", "-f", "code.py", "-e", "run.yaml"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while not (tmp_path / "started").exists():
        assert driver.poll() is None, driver.communicate()[0]
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    instance = DagsterInstance.from_home(str(home))
    (run,) = instance.get_runs()
    terminate = subprocess.run(
        [dagster, "run", "terminate", run.run_id], env=env, capture_output=True, text=True
    )
    assert terminate.returncode == 0, terminate.stderr
    try:
        output, _ = driver.communicate(timeout=60)
    finally:
        (tmp_path / "release").touch()
    assert driver.returncode == 1, output
    assert instance.get_run_by_id(run.run_id).status is PipelineRunStatus.CANCELED
    events = instance.all_logs(run.run_id)
    canceled = [
        e.step_key for e in events if e.event_type is E.STEP_FAILURE and e.data.get("canceled")
    ]
    assert canceled == ["block.compute"]
    assert not any(e.step_key == "after.compute" and e.event_type is E.STEP_START for e in events)


def test_a_cluster_without_workers_fails_after_the_configured_wait(tmp_path):
    from distributed import LocalCluster

    instance = DagsterInstance.local_temp()
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=":0") as empty:
        cfg = dask_config(existing(empty.scheduler_address), tmp_path, worker_timeout=1)
        events = []
        with pytest.raises(DagsterDaskError, match="No Dask worker joined .* within 1"):
            for event in execute_pipeline_iterator(wide_pipeline(1), cfg, instance=instance):
                events.append(event)
    assert any("Waiting up to 1" in e.message for e in events)
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.FAILURE and "No Dask worker" in run.status_message


@pytest.mark.slow
def test_a_scheduler_that_cannot_import_dagster_is_named_before_any_step(
    scheduler_without_dagster, tmp_path
):
    instance = DagsterInstance.local_temp()
    cfg = dask_config(existing(scheduler_without_dagster.address), tmp_path)
    result = execute_pipeline(wide_pipeline(2), cfg, instance=instance, raise_on_error=False)
    assert not result.success
    assert not step_events(result, E.STEP_START)
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.FAILURE
    message = run.status_message
    assert f"scheduler at {scheduler_without_dagster.address} cannot import dagster" in message
    assert "No module named" in message and "install dagster" in message


def test_worker_output_and_log_lines_reach_the_instance(local_cluster, tmp_path):
    @solid
    def chatty(context):
        print("printed on a dask worker")
        context.log.info("logged on a dask worker")
        return 1

    @pipeline(mode_defs=DASK_MODE)
    def p():
        chatty()

    instance = DagsterInstance.local_temp()
    result = execute_pipeline(p, dask_config(existing(local_cluster), tmp_path), instance=instance)
    logs = instance.compute_log_manager.read_logs(result.run_id, "chatty.compute")
    assert "printed on a dask worker" in logs.stdout
    messages = [
        e.message for e in instance.all_logs(result.run_id) if e.event_type is E.LOG_MESSAGE
    ]
    assert messages == ["logged on a dask worker"]
    assert any(e.event_type is E.LOG_MESSAGE for e in result.event_list)
