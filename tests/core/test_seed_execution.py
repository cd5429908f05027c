"""Running and results the 0.7 way: RunConfig, exceptions with raise_on_error, the result and
event helpers, running solids within a pipeline, and what a solid's context offers."""

import pickle

import pytest

from dagster_core import (
    DagsterEvent,
    DagsterEventType,
    DagsterExecutionStepExecutionError,
    DagsterInstance,
    DagsterInvariantViolationError,
    DagsterResourceFunctionError,
    DagsterStepOutputNotFoundError,
    DagsterType,
    DagsterTypeCheckDidNotPass,
    EventMetadataEntry,
    ExpectationResult,
    Failure,
    Field,
    InputDefinition,
    Int,
    Materialization,
    ModeDefinition,
    Output,
    OutputDefinition,
    PipelineRunStatus,
    PresetDefinition,
    ResourceDefinition,
    RetryRequested,
    RunConfig,
    SolidHandle,
    execute_pipeline,
    execute_pipeline_iterator,
    execute_pipeline_with_mode,
    execute_pipeline_with_preset,
    execute_solid,
    execute_solid_within_pipeline,
    execute_solids_within_pipeline,
    lambda_solid,
    pipeline,
    resource,
    solid,
)


@lambda_solid
def two():
    return 2


@lambda_solid(input_defs=[InputDefinition("x", Int)])
def add_one(x):
    return x + 1


@pipeline
def adder():
    add_one(two())


def _filesystem(tmp_path):
    return {"storage": {"filesystem": {"base_dir": str(tmp_path)}}}


# -- RunConfig ------------------------------------------------------------------------------------


def _recording_pipeline(seen):
    @resource
    def label(_):
        return "test label"

    @solid(required_resource_keys={"label"})
    def look(context):
        seen.append(context)
        return context.resources.label

    @pipeline(
        mode_defs=[
            ModeDefinition("default", resource_defs={"label": ResourceDefinition.none_resource()}),
            ModeDefinition("test", resource_defs={"label": label}),
        ]
    )
    def recorded():
        look.alias("looker")()

    return recorded


def test_run_config_sets_run_id_mode_and_tags():
    seen = []
    instance = DagsterInstance.ephemeral()
    run_config = RunConfig(run_id="my-run-1", mode="test", tags={"team": "data"})
    result = execute_pipeline(_recording_pipeline(seen), run_config=run_config, instance=instance)

    assert result.run_id == "my-run-1"
    assert result.result_for_solid("looker").output_value() == "test label"
    run = instance.get_run_by_id("my-run-1")
    assert (run.mode, run.tags) == ("test", {"team": "data"})
    (context,) = seen
    seen_config = context.run_config
    assert (seen_config.run_id, seen_config.mode, seen_config.tags) == (
        "my-run-1",
        "test",
        {"team": "data"},
    )
    assert context.run_id == "my-run-1"
    assert context.get_tag("team") == "data"
    assert context.has_tag("team") and not context.has_tag("owner")
    assert context.get_tag("owner") is None


def test_run_config_is_a_frozen_value():
    run_config = RunConfig(mode="test", tags={"a": "1"}, step_keys_to_execute=["x.compute"])
    assert run_config.run_id  # a new run id unless one is given
    assert RunConfig().run_id != RunConfig().run_id
    assert run_config.step_keys_to_execute == ("x.compute",)
    assert pickle.loads(pickle.dumps(run_config)) == run_config
    with pytest.raises(AttributeError):
        run_config.mode = "other"
    extended = run_config.with_tags(b="2").with_mode("prod")
    assert (extended.tags, extended.mode, extended.run_id) == (
        {"a": "1", "b": "2"},
        "prod",
        run_config.run_id,
    )
    assert run_config.with_step_keys_to_execute(["y.compute"]).step_keys_to_execute == (
        "y.compute",
    )
    with pytest.raises(DagsterInvariantViolationError, match="step_keys_to_execute"):
        RunConfig(step_keys_to_execute="x.compute")
    with pytest.raises(DagsterInvariantViolationError, match="mode must be a string"):
        RunConfig(mode=3)


