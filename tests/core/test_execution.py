"""Running pipelines in process: results, events, failures, retries, resources, storage."""

import os

import pytest

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    ExpectationResult,
    Failure,
    Field,
    InputDefinition,
    Int,
    List,
    Materialization,
    ModeDefinition,
    Nothing,
    Optional,
    Output,
    OutputDefinition,
    PipelineRunStatus,
    PresetDefinition,
    ResourceDefinition,
    RetryRequested,
    String,
    execute_pipeline,
    execute_pipeline_iterator,
    execute_solid,
    lambda_solid,
    pipeline,
    reexecute_pipeline,
    resource,
    solid,
)

E = DagsterEventType


def types_of(events, step_key=None):
    return [e.event_type for e in events if step_key is None or e.step_key == step_key]


@lambda_solid
def one():
    return 1


@solid(
    config={"factor": Field(Int, default_value=2)},
    input_defs=[InputDefinition("x", Int)],
    output_defs=[OutputDefinition(Int, "doubled")],
)
def scale(context, x):
    context.log.info(f"scaling {x}")
    yield Output(x * context.solid_config["factor"], "doubled")


@pipeline
def scale_pipeline():
    scale(one())


def test_values_flow_and_config_defaults_apply():
    result = execute_pipeline(scale_pipeline)
    assert result.success
    assert result.result_for_solid("scale").output_value("doubled") == 2
    result = execute_pipeline(scale_pipeline, {"solids": {"scale": {"config": {"factor": 5}}}})
    assert result.result_for_solid("scale").output_value("doubled") == 5


def test_events_carry_run_step_attempt_and_time():
    result = execute_pipeline(scale_pipeline)
    assert types_of(result.event_list)[0] is E.PIPELINE_START
    assert types_of(result.event_list)[-1] is E.PIPELINE_SUCCESS
    step = types_of(result.event_list, "scale.compute")
    assert step[0] is E.STEP_START and step[-1] is E.STEP_SUCCESS
    assert E.STEP_INPUT in step and E.STEP_OUTPUT in step and E.LOG_MESSAGE in step
    for event in result.event_list:
        assert event.run_id == result.run_id
        assert event.timestamp > 0
        assert event.attempt == 1
    log = next(e for e in result.event_list if e.event_type is E.LOG_MESSAGE)
    assert log.message == "scaling 1" and log.step_key == "scale.compute"
    assert {e.step_key for e in result.step_event_list} == {"one.compute", "scale.compute"}


def test_inputs_from_config():
    result = execute_pipeline(
        scale_pipeline.subset(["scale"]), {"solids": {"scale": {"inputs": {"x": 21}}}}
    )
    assert result.result_for_solid("scale").output_value("doubled") == 42


def test_config_errors_come_all_at_once_with_paths_and_before_any_run():
    instance = DagsterInstance.ephemeral()
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(
            scale_pipeline,
            {"solids": {"scale": {"config": {"factor": "x", "facter": 3}}}, "storag": {}},
            instance=instance,
        )
    text = str(info.value)
    assert 'solids.scale.config.factor: expected Int, got "x"' in text
    assert 'did you mean "factor"' in text
    assert 'did you mean "storage"' in text
    assert len(info.value.errors) == 3
    assert instance.get_runs() == []


def test_seed_era_config_layer_is_accepted():
    result = execute_pipeline(scale_pipeline, {"execution": {"in_process": {"config": {}}}})
    assert result.success


def test_multiple_and_optional_outputs_skip_downstream():
    @solid(
        output_defs=[
            OutputDefinition(Int, "yes"),
            OutputDefinition(Int, "no", is_optional=True),
        ]
    )
    def branch(_):
        yield Output(1, "yes")

    @lambda_solid
    def after_yes(x):
        return x

    @lambda_solid
    def after_no(x):
        return x

    @lambda_solid
    def after_after_no(x):
        return x

    @pipeline
    def p():
        out = branch()
        after_yes(out.yes)
        after_after_no(after_no(out.no))

    result = execute_pipeline(p)
    assert result.success
    assert result.result_for_solid("after_yes").output_value() == 1
    assert result.result_for_solid("after_no").skipped
    assert result.result_for_solid("after_after_no").skipped
    skip = result.result_for_solid("after_no").step_events[0]
    assert "did not yield output 'no'" in skip.message


def test_nothing_dependencies_order_without_values():
    order = []

    @solid(output_defs=[OutputDefinition(Nothing)])
    def first(_):
        order.append("first")

    @solid(input_defs=[InputDefinition("after", Nothing)])
    def second(_):
        order.append("second")

    @pipeline
    def p():
        second(first())

    assert execute_pipeline(p).success
    assert order == ["first", "second"]


