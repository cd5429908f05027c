"""Composite solids, sub-pipelines, the 0.7 SolidDefinition and composition mistakes, as a user
porting Dagster 0.7 pipelines and tests writes them."""

from __future__ import annotations

import pytest

from dagster_core import (
    CompositeSolidDefinition,
    CompositeSolidExecutionResult,
    ConfigMapping,
    DagsterConfigMappingFunctionError,
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
    DependencyDefinition,
    ExecutionSelector,
    Field,
    InputDefinition,
    Int,
    ModeDefinition,
    Output,
    OutputDefinition,
    PipelineDefinition,
    SolidDefinition,
    SolidInvocation,
    String,
    composite_solid,
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


@lambda_solid(input_defs=[InputDefinition("num", Int)], output_def=OutputDefinition(Int))
def add_one(num):
    return num + 1


@lambda_solid(output_def=OutputDefinition(Int))
def return_one():
    return 1


@solid(
    config={"factor": Field(Int)},
    input_defs=[InputDefinition("num", Int)],
    output_defs=[OutputDefinition(Int)],
)
def multiply(context, num):
    return num * context.solid_config["factor"]


@composite_solid(input_defs=[InputDefinition("num", Int)], output_defs=[OutputDefinition(Int)])
def add_two(num):
    return add_one.alias("adder_2")(add_one.alias("adder_1")(num))


def succeeded_steps(result):
    return [e.step_key for e in result.step_event_list if e.event_type is E.STEP_SUCCESS]


# -- composite solids -------------------------------------------------------------------------


def test_composite_solid_runs_as_the_steps_of_its_solids():
    @pipeline
    def p():
        add_one(add_two(return_one()))

    result = execute_pipeline(p)
    assert result.success
    assert succeeded_steps(result) == [
        "return_one.compute",
        "add_two.adder_1.compute",
        "add_two.adder_2.compute",
        "add_one.compute",
    ]
    composite = result.result_for_solid("add_two")
    assert isinstance(composite, CompositeSolidExecutionResult)
    assert composite.success
    assert composite.output_value() == 3
    assert composite.output_values == {"result": 3}
    assert composite.result_for_solid("adder_1").output_value() == 2
    assert composite.result_for_handle("adder_2").output_value() == 3
    assert [r.solid_name for r in composite.solid_result_list] == [
        "add_two.adder_1",
        "add_two.adder_2",
    ]
    assert result.result_for_handle("add_two.adder_1").output_value() == 2
    assert result.result_for_solid("add_one").output_value() == 4
    assert [r.solid_name for r in result.solid_result_list] == ["return_one", "add_two", "add_one"]
    # events of a solid inside a composite name it by its handle
    inner_events = [e for e in composite.step_event_list if e.step_key == "add_two.adder_1.compute"]
    assert {e.solid_name for e in inner_events} == {"add_two.adder_1"}


def test_composite_solid_definition_as_the_seed_spelled_it_nests():
    add_two_def = CompositeSolidDefinition(
        "add_two_def",
        solid_defs=[add_one],
        dependencies={
            SolidInvocation("add_one", "adder_1"): {},
            SolidInvocation("add_one", "adder_2"): {"num": DependencyDefinition("adder_1")},
        },
        input_mappings=[InputDefinition("num", Int).mapping_to("adder_1", "num")],
        output_mappings=[OutputDefinition(Int).mapping_from("adder_2")],
    )
    add_four = CompositeSolidDefinition(
        "add_four",
        solid_defs=[add_two_def],
        dependencies={
            SolidInvocation("add_two_def", "first"): {},
            SolidInvocation("add_two_def", "second"): {"num": DependencyDefinition("first")},
        },
        input_mappings=[InputDefinition("num", Int).mapping_to("first", "num")],
        output_mappings=[OutputDefinition(Int).mapping_from("second")],
    )
    p = PipelineDefinition(
        name="composition",
        solid_defs=[return_one, add_four],
        dependencies={"add_four": {"num": DependencyDefinition("return_one")}},
    )

    result = execute_pipeline(p)
    assert result.result_for_solid("add_four").output_value() == 5
    assert result.result_for_handle("add_four.second.adder_1").output_value() == 4
    assert (
        result.result_for_solid("add_four").result_for_handle("first.adder_2").output_value() == 3
    )
    assert "add_four.second.adder_2.compute" in succeeded_steps(result)


def test_nested_composite_solids_by_decorator():
    @composite_solid
    def add_four(num):
        return add_two.alias("twice")(add_two(num))

    @pipeline
    def p():
        add_four(return_one())

    result = execute_pipeline(p)
    assert result.result_for_solid("add_four").output_value() == 5
    assert result.result_for_handle("add_four.twice.adder_2").output_value() == 5
    assert len(succeeded_steps(result)) == 5


def test_config_of_solids_inside_a_composite_nests_under_solids():
    @composite_solid
    def scale_twice(num):
        return multiply.alias("second")(multiply.alias("first")(num))

    @pipeline
    def p():
        scale_twice(return_one())

    cfg = {
        "solids": {
            "scale_twice": {
                "solids": {"first": {"config": {"factor": 3}}, "second": {"config": {"factor": 5}}}
            }
        }
    }
    assert execute_pipeline(p, cfg).result_for_solid("scale_twice").output_value() == 15

    bad = {"solids": {"scale_twice": {"solids": {"first": {"config": {"factor": "x"}}}}}}
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(p, bad)
    message = str(info.value)
    assert "solids.scale_twice.solids.first.config.factor" in message
    assert 'solids.scale_twice.solids: missing required field "second"' in message  # all at once


def test_config_mapping_gives_a_composite_its_own_config():
    @composite_solid(
        config={"times": Field(Int, default_value=10)},
        config_fn=lambda cfg: {"multiply": {"config": {"factor": cfg["times"]}}},
    )
    def scaled(num):
        return multiply(num)

    # the seed's first 0.7 releases passed a context first
    @composite_solid(
        config={"prefix": Field(String)},
        config_fn=lambda context, cfg: {"multiply": {"config": {"factor": len(cfg["prefix"])}}},
    )
    def by_length(num):
        return multiply(num)

    @pipeline
    def p():
        by_length(scaled(return_one()))

    result = execute_pipeline(p, {"solids": {"by_length": {"config": {"prefix": "abc"}}}})
    assert result.result_for_solid("scaled").output_value() == 10
    assert result.result_for_solid("by_length").output_value() == 30

    with pytest.raises(DagsterInvalidConfigError, match="solids.by_length.config.prefix"):
        execute_pipeline(p, {"solids": {"by_length": {"config": {"prefix": 3}}}})


def test_config_mapping_on_a_composite_solid_definition():
    scaled = CompositeSolidDefinition(
        "scaled",
        solid_defs=[multiply],
        input_mappings=[InputDefinition("num", Int).mapping_to("multiply", "num")],
        output_mappings=[OutputDefinition(Int).mapping_from("multiply")],
        config_mapping=ConfigMapping(
            config_fn=lambda cfg: {"multiply": {"config": {"factor": cfg["k"]}}},
            config={"k": Field(Int)},
        ),
    )
    result = execute_solid(
        scaled, {"solids": {"scaled": {"config": {"k": 4}}}}, input_values={"num": 2}
    )
    assert result.output_value() == 8


def test_config_fn_output_that_its_solids_reject_is_a_config_error_naming_the_composite():
    @composite_solid(config={"n": Int}, config_fn=lambda cfg: {"multiply": {"config": {}}})
    def broken(num):
        return multiply(num)

    @pipeline
    def p():
        broken(return_one())

    instance = DagsterInstance.ephemeral()
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(p, {"solids": {"broken": {"config": {"n": 1}}}}, instance=instance)
    (error,) = info.value.errors
    assert str(error).startswith("solids.broken.config: config_fn of composite solid 'broken'")
    assert 'missing required field "factor"' in str(error)
    assert instance.get_runs() == []


def test_config_fn_that_raises_names_the_composite():
    def explode(cfg):
        raise KeyError("nope")

    @composite_solid(config={}, config_fn=explode)
    def fragile(num):
        return multiply(num)

    @pipeline
    def p():
        fragile(return_one())

    with pytest.raises(DagsterConfigMappingFunctionError, match="'fragile'.*KeyError"):
        execute_pipeline(p)


def test_composite_outputs_from_a_dict_and_inputs_fanned_out_and_from_config():
    @lambda_solid(
        input_defs=[InputDefinition("a", Int), InputDefinition("b", Int)],
        output_def=OutputDefinition(Int),
    )
    def subtract(a, b):
        return a - b

    @composite_solid(
        input_defs=[InputDefinition("num", Int)],
        output_defs=[OutputDefinition(Int, "bigger"), OutputDefinition(Int, "zero")],
    )
    def spread(num):
        bigger = add_one(num)
        return {"bigger": bigger, "zero": subtract(num, num)}

    @pipeline
    def p():
        out = spread()
        subtract.alias("diff")(out.bigger, out.zero)

    result = execute_pipeline(p, {"solids": {"spread": {"inputs": {"num": 41}}}})
    composite = result.result_for_solid("spread")
    assert composite.output_values == {"bigger": 42, "zero": 0}
    assert result.result_for_solid("diff").output_value() == 42


def test_resources_reach_solids_inside_composites_and_mode_checks_name_them():
    @resource(config=Int)
    def offset(init_context):
        return init_context.resource_config

    @solid(required_resource_keys={"offset"})
    def shift(context, num):
        return num + context.resources.offset

    @composite_solid
    def shifted(num):
        return shift(num)

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"offset": offset})])
    def p():
        shifted(return_one())

    result = execute_pipeline(p, {"resources": {"offset": {"config": 100}}})
    assert result.result_for_solid("shifted").output_value() == 101

    with pytest.raises(DagsterInvalidDefinitionError, match="'shifted.shift' requires.*offset"):

        @pipeline
        def _missing_resource():
            shifted(return_one())


