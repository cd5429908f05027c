"""The seed's flat dask config (`execution: {dask: {config: {address, timeout, scheduler_file}}}`)
as a spelling of `cluster: existing`, run against a real LocalCluster."""

import json

import pytest

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    ModeDefinition,
    RetryRequested,
    default_executors,
    execute_pipeline,
    lambda_solid,
    pipeline,
    solid,
)
from dagster_dask import dask_executor

E = DagsterEventType
DASK_MODE = [ModeDefinition(executor_defs=[*default_executors, dask_executor])]


@lambda_solid
def answer():
    return 42


@pipeline(mode_defs=DASK_MODE)
def on_dask():
    answer()


def run_config(dask: dict, tmp_path) -> dict:
    return {
        "execution": {"dask": dask},
        "storage": {"filesystem": {"base_dir": str(tmp_path / "intermediates")}},
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
    }


def scheduler_of(result) -> str:
    (cluster,) = [e for e in result.event_list if "scheduler" in e.data]
    return cluster.data["scheduler"]


def config_errors(dask: dict, tmp_path) -> str:
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(on_dask, run_config(dask, tmp_path), instance=DagsterInstance.local_temp())
    return str(info.value)


@pytest.mark.parametrize(
    "spelling",
    [
        lambda address: {"config": {"address": address, "timeout": 10}},  # the seed's form
        lambda address: {"address": address},
    ],
    ids=["under-config", "flat"],
)
def test_the_seed_address_key_runs_on_that_scheduler(local_cluster, tmp_path, spelling):
    result = execute_pipeline(
        on_dask,
        run_config(spelling(local_cluster), tmp_path),
        instance=DagsterInstance.local_temp(),
    )
    assert result.success
    assert result.result_for_solid("answer").output_value() == 42
    assert scheduler_of(result) == local_cluster


@pytest.mark.parametrize("where", ["seed", "cluster"])
def test_a_scheduler_file_finds_the_scheduler(local_cluster, tmp_path, where):
    scheduler_file = tmp_path / "scheduler.json"
    scheduler_file.write_text(json.dumps({"address": local_cluster, "type": "Scheduler"}))
    dask = (
        {"config": {"scheduler_file": str(scheduler_file)}}
        if where == "seed"
        else {"cluster": {"existing": {"scheduler_file": str(scheduler_file)}}}
    )
    result = execute_pipeline(
        on_dask, run_config(dask, tmp_path), instance=DagsterInstance.local_temp()
    )
    assert result.success
    assert scheduler_of(result) == local_cluster


def test_a_bad_seed_address_names_the_seed_path(tmp_path):
    errors = config_errors({"config": {"address": "tcp://no port here"}}, tmp_path)
    assert "execution.dask.address:" in errors
    assert "cluster.existing" not in errors


def test_a_missing_scheduler_file_names_its_path_and_what_was_expected(tmp_path):
    missing = tmp_path / "nowhere.json"
    errors = config_errors({"config": {"scheduler_file": str(missing)}}, tmp_path)
    assert f'execution.dask.scheduler_file: "{missing}" is not a Dask scheduler file' in errors
    assert "--scheduler-file" in errors
    existing = config_errors({"cluster": {"existing": {"scheduler_file": str(missing)}}}, tmp_path)
    assert "execution.dask.cluster.existing.scheduler_file:" in existing


def test_the_cluster_is_chosen_one_way_only(local_cluster, tmp_path):
    both = config_errors({"address": local_cluster, "cluster": {"local": {}}}, tmp_path)
    assert "execution.dask.address:" in both and "give one of them" in both
    two_ways = config_errors(
        {"address": local_cluster, "scheduler_file": str(tmp_path / "s.json")}, tmp_path
    )
    assert "execution.dask: give the scheduler's address or its scheduler_file, not both" in (
        two_ways
    )
    neither = config_errors({"cluster": {"existing": {"timeout": 5}}}, tmp_path)
    assert "execution.dask.cluster.existing: give the scheduler's address" in neither


def test_retries_can_be_disabled_on_dask(local_cluster, tmp_path):
    @solid
    def asks_again(_):
        raise RetryRequested(max_retries=2)

    @pipeline(mode_defs=DASK_MODE)
    def retrying():
        asks_again()

    result = execute_pipeline(
        retrying,
        run_config({"config": {"address": local_cluster, "retries": {"disabled": {}}}}, tmp_path),
        instance=DagsterInstance.local_temp(),
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [e for e in result.event_list if e.event_type is E.STEP_FAILURE]
    assert "retries are disabled" in failure.message and "execution.dask.retries" in failure.message
    assert not [e for e in result.event_list if e.event_type is E.STEP_RESTARTED]