def test_run_config_conflicting_with_keyword_arguments_is_an_error_naming_both():
    seen = []
    p = _recording_pipeline(seen)
    with pytest.raises(DagsterInvariantViolationError) as info:
        execute_pipeline(p, mode="default", run_config=RunConfig(mode="test"))
    assert "mode='default'" in str(info.value)
    assert "run_config.mode='test'" in str(info.value)
    with pytest.raises(DagsterInvariantViolationError, match=r"tags=.*run_config\.tags="):
        execute_pipeline_iterator(p, tags={"a": "1"}, run_config=RunConfig(tags={"a": "2"}))
    with pytest.raises(DagsterInvariantViolationError, match="pass a RunConfig as run_config="):
        execute_pipeline(p, None, RunConfig(mode="test"))  # 0.7's third positional argument
    with pytest.raises(DagsterInvariantViolationError, match="run_config must be a RunConfig"):
        execute_pipeline(p, run_config={"solids": {}})
    assert seen == []

    # the same value given both ways is no conflict
    result = execute_pipeline(p, mode="test", run_config=RunConfig(mode="test"))
    assert result.result_for_solid("looker").output_value() == "test label"


def test_run_config_with_the_iterator_and_execute_solid():
    events = list(execute_pipeline_iterator(adder, run_config=RunConfig(run_id="iter-run")))
    assert {e.run_id for e in events} == {"iter-run"}

    seen = []

    @solid
    def tagged(context):
        seen.append(context.get_tag("kind"))

    execute_solid(tagged, run_config=RunConfig(tags={"kind": "unit"}))
    assert seen == ["unit"]


def test_run_config_previous_run_id_reexecutes(tmp_path):
    seen = []

    @solid(input_defs=[InputDefinition("x", Int)])
    def add_one_seen(context, x):
        seen.append(context.run_config)
        return x + 1

    @pipeline
    def p():
        add_one_seen(two())

    instance = DagsterInstance.ephemeral()
    parent = execute_pipeline(p, _filesystem(tmp_path), instance=instance)
    child = execute_pipeline(
        p,
        _filesystem(tmp_path),
        instance=instance,
        run_config=RunConfig(
            previous_run_id=parent.run_id, step_keys_to_execute=["add_one_seen.compute"]
        ),
    )

    assert child.success
    assert child.result_for_solid("add_one_seen").output_value() == 3
    assert instance.get_run_by_id(child.run_id).parent_run_id == parent.run_id
    assert seen[-1].previous_run_id == parent.run_id
    assert seen[-1].step_keys_to_execute == ("add_one_seen.compute",)
    # a solid left out of the re-execution has a result that says it did not run
    not_run = child.result_for_solid("two")
    assert not_run.step_events == []
    assert not not_run.success and not_run.skipped
    assert not_run.output_value() is None


# -- raise_on_error -------------------------------------------------------------------------------


class RowError(Exception):
    pass


def test_the_solids_own_exception_reaches_the_caller_after_the_run_is_recorded():
    error = RowError("bad row 7")
    after = []

    @lambda_solid
    def explode():
        raise error

    @lambda_solid
    def downstream(x):
        after.append(x)

    @pipeline
    def p():
        downstream(explode())

    instance = DagsterInstance.ephemeral()
    with pytest.raises(RowError) as info:
        execute_pipeline(p, instance=instance)
    assert info.value is error
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.FAILURE
    assert after == []

    result = execute_pipeline(p, raise_on_error=False)  # no raise: the result says what failed
    assert not result.success
    failure = result.result_for_solid("explode").failure_data
    assert failure.error.cls_name == "RowError"
    assert "bad row 7" in failure.message
    assert result.result_for_solid("downstream").skipped


def test_failure_reaches_the_caller():
    @lambda_solid
    def refuse():
        raise Failure("no rows today", metadata={"rows": 0})

    with pytest.raises(Failure, match="no rows today") as info:
        execute_solid(refuse)
    assert info.value.metadata == {"rows": 0}