@pytest.mark.parametrize("executor", ["in_process", "multiprocess"])
def test_composites_run_on_every_executor_and_reexecute_by_inner_step(executor, tmp_path):
    @composite_solid(
        config={"times": Int},
        config_fn=lambda cfg: {"multiply": {"config": {"factor": cfg["times"]}}},
    )
    def scaled(num):
        return multiply(add_two(num))

    @pipeline
    def p():
        add_one(scaled(return_one()))

    cfg = {
        "execution": {executor: {}},
        "storage": {"filesystem": {"base_dir": str(tmp_path)}},
        "solids": {"scaled": {"config": {"times": 7}}},
    }
    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(p, cfg, instance=instance)
    assert result.result_for_solid("add_one").output_value() == 22
    assert result.result_for_handle("scaled.add_two.adder_2").output_value() == 3
    assert set(succeeded_steps(result)) == {
        "return_one.compute",
        "scaled.add_two.adder_1.compute",
        "scaled.add_two.adder_2.compute",
        "scaled.multiply.compute",
        "add_one.compute",
    }

    child = reexecute_pipeline(
        p,
        result.run_id,
        step_keys_to_execute=["scaled.multiply.compute", "add_one.compute"],
        environment_dict={**cfg, "solids": {"scaled": {"config": {"times": 2}}}},
        instance=instance,
    )
    assert succeeded_steps(child) == ["scaled.multiply.compute", "add_one.compute"]
    assert child.result_for_solid("add_one").output_value() == 7