def test_fan_in_receives_values_in_order():
    @lambda_solid(input_defs=[InputDefinition("xs", List[Int])])
    def total(xs):
        return xs

    @pipeline
    def p():
        total([one(), one.alias("two")(), one.alias("three")()])

    assert execute_pipeline(p).result_for_solid("total").output_value() == [1, 1, 1]


def test_type_check_failure_names_input_and_type():
    @lambda_solid(output_def=OutputDefinition(String))
    def text():
        return "a"

    @lambda_solid(input_defs=[InputDefinition("n", Int)])
    def number(n):
        return n

    @pipeline
    def p():
        number(text())

    result = execute_pipeline(p, raise_on_error=False)
    failure = result.result_for_solid("number").failure_data
    assert "input 'n'" in failure.message and "expected Int" in failure.message
    assert "str" in failure.message

    @lambda_solid(output_def=OutputDefinition(Int))
    def bad_output():
        return "nope"

    out = execute_solid(bad_output, raise_on_error=False)
    assert "output 'result'" in out.failure_data.message


def test_failure_stops_downstream_and_marks_run_failed():
    @solid
    def broken(_):
        raise Failure("the warehouse is closed", metadata={"table": "t"})

    @lambda_solid
    def downstream(x):
        return x

    @pipeline
    def p():
        downstream(broken())

    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(p, instance=instance, raise_on_error=False)
    assert not result.success
    failure = result.result_for_solid("broken").failure_data
    assert failure.message == "the warehouse is closed"
    assert failure.data["metadata"] == {"table": "t"}
    assert result.result_for_solid("downstream").skipped
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.FAILURE
    assert types_of(result.event_list)[-1] is E.PIPELINE_FAILURE


@pytest.mark.parametrize(
    ("raised", "message"),
    [
        (SystemExit(3), "called sys.exit(3)"),
        (KeyboardInterrupt("from user code"), "KeyboardInterrupt"),
    ],
)
def test_exiting_or_interrupting_from_a_solid_fails_its_step(raised, message):
    @lambda_solid
    def leaves():
        raise raised

    @lambda_solid
    def downstream(x):
        return x

    @pipeline
    def p():
        downstream(leaves())

    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(p, instance=instance, raise_on_error=False)
    assert message in result.result_for_solid("leaves").failure_data.message
    assert result.result_for_solid("downstream").skipped
    assert instance.get_run_by_id(result.run_id).status is PipelineRunStatus.FAILURE


def test_a_schema_error_and_an_executor_error_are_reported_together():
    from dagster_core import default_executors
    from dagster_dask import dask_executor

    @pipeline(mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])])
    def p():
        scale(one())

    cfg = {
        "solids": {"scale": {"config": {"factor": "x"}}},
        "execution": {"dask": {"cluster": {"existing": {"address": "nowhere"}}}},
        "storage": {"filesystem": {"base_dir": "relative/dir"}},
    }
    instance = DagsterInstance.ephemeral()
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(p, cfg, instance=instance)
    text = str(info.value)
    assert 'solids.scale.config.factor: expected Int, got "x"' in text
    assert 'execution.dask.cluster.existing.address: "nowhere" is not a scheduler address' in text
    assert "need a shared one" in text  # an ephemeral instance cannot serve remote workers
    assert 'storage.filesystem.base_dir: "relative/dir" is not absolute' in text
    assert instance.get_runs() == []


def test_exception_raises_after_the_run_is_recorded():
    @lambda_solid
    def explode():
        raise ValueError("bad row 7")

    @pipeline
    def p():
        explode()

    instance = DagsterInstance.ephemeral()
    with pytest.raises(ValueError, match="bad row 7"):  # the solid's own, as in the seed
        execute_pipeline(p, instance=instance)
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.FAILURE


def test_retry_requested_runs_again_with_attempt_numbers():
    calls = []

    @solid
    def flaky(context):
        calls.append(context.attempt)
        if len(calls) < 3:
            raise RetryRequested(max_retries=3, seconds_to_wait=0.01)
        return "ok"

    result = execute_solid(flaky)
    assert result.output_value() == "ok"
    assert calls == [1, 2, 3]
    retries = [e for e in result.step_events if e.event_type is E.STEP_RETRY]
    assert [e.attempt for e in retries] == [1, 2]
    assert result.step_events[-1].attempt == 3


def test_retries_run_out():
    @solid
    def always(_):
        raise RetryRequested(max_retries=1)

    result = execute_solid(always, raise_on_error=False)
    assert "exceeded its 1 retries" in result.failure_data.message