def test_framework_mistakes_raise_the_seeds_exception_classes():
    @solid(output_defs=[OutputDefinition(Int)])
    def wrong_type(_):
        return "seven"

    @solid(output_defs=[OutputDefinition(Int, "a"), OutputDefinition(Int, "b")])
    def only_a(_):
        yield Output(1, "a")

    @solid
    def undeclared(_):
        yield Output(1, "nope")

    with pytest.raises(DagsterTypeCheckDidNotPass, match="output 'result' of solid 'wrong_type'"):
        execute_solid(wrong_type)
    with pytest.raises(DagsterTypeCheckDidNotPass, match="input 'x' of solid 'add_one'"):
        execute_solid(add_one, input_values={"x": "one"})
    with pytest.raises(DagsterStepOutputNotFoundError, match="'b'"):
        execute_solid(only_a)
    with pytest.raises(DagsterInvariantViolationError, match="'nope', which it does not declare"):
        execute_solid(undeclared)


def test_an_exception_in_a_type_check_reaches_the_caller():
    def check_even(value):
        raise RowError(f"cannot check {value!r}")

    even = DagsterType("Even", check_even)

    @lambda_solid(output_def=OutputDefinition(even))
    def make():
        return 4

    with pytest.raises(RowError, match="cannot check 4"):
        execute_solid(make)
    failure = execute_solid(make, raise_on_error=False).failure_data
    assert "Type check of output 'result' of solid 'make' (Even) raised RowError" in (
        failure.message
    )


def test_a_resource_that_fails_to_start_raises_resource_function_error():
    error = RowError("no database")

    @resource
    def database(_):
        raise error

    @solid(required_resource_keys={"db"})
    def query(_):
        return 1

    with pytest.raises(DagsterResourceFunctionError, match="resource 'db'") as info:
        execute_solid(query, resources={"db": database})
    assert info.value.__cause__ is error


def test_steps_in_other_processes_raise_step_execution_error_with_the_text(tmp_path):
    class RowError(Exception):  # travels to the child process by value, with the solid
        pass

    @lambda_solid
    def explode():
        raise RowError("bad row 7")

    @pipeline
    def p():
        explode()

    cfg = {**_filesystem(tmp_path), "execution": {"multiprocess": {"max_concurrent": 1}}}
    instance = DagsterInstance.local_temp()
    with pytest.raises(DagsterExecutionStepExecutionError, match="bad row 7") as info:
        execute_pipeline(p, cfg, instance=instance)
    assert info.value.step_key == "explode.compute"
    assert info.value.error_info.cls_name == "RowError"
    assert "in explode" in info.value.error_info.to_string()  # its traceback
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.FAILURE


# -- results and events ---------------------------------------------------------------------------


@solid(
    input_defs=[InputDefinition("x", Int), InputDefinition("y", Int)],
    output_defs=[OutputDefinition(Int, "total"), OutputDefinition(Int, "doubled")],
)
def combine(_, x, y):
    yield Materialization("totals", "the total")
    yield ExpectationResult(True, "positive")
    yield Output(x + y, "total")
    yield Output(2 * (x + y), "doubled")


def test_solid_result_helpers():
    result = execute_solid(combine, input_values={"x": 1, "y": 2})

    assert result.success
    assert result.solid.name == "combine" and result.solid.definition is combine
    assert result.compute_step_events == result.step_events
    assert all(e.step_key == "combine.compute" for e in result.compute_step_events)
    assert set(result.compute_input_event_dict) == {"x", "y"}
    assert set(result.compute_output_event_dict) == {"total", "doubled"}
    assert result.get_output_event_for_compute("total").is_successful_output
    assert result.output_values == {"total": 3, "doubled": 6}
    assert [m.label for m in result.materializations_during_compute] == ["totals"]
    assert [e.is_step_materialization for e in result.materialization_events_during_compute] == [
        True
    ]
    assert [r.label for r in result.expectation_results_during_compute] == ["positive"]
    assert len(result.expectation_events_during_compute) == 1
    assert result.failure_data is None
    with pytest.raises(DagsterInvariantViolationError, match="no output 'nope'.*total, doubled"):
        result.output_value("nope")
    with pytest.raises(DagsterInvariantViolationError, match="no STEP_OUTPUT event for output"):
        result.get_output_event_for_compute("result")