def test_execute_solid_runs_a_composite_solid():
    result = execute_solid(add_two, input_values={"num": 5})
    assert isinstance(result, CompositeSolidExecutionResult)
    assert result.output_value() == 7
    assert result.result_for_solid("adder_1").output_value() == 6


def test_failure_inside_a_composite_shows_in_its_result():
    @lambda_solid
    def boom(num):
        raise ValueError("bad number")

    @composite_solid
    def fragile(num):
        return add_one(boom(num))

    @pipeline
    def p():
        fragile(return_one())

    result = execute_pipeline(p, raise_on_error=False)
    composite = result.result_for_solid("fragile")
    assert not result.success and not composite.success
    assert "bad number" in composite.result_for_solid("boom").failure_data.message
    assert composite.result_for_solid("add_one").skipped


# -- composition mistakes ---------------------------------------------------------------------


def test_composite_definition_mistakes_are_named_when_defined():
    with pytest.raises(DagsterInvalidDefinitionError, match="solid 'nope', which it does not"):
        CompositeSolidDefinition(
            "c",
            solid_defs=[add_one],
            input_mappings=[InputDefinition("num", Int).mapping_to("nope", "num")],
        )
    with pytest.raises(DagsterInvalidDefinitionError, match="input 'x' of solid 'add_one'"):
        CompositeSolidDefinition(
            "c",
            solid_defs=[add_one],
            input_mappings=[InputDefinition("num", Int).mapping_to("add_one", "x")],
        )
    with pytest.raises(DagsterInvalidDefinitionError, match="type String.*of type Int"):
        CompositeSolidDefinition(
            "c",
            solid_defs=[add_one],
            input_mappings=[InputDefinition("num", String).mapping_to("add_one", "num")],
        )
    with pytest.raises(DagsterInvalidDefinitionError, match="output 'nope' of solid 'add_one'"):
        CompositeSolidDefinition(
            "c",
            solid_defs=[add_one],
            output_mappings=[OutputDefinition(Int).mapping_from("add_one", "nope")],
        )
    with pytest.raises(DagsterInvalidDefinitionError, match="expected an InputMapping"):
        CompositeSolidDefinition("c", solid_defs=[add_one], input_mappings=[InputDefinition("n")])


