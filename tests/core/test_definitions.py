"""Defining pipelines: composition, aliases, fan-in, and mistakes caught when defined."""

import pickle

import cloudpickle
import pytest

from dagster_core import (
    DagsterInstance,
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
    DependencyDefinition,
    InputDefinition,
    Int,
    ModeDefinition,
    OutputDefinition,
    PipelineDefinition,
    PresetDefinition,
    ResourceDefinition,
    lambda_solid,
    pipeline,
    solid,
)
from dagster_core.execution.plan import build_execution_plan
from dagster_core.execution.run_config import resolve_environment
from dagster_core.executors import default_executors


@lambda_solid
def one():
    return 1


@lambda_solid(input_defs=[InputDefinition("x", Int)])
def add_one(x):
    return x + 1


@lambda_solid
def join(xs):
    return xs


def test_composition_records_wiring_aliases_and_fan_in():
    @pipeline
    def p():
        a = one()
        b = add_one(a)
        c = add_one.alias("again")(b)
        join([a, b, c, add_one(a)])

    assert p.name == "p"
    assert list(p.solid_order) == ["one", "add_one", "again", "add_one_2", "join"]
    wiring = p.wiring["join"]["xs"]
    assert wiring.fan_in
    assert [h.solid_name for h in wiring.sources] == ["one", "add_one", "again", "add_one_2"]


def test_multiple_outputs_are_picked_by_name():
    @solid(output_defs=[OutputDefinition(Int, "a"), OutputDefinition(Int, "b")])
    def two(_):
        pass

    @pipeline
    def p():
        out = two()
        add_one(out.b)

    assert p.wiring["add_one"]["x"].sources[0].output_name == "b"


def test_passing_a_multi_output_tuple_names_the_problem():
    @solid(output_defs=[OutputDefinition(Int, "a"), OutputDefinition(Int, "b")])
    def two(_):
        pass

    with pytest.raises(DagsterInvalidDefinitionError, match="several outputs"):

        @pipeline
        def p():
            add_one(two())


def test_unknown_input_names_solid_and_input():
    with pytest.raises(DagsterInvalidDefinitionError, match="'add_one'.*no input 'y'"):

        @pipeline
        def p():
            add_one(y=one())


def test_plain_value_instead_of_output_is_refused():
    with pytest.raises(DagsterInvalidDefinitionError, match="Input 'x' of solid 'add_one'"):

        @pipeline
        def p():
            add_one(5)


def test_two_different_solids_with_one_name_are_refused():
    @lambda_solid(name="one")
    def other_one():
        return 2

    with pytest.raises(DagsterInvalidDefinitionError, match="two different solids named 'one'"):

        @pipeline
        def p():
            one()
            other_one()


def test_cycle_is_refused():
    @lambda_solid
    def a(x):
        return x

    @lambda_solid
    def b(x):
        return x

    with pytest.raises(DagsterInvalidDefinitionError, match="cycle.*a, b"):
        PipelineDefinition(
            [a, b],
            name="cyclic",
            dependencies={
                "a": {"x": DependencyDefinition("b")},
                "b": {"x": DependencyDefinition("a")},
            },
        )


def test_missing_resource_names_solid_key_and_mode():
    @solid(required_resource_keys={"db"})
    def uses_db(_):
        pass

    with pytest.raises(DagsterInvalidDefinitionError, match="'uses_db' requires.*db.*'default'"):

        @pipeline(
            mode_defs=[ModeDefinition(resource_defs={"s3": ResourceDefinition.none_resource()})]
        )
        def p():
            uses_db()


def test_unconnected_input_without_config_loader_is_refused():
    class Thing:
        pass

    @lambda_solid(input_defs=[InputDefinition("thing", Thing)])
    def needs_thing(thing):
        return thing

    with pytest.raises(DagsterInvalidDefinitionError, match="'thing' of solid 'needs_thing'"):

        @pipeline
        def p():
            needs_thing()


def test_fan_in_needs_a_list_type():
    with pytest.raises(DagsterInvalidDefinitionError, match="fan-in"):

        @pipeline
        def p():
            add_one([one(), one()])


def test_declared_input_without_parameter_is_refused():
    with pytest.raises(DagsterInvalidDefinitionError, match="input 'y'"):

        @solid(input_defs=[InputDefinition("y")])
        def f(context, x):
            pass


def test_preset_with_unknown_mode_is_refused():
    with pytest.raises(DagsterInvalidDefinitionError, match="mode 'prod'"):

        @pipeline(preset_defs=[PresetDefinition("p", {}, mode="prod")])
        def p():
            one()


def test_calling_a_solid_outside_a_pipeline_points_to_execute_solid():
    with pytest.raises(DagsterInvariantViolationError, match="execute_solid"):
        one()


def test_plan_is_plain_data_that_pickles():
    @pipeline
    def p():
        join([add_one(one()), one.alias("two")()])

    mode = p.get_mode(None)
    env = resolve_environment(p, mode, tuple(default_executors), {}, DagsterInstance.ephemeral())
    plan = build_execution_plan(p, env)
    assert [s.key for s in plan.steps] == [
        "one.compute",
        "add_one.compute",
        "two.compute",
        "join.compute",
    ]
    assert pickle.loads(pickle.dumps(plan)) == plan
    join_step = plan.get_step("join.compute")
    assert join_step.upstream_keys == {"add_one.compute", "two.compute"}
    # the whole pipeline ships to other processes with cloudpickle
    assert cloudpickle.loads(cloudpickle.dumps(p)).solid_order == p.solid_order


def test_subset_takes_inputs_from_config():
    @pipeline
    def p():
        add_one(one())

    sub = p.subset(["add_one"])
    assert list(sub.solid_order) == ["add_one"]
    with pytest.raises(DagsterInvalidDefinitionError, match="no solid"):
        p.subset(["nope"])
