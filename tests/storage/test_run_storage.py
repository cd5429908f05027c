"""The run storage suite, run against every backend (in-memory, SQLite, Postgres)."""

import time

import pytest

from dagster_core.storage.runs import PipelineRun, PipelineRunStatus, RunsFilter


def make_run(run_id: str, pipeline_name: str = "pipe", **kwargs) -> PipelineRun:
    return PipelineRun(run_id=run_id, pipeline_name=pipeline_name, **kwargs)


def ids(runs: list[PipelineRun]) -> list[str]:
    return [run.run_id for run in runs]


def test_add_and_get_run(run_storage):
    run = make_run(
        "r1",
        environment_dict={"solids": {"scale": {"config": {"factor": 2}}}, "execution": None},
        mode="fast",
        tags={"team": "x", "dagster/schedule": "nightly"},
        solid_subset=("scale",),
        step_keys_to_execute=("scale.compute",),
        parent_run_id="r0",
        hostname="host",
        pid=123,
    )
    assert run_storage.add_run(run) == run
    assert run_storage.get_run_by_id("r1") == run
    assert run_storage.get_run_by_id("nope") is None


def test_duplicate_run_id_is_an_error(run_storage):
    run_storage.add_run(make_run("dup-run-7"))
    with pytest.raises(ValueError, match="dup-run-7"):
        run_storage.add_run(make_run("dup-run-7", "other"))
    assert run_storage.get_run_by_id("dup-run-7").pipeline_name == "pipe"


def test_update_run_status_with_message(run_storage):
    run = run_storage.add_run(make_run("r1", created_at=time.time() - 10, updated_at=0.0))
    run_storage.update_run_status("r1", PipelineRunStatus.STARTED)
    run_storage.update_run_status("r1", PipelineRunStatus.FAILURE, "worker died")
    stored = run_storage.get_run_by_id("r1")
    assert stored.status is PipelineRunStatus.FAILURE
    assert stored.status_message == "worker died"
    assert stored.updated_at > run.updated_at
    assert stored.created_at == run.created_at
    assert ids(run_storage.get_runs(RunsFilter(status=PipelineRunStatus.FAILURE))) == ["r1"]
    assert run_storage.get_runs(RunsFilter(status=PipelineRunStatus.STARTED)) == []


def test_get_runs_newest_first(run_storage):
    for run_id in ("a", "b", "c"):
        run_storage.add_run(make_run(run_id))
    assert ids(run_storage.get_runs()) == ["c", "b", "a"]


def test_filters(run_storage):
    run_storage.add_run(make_run("a", "etl", tags={"team": "x", "env": "prod"}))
    run_storage.add_run(make_run("b", "etl", tags={"team": "y"}))
    run_storage.add_run(make_run("c", "ml", tags={"team": "x"}))
    run_storage.update_run_status("b", PipelineRunStatus.SUCCESS)

    assert ids(run_storage.get_runs(RunsFilter(pipeline_name="etl"))) == ["b", "a"]
    assert ids(run_storage.get_runs(RunsFilter(status=PipelineRunStatus.SUCCESS))) == ["b"]
    assert ids(run_storage.get_runs(RunsFilter(tags={"team": "x"}))) == ["c", "a"]
    assert ids(run_storage.get_runs(RunsFilter(tags={"team": "x", "env": "prod"}))) == ["a"]
    assert run_storage.get_runs(RunsFilter(tags={"team": "z"})) == []
    assert ids(run_storage.get_runs(RunsFilter(pipeline_name="etl", tags={"team": "x"}))) == ["a"]
    assert run_storage.get_runs(RunsFilter(pipeline_name="nope")) == []


def test_cursor_paging_and_limit(run_storage):
    for i in range(7):
        run_storage.add_run(make_run(f"r{i}", "even" if i % 2 == 0 else "odd"))
    assert ids(run_storage.get_runs(limit=3)) == ["r6", "r5", "r4"]

    pages, cursor = [], None
    while page := run_storage.get_runs(cursor=cursor, limit=3):
        pages.append(ids(page))
        cursor = page[-1].run_id
    assert pages == [["r6", "r5", "r4"], ["r3", "r2", "r1"], ["r0"]]

    assert ids(run_storage.get_runs(RunsFilter(pipeline_name="even"), cursor="r5", limit=2)) == [
        "r4",
        "r2",
    ]
    assert run_storage.get_runs(cursor="unknown") == []


def test_delete_run(run_storage):
    run_storage.add_run(make_run("a", tags={"team": "x"}))
    run_storage.add_run(make_run("b", tags={"team": "x"}))
    run_storage.delete_run("a")
    assert run_storage.get_run_by_id("a") is None
    assert ids(run_storage.get_runs()) == ["b"]
    assert ids(run_storage.get_runs(RunsFilter(tags={"team": "x"}))) == ["b"]
    run_storage.delete_run("never-was")
    run_storage.add_run(make_run("a", tags={"team": "y"}))
    assert ids(run_storage.get_runs(RunsFilter(tags={"team": "x"}))) == ["b"]


def test_wipe(run_storage):
    run_storage.add_run(make_run("a", tags={"team": "x"}))
    run_storage.wipe()
    assert run_storage.get_runs() == []
    assert run_storage.get_run_by_id("a") is None
    run_storage.add_run(make_run("a"))
    assert ids(run_storage.get_runs(RunsFilter(tags={"team": "x"}))) == []


@pytest.mark.parametrize("storage_kind", ["sqlite", "postgres"])
def test_runs_outlive_the_storage_object(run_storage, storage_config):
    run_storage.add_run(make_run("kept", tags={"team": "x"}))
    other = type(run_storage).from_config_value(storage_config)
    try:
        assert ids(other.get_runs(RunsFilter(tags={"team": "x"}))) == ["kept"]
    finally:
        other.dispose()


def test_run_tags_lists_each_key_with_its_values(run_storage):
    assert run_storage.get_run_tags() == {}
    run_storage.add_run(make_run("a", tags={"team": "y", "env": "prod"}))
    run_storage.add_run(make_run("b", tags={"team": "x"}))
    run_storage.add_run(make_run("c", tags={"team": "y"}))
    assert run_storage.get_run_tags() == {"env": ["prod"], "team": ["x", "y"]}


def test_update_run_process_names_the_driving_process(run_storage):
    run_storage.add_run(make_run("r1", tags={"team": "x"}, hostname="server", pid=1))
    run_storage.update_run_process("r1", "worker", 4242)
    stored = run_storage.get_run_by_id("r1")
    assert (stored.hostname, stored.pid) == ("worker", 4242)
    assert stored.status is PipelineRunStatus.NOT_STARTED and stored.tags == {"team": "x"}
    with pytest.raises(Exception, match="nope"):
        run_storage.update_run_process("nope", "worker", 1)