def test_composite_solid_decorator_mistakes_are_named_when_defined():
    with pytest.raises(DagsterInvalidDefinitionError, match="Input 'unused'.*not passed"):

        @composite_solid
        def _unused_input(num, unused):
            return add_one(num)

    with pytest.raises(DagsterInvalidDefinitionError, match=r"Output\(s\) second.*not returned"):

        @composite_solid(
            output_defs=[OutputDefinition(Int, "first"), OutputDefinition(Int, "second")]
        )
        def _missing_output(num):
            return {"first": add_one(num)}

    with pytest.raises(DagsterInvalidDefinitionError, match="returned 5 .int."):

        @composite_solid
        def _returns_a_value(num):
            add_one(num)
            return 5

    with pytest.raises(DagsterInvalidDefinitionError, match="no config_fn"):

        @composite_solid(config={"n": Int})
        def _config_without_fn(num):
            return multiply(num)

    with pytest.raises(DagsterInvalidDefinitionError, match="no config schema"):

        @composite_solid(config_fn=lambda cfg: {})
        def _fn_without_config(num):
            return multiply(num)


def test_unpacking_a_single_output_is_a_definition_error():
    with pytest.raises(DagsterInvalidDefinitionError, match="'return_one'.*one output") as info:

        @pipeline
        def _p():
            x, _y = return_one()
            add_one(x)

    # the seed raised DagsterInvariantViolationError here: tests written for it still pass
    assert isinstance(info.value, DagsterInvariantViolationError)
    with pytest.raises(DagsterInvalidDefinitionError, match="index into"):

        @pipeline
        def _q():
            add_one(return_one()[0])


def test_pipeline_definition_argument_mistakes_are_named():
    with pytest.raises(DagsterInvalidDefinitionError, match="must be a list.*SolidDefinition"):
        PipelineDefinition(solid_defs=add_one)
    with pytest.raises(DagsterInvalidDefinitionError, match="decorate it with @solid"):
        PipelineDefinition(solid_defs=[lambda: 1])
    with pytest.raises(
        DagsterInvalidDefinitionError,
        match=r"dependencies\['add_one'\].*DependencyDefinition.*input name",
    ):
        PipelineDefinition(
            solid_defs=[return_one, add_one],
            dependencies={"add_one": DependencyDefinition("return_one")},
        )


# -- the 0.7 SolidDefinition ------------------------------------------------------------------