def test_a_failed_solid_has_no_output_values():
    @lambda_solid
    def broken():
        raise RowError("broken")

    result = execute_solid(broken, raise_on_error=False)
    assert not result.success and not result.skipped
    assert result.output_value() is None
    assert result.output_values is None
    assert result.failure_data.is_step_failure


def test_pipeline_result_helpers():
    cfg = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    result = execute_pipeline(adder, cfg)

    assert result.pipeline is adder
    assert result.environment_dict == cfg
    assert set(result.events_by_step_key) == {"two.compute", "add_one.compute"}
    assert [e.event_type for e in result.events_by_step_key["two.compute"]][-1] is (
        DagsterEventType.STEP_SUCCESS
    )
    with pytest.raises(DagsterInvariantViolationError, match="no solid 'three'.*two, add_one"):
        result.result_for_solid("three")


def test_event_helpers():
    attempts = []

    @lambda_solid
    def flaky():
        if not attempts:
            attempts.append(1)
            raise RetryRequested(max_retries=1)
        return 1

    @pipeline
    def p():
        add_one.alias("plus")(flaky())

    result = execute_pipeline(p)
    start, *_, end = result.event_list
    assert start.event_type_value == "PIPELINE_START" and start.is_pipeline_event
    assert start.solid_handle is None and not start.is_step_event
    assert end.is_pipeline_success and not end.is_pipeline_failure
    plus = result.events_by_step_key["plus.compute"]
    assert plus[0].is_step_start and plus[-1].is_step_success
    assert plus[0].solid_handle == SolidHandle("plus")
    assert str(plus[0].solid_handle) == "plus"
    assert (plus[0].solid_name, plus[0].pipeline_name) == ("plus", "p")
    assert plus[0].message == "Started step plus.compute"
    assert [e.event_type_value for e in plus if e.is_successful_output] == ["STEP_OUTPUT"]
    assert [e.attempt for e in result.step_event_list if e.is_step_up_for_retry] == [1]

    engine = DagsterEvent(DagsterEventType.ENGINE_EVENT, "r", "p", "workers started")
    assert engine.is_engine_event and not engine.is_step_event
    assert SolidHandle.from_string("outer.inner") == SolidHandle("inner", SolidHandle("outer"))


def test_failed_and_skipped_step_events():
    @lambda_solid
    def broken():
        raise RowError("broken")

    @pipeline
    def p():
        add_one(broken())

    result = execute_pipeline(p, raise_on_error=False)
    assert [e.event_type_value for e in result.event_list if e.is_step_failure] == ["STEP_FAILURE"]
    assert [e.step_key for e in result.event_list if e.is_step_skipped] == ["add_one.compute"]
    assert result.event_list[-1].is_pipeline_failure
    assert result.event_list[-1].is_failure


# -- running solids within a pipeline -------------------------------------------------------------


@solid(
    config={"factor": Field(Int, default_value=2)},
    input_defs=[InputDefinition("x", Int)],
    required_resource_keys={"offset"},
)
def scale(context, x):
    return x * context.solid_config["factor"] + context.resources.offset


@pipeline(
    mode_defs=[
        ModeDefinition(
            "default", resource_defs={"offset": ResourceDefinition.hardcoded_resource(0)}
        ),
        ModeDefinition(
            "shifted", resource_defs={"offset": ResourceDefinition.hardcoded_resource(100)}
        ),
    ],
    preset_defs=[
        PresetDefinition(
            "triple",
            {"solids": {"scale": {"config": {"factor": 3}}}},
            mode="shifted",
        )
    ],
)
def scaled():
    add_one.alias("last")(scale(add_one(two())))


def test_execute_solid_within_pipeline():
    result = execute_solid_within_pipeline(scaled, "scale", inputs={"x": 5})
    assert result.output_value() == 10

    result = execute_solid_within_pipeline(
        scaled,
        "scale",
        inputs={"x": 5},
        environment_dict={"solids": {"scale": {"config": {"factor": 4}}}},
        mode="shifted",
    )
    assert result.output_value() == 120
    # an alias runs as itself
    assert execute_solid_within_pipeline(scaled, "last", inputs={"x": 1}).output_value() == 2