def test_resources_config_and_teardown_even_on_failure():
    torn_down = []

    @resource(config={"name": Field(String)})
    def conn(init_context):
        yield f"conn-{init_context.resource_config['name']}"
        torn_down.append(init_context.resource_config["name"])

    @solid(config=Field(Int, is_optional=True), required_resource_keys={"conn"})
    def maybe_fail(context):
        if context.solid_config:
            raise Failure("boom")
        return context.resources.conn

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"conn": conn})])
    def p():
        maybe_fail()

    cfg = {"resources": {"conn": {"config": {"name": "a"}}}}
    assert execute_pipeline(p, cfg).result_for_solid("maybe_fail").output_value() == "conn-a"
    cfg["solids"] = {"maybe_fail": {"config": 1}}
    assert not execute_pipeline(p, cfg, raise_on_error=False).success
    assert torn_down == ["a", "a"]


def test_modes_and_presets_from_files(tmp_path):
    @solid(required_resource_keys={"greeting"})
    def greet(context):
        return context.resources.greeting

    config_file = tmp_path / "p.yaml"
    config_file.write_text("solids: {}\n")

    @pipeline(
        mode_defs=[
            ModeDefinition("dev", {"greeting": ResourceDefinition.hardcoded_resource("hi dev")}),
            ModeDefinition("prod", {"greeting": ResourceDefinition.hardcoded_resource("hi prod")}),
        ],
        preset_defs=[PresetDefinition.from_files("prod_preset", [str(config_file)], mode="prod")],
    )
    def p():
        greet()

    assert execute_pipeline(p, mode="dev").result_for_solid("greet").output_value() == "hi dev"
    result = execute_pipeline(p, preset="prod_preset")
    assert result.result_for_solid("greet").output_value() == "hi prod"


def test_iterator_yields_events_as_they_happen_and_close_cancels():
    instance = DagsterInstance.ephemeral()
    events = execute_pipeline_iterator(scale_pipeline, instance=instance)
    first = next(events)
    assert first.event_type is E.PIPELINE_START
    run_id = first.run_id
    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.STARTED
    events.close()
    assert instance.get_run_by_id(run_id).status is PipelineRunStatus.CANCELED


def test_filesystem_storage_layout_and_reexecution(tmp_path):
    calls = []

    @lambda_solid
    def source():
        calls.append("source")
        return 10

    @lambda_solid
    def plus_one(x):
        calls.append("plus_one")
        return x + 1

    @pipeline
    def p():
        plus_one(source())

    instance = DagsterInstance.ephemeral()
    cfg = {"storage": {"filesystem": {"base_dir": str(tmp_path)}}}
    parent = execute_pipeline(p, cfg, instance=instance)
    assert os.path.isfile(tmp_path / parent.run_id / "intermediates" / "source.compute" / "result")

    child = reexecute_pipeline(
        p, parent.run_id, step_keys_to_execute=["plus_one.compute"], instance=instance
    )
    assert child.success
    assert child.result_for_solid("plus_one").output_value() == 11
    assert calls == ["source", "plus_one", "plus_one"]
    child_run = instance.get_run_by_id(child.run_id)
    assert child_run.parent_run_id == parent.run_id
    # a re-execution of a re-execution finds outputs further up the chain
    grandchild = reexecute_pipeline(
        p, child.run_id, step_keys_to_execute=["plus_one.compute"], instance=instance
    )
    assert grandchild.result_for_solid("plus_one").output_value() == 11


def test_reexecution_needs_persistent_storage():
    instance = DagsterInstance.ephemeral()
    parent = execute_pipeline(scale_pipeline, instance=instance)
    with pytest.raises(DagsterInvalidConfigError, match="persistent storage"):
        reexecute_pipeline(
            scale_pipeline, parent.run_id, step_keys_to_execute=["scale.compute"], instance=instance
        )


def test_default_filesystem_storage_uses_the_instance_artifact_dir():
    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(scale_pipeline, {"storage": {"filesystem": None}}, instance=instance)
    path = os.path.join(
        instance.storage_directory(), result.run_id, "intermediates", "scale.compute", "doubled"
    )
    assert os.path.isfile(path)


def test_execute_solid_with_inputs_resources_and_events():
    @solid(
        input_defs=[InputDefinition("x", Int), InputDefinition("label", Optional[String])],
        required_resource_keys={"offset"},
    )
    def add(context, x, label):
        yield Materialization("table", "written")
        yield ExpectationResult(success=x > 0, label="positive")
        yield Output(f"{label}:{x + context.resources.offset}")

    result = execute_solid(add, input_values={"x": 2, "label": "n"}, resources={"offset": 40})
    assert result.output_value() == "n:42"
    assert result.materializations[0].label == "table"
    assert result.expectation_results[0].success


def test_unknown_step_key_is_named(tmp_path):
    instance = DagsterInstance.ephemeral()
    parent = execute_pipeline(scale_pipeline, {"storage": {"filesystem": None}}, instance=instance)
    with pytest.raises(Exception, match="nope.compute.*one.compute, scale.compute"):
        reexecute_pipeline(scale_pipeline, parent.run_id, ["nope.compute"], instance=instance)