def test_solid_definition_compute_fn_takes_the_inputs_dict():
    def _sum(context, inputs):
        context.log.info(f"adding {sorted(inputs)}")
        yield Output(inputs["a"] + inputs["b"])

    add = SolidDefinition(
        name="add",
        input_defs=[InputDefinition("a", Int), InputDefinition("b", Int)],
        compute_fn=_sum,
        output_defs=[OutputDefinition(Int)],
        config=None,
        required_resource_keys=set(),
    )

    @pipeline
    def p():
        add(return_one(), add_one(return_one()))

    result = execute_pipeline(p)
    assert result.result_for_solid("add").output_value() == 3
    logs = [e.message for e in result.event_list if e.event_type is E.LOG_MESSAGE]
    assert "adding ['a', 'b']" in logs
    assert execute_solid(add, input_values={"a": 2, "b": 5}).output_value() == 7


def test_solid_definition_argument_mistakes_are_named():
    with pytest.raises(DagsterInvalidDefinitionError, match="compute_fn of solid 's' is 3"):
        SolidDefinition("s", [], 3, [])
    with pytest.raises(DagsterInvalidDefinitionError, match="input_defs of solid 's'"):
        SolidDefinition("s", InputDefinition("x"), lambda c, i: None, [])
    with pytest.raises(DagsterInvalidDefinitionError, match="required_resource_keys.*'db'"):
        SolidDefinition("s", [], lambda c, i: None, [], required_resource_keys="db")


# -- sub-pipelines ----------------------------------------------------------------------------


@pipeline
def three_steps():
    add_two(add_one(return_one()))


def test_build_sub_pipeline_runs_the_named_solids_and_says_so_in_its_selector():
    assert three_steps.selector == ExecutionSelector("three_steps", None)
    assert three_steps.build_sub_pipeline(None) is three_steps

    sub = three_steps.build_sub_pipeline(["add_two"])
    assert sub.name == "three_steps"
    assert sub.selector == ExecutionSelector("three_steps", ["add_two"])
    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(
        sub, {"solids": {"add_two": {"inputs": {"num": 10}}}}, instance=instance
    )
    assert succeeded_steps(result) == ["add_two.adder_1.compute", "add_two.adder_2.compute"]
    assert result.result_for_solid("add_two").output_value() == 12
    assert instance.get_run_by_id(result.run_id).solid_subset == ("add_two",)

    with pytest.raises(DagsterInvalidDefinitionError, match="no solid.*nope.*return_one"):
        three_steps.build_sub_pipeline(["nope"])
    with pytest.raises(DagsterInvalidDefinitionError, match="list of solid names"):
        three_steps.build_sub_pipeline("add_one")


def test_solid_subset_on_execute_and_iterate_is_recorded_and_kept_by_reexecution(tmp_path):
    instance = DagsterInstance.ephemeral()
    cfg = {
        "solids": {"add_one": {"inputs": {"num": 5}}},
        "storage": {"filesystem": {"base_dir": str(tmp_path)}},
    }
    result = execute_pipeline(
        three_steps, cfg, instance=instance, solid_subset=["add_one", "add_two"]
    )
    assert result.result_for_solid("add_two").output_value() == 8
    assert instance.get_run_by_id(result.run_id).solid_subset == ("add_one", "add_two")

    events = list(
        execute_pipeline_iterator(three_steps, cfg, instance=instance, solid_subset=["add_one"])
    )
    assert {e.step_key for e in events if e.event_type is E.STEP_SUCCESS} == {"add_one.compute"}

    child = reexecute_pipeline(
        three_steps,
        result.run_id,
        step_keys_to_execute=["add_two.adder_2.compute"],
        instance=instance,
    )
    assert instance.get_run_by_id(child.run_id).solid_subset == ("add_one", "add_two")
    assert child.result_for_solid("add_two").output_value() == 8


# -- positional arguments in a composition -------------------------------------------------------


@lambda_solid
def _two():
    return 2


@lambda_solid
def _three():
    return 3


def test_positional_arguments_bind_to_the_functions_parameters_not_input_defs_order():
    @solid(input_defs=[InputDefinition("b"), InputDefinition("a")])
    def subtract_with_context(_context, a, b):
        return a - b

    @lambda_solid(input_defs=[InputDefinition("b"), InputDefinition("a")])
    def subtract(a, b):
        return a - b

    @composite_solid
    def subtract_inside(a, b):
        return subtract.alias("inner")(b=b, a=a)

    @pipeline
    def differences():
        subtract(_two(), _three())
        subtract_with_context(_two(), _three())
        subtract_inside(_two(), _three())

    result = execute_pipeline(differences)
    for name in ("subtract", "subtract_with_context", "subtract_inside"):
        assert result.result_for_solid(name).output_value() == -1