def test_execute_solids_within_pipeline():
    results = execute_solids_within_pipeline(scaled, ["scale", "last"], inputs={"scale": {"x": 4}})
    assert set(results) == {"scale", "last"}
    assert results["scale"].output_value() == 8
    assert results["last"].output_value() == 9

    with pytest.raises(DagsterInvariantViolationError, match="not among the solids to execute"):
        execute_solids_within_pipeline(scaled, ["scale"], inputs={"last": {"x": 1}})
    with pytest.raises(DagsterInvariantViolationError, match="has no input.*nope.*inputs: x"):
        execute_solid_within_pipeline(scaled, "scale", inputs={"nope": 1})


def test_execute_pipeline_with_mode_and_with_preset():
    result = execute_pipeline_with_mode(scaled, "shifted")
    assert result.result_for_solid("scale").output_value() == 106  # (2 + 1) * 2 + 100

    result = execute_pipeline_with_preset(scaled, "triple")
    assert result.result_for_solid("last").output_value() == 110  # (2 + 1) * 3 + 100 + 1
    assert result.environment_dict["solids"]["scale"] == {"config": {"factor": 3}}
    assert execute_pipeline_with_preset(scaled, "triple", run_config=RunConfig(mode="shifted"))
    with pytest.raises(DagsterInvariantViolationError, match="Preset 'triple'"):
        execute_pipeline_with_preset(scaled, "triple", run_config=RunConfig(mode="default"))
    with pytest.raises(DagsterInvariantViolationError, match="has no mode 'nope'"):
        execute_pipeline_with_mode(scaled, "nope")


# -- the solid's context --------------------------------------------------------------------------


def test_the_solid_context():
    seen = []

    @solid(required_resource_keys={"offset"})
    def look(context):
        context.log.info("looking")
        seen.append(context)

    @pipeline(
        mode_defs=[
            ModeDefinition("m", resource_defs={"offset": ResourceDefinition.hardcoded_resource(7)})
        ]
    )
    def p():
        look.alias("peek")()

    result = execute_pipeline(p, tags={"who": "me"})
    (context,) = seen
    assert context.solid.name == "peek"
    assert context.solid.definition is look and context.solid_def is look
    assert context.pipeline_def is p
    assert context.mode_def.name == "m"
    assert isinstance(context.run_config, RunConfig)
    assert (context.run_config.run_id, context.run_config.mode) == (result.run_id, "m")
    assert context.run_config.tags == {"who": "me"} and context.get_tag("who") == "me"
    assert context.resources.offset == 7
    logs = [e for e in result.events_by_step_key["peek.compute"] if e.is_log_message]
    assert [e.message for e in logs] == ["looking"]


def test_event_specific_data_and_user_failure_data_as_the_seed_named_them():
    @solid
    def check_and_fail(_context):
        yield ExpectationResult(success=True, label="always", description="always true")
        raise Failure(
            description="deliberately",
            metadata_entries=[EventMetadataEntry.text("text", "label", description="about it")],
        )

    result = execute_solid(check_and_fail, raise_on_error=False)
    expectation = result.expectation_events_during_compute[0]
    assert expectation.event_specific_data.expectation_result.description == "always true"
    failure_data = result.failure_data
    assert failure_data.error.cls_name == "Failure"
    assert failure_data.user_failure_data.label == "intentional-failure"
    assert failure_data.user_failure_data.description == "deliberately"
    entry = failure_data.user_failure_data.metadata_entries[0]
    assert (entry.label, entry.entry_data.text, entry.description) == ("label", "text", "about it")
    assert failure_data.event_specific_data.user_failure_data == failure_data.user_failure_data


def test_a_step_out_of_retries_raises_the_step_error_not_the_retry_request():
    @solid
    def always_retries(_context):
        raise RetryRequested(max_retries=1)

    with pytest.raises(DagsterExecutionStepExecutionError, match="exceeded its 1 retries"):
        execute_solid(always_retries)