def test_positional_arguments_without_positions_ask_for_keywords():
    @lambda_solid(input_defs=[InputDefinition("x"), InputDefinition("y"), InputDefinition("z")])
    def add(x, **others):
        return x + others["y"] + others["z"]

    with pytest.raises(DagsterInvalidDefinitionError, match="Use keyword args instead"):

        @pipeline
        def _ambiguous():
            add(_two(), _two(), _two())

    @lambda_solid(input_defs=[InputDefinition("number")])
    def add_one(**inputs):
        return inputs["number"] + 1

    @pipeline
    def one_input():
        add_one(_two())  # a single input has an unambiguous position

    assert execute_pipeline(one_input).result_for_solid("add_one").output_value() == 3


def test_two_different_solids_of_one_name_at_different_depths_are_refused():
    @lambda_solid
    def noop():
        return None

    @composite_solid(name="same")
    def three_noops():
        noop()
        noop()
        noop()

    @composite_solid(name="same")
    def one_noop():
        noop()

    @composite_solid
    def wrapper():
        one_noop()

    @composite_solid
    def top():
        wrapper()
        three_noops()

    with pytest.raises(DagsterInvalidDefinitionError, match="two different solids named 'same'"):
        PipelineDefinition(name="dupes", solid_defs=[top])


def test_one_input_the_function_does_not_name_takes_the_last_positional_argument():
    @lambda_solid(input_defs=[InputDefinition("b"), InputDefinition("a")])
    def subtract(a, **others):
        return a - others["b"]

    @pipeline
    def difference():
        subtract(_two(), _three())  # a=2, and b (the one input not named) = 3

    assert execute_pipeline(difference).result_for_solid("subtract").output_value() == -1


def test_a_returned_expectation_or_materialization_must_be_yielded():
    from dagster_core import ExpectationResult

    @solid(output_defs=[])
    def returns_an_event(_context):
        return ExpectationResult(success=True, label="checked")

    with pytest.raises(
        DagsterInvariantViolationError, match=r"returned an event \(ExpectationResult\): yield"
    ):
        execute_solid(returns_an_event)


def test_each_use_of_a_solid_may_carry_tags_of_its_own():
    seen = {}

    @solid(tags={"team": "data", "tier": "1"})
    def tagged(context):
        seen[context.solid.name] = dict(context.solid.tags)

    @pipeline
    def uses():
        tagged()
        tagged.alias("gpu").tag({"dask/resources": {"GPU": 1}, "tier": "2"})()

    explicit = PipelineDefinition(
        name="explicit",
        solid_defs=[tagged],
        dependencies={SolidInvocation("tagged", alias="renamed", tags={"tier": "3"}): {}},
    )
    assert execute_pipeline(uses).success and execute_pipeline(explicit).success
    assert seen == {
        "tagged": {"team": "data", "tier": "1"},
        "gpu": {"team": "data", "tier": "2", "dask/resources": {"GPU": 1}},
        "renamed": {"team": "data", "tier": "3"},
    }
    from dagster_core import default_executors
    from dagster_core.execution.plan import build_execution_plan
    from dagster_core.execution.run_config import resolve_environment

    mode, instance = uses.get_mode(None), DagsterInstance.ephemeral()
    environment = resolve_environment(uses, mode, tuple(default_executors), {}, instance)
    plan = build_execution_plan(uses, environment)
    assert plan.get_step("gpu.compute").tags["dask/resources"] == {"GPU": 1}
    assert execute_pipeline(uses.build_sub_pipeline(["gpu"])).success
    assert seen["gpu"]["tier"] == "2"  # a sub-pipeline keeps the use's tags
    with pytest.raises(DagsterInvalidDefinitionError, match="tag"):

        @pipeline
        def _bad():
            tagged.tag({"when": object()})()
