"""Input and output config as the seed spelled it: `inputs: {x: {value: 5}}`, `{json: {path}}`,
`{pickle: {path}}`, and `outputs: [{result: {json: {path}}}]`, plus the types' own
@input_hydration_config / @output_materialization_config."""

import json
import pickle

import pytest
import yaml

from dagster_core import (
    Any,
    DagsterEventType,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterType,
    Dict,
    EventMetadataEntry,
    Field,
    Float,
    InputDefinition,
    Int,
    List,
    Materialization,
    ModeDefinition,
    Optional,
    OutputDefinition,
    Path,
    ResourceDefinition,
    Selector,
    String,
    execute_pipeline,
    input_hydration_config,
    lambda_solid,
    output_materialization_config,
    pipeline,
    solid,
)

E = DagsterEventType


def echo_pipeline(dagster_type):
    """A pipeline of one solid `echo` whose input `x` (of `dagster_type`) comes from config."""

    @lambda_solid(input_defs=[InputDefinition("x", dagster_type)], output_def=OutputDefinition())
    def echo(x):
        return x

    @pipeline
    def p():
        echo()

    return p


def echoed(dagster_type, input_config, **solid_config):
    config = {"solids": {"echo": {"inputs": {"x": input_config}, **solid_config}}}
    return execute_pipeline(echo_pipeline(dagster_type), config).result_for_solid("echo")


def config_errors(pipeline_def, config):
    with pytest.raises(DagsterInvalidConfigError) as raised:
        execute_pipeline(pipeline_def, config)
    return [str(error) for error in raised.value.errors]


# Inputs


@pytest.mark.parametrize(
    ("dagster_type", "value"),
    [(Int, 5), (Float, 1.5), (String, "five"), (Path, "/tmp/five"), (Any, 5), (None, [1, 2])],
)
def test_value_selector_and_bare_value_give_the_value(dagster_type, value):
    assert echoed(dagster_type, {"value": value}).output_value() == value
    assert echoed(dagster_type, value).output_value() == value


def test_untyped_input_given_a_value_receives_the_value_not_the_dict():
    @solid
    def add_one(_, num):  # an inferred input: Any
        return num + 1

    @pipeline
    def p():
        add_one()

    config = yaml.safe_load("solids: {add_one: {inputs: {num: {value: 5}}}}")
    assert execute_pipeline(p, config).result_for_solid("add_one").output_value() == 6


def test_an_any_input_given_a_dict_uses_the_value_form():
    assert echoed(None, {"value": {"a": 1}}).output_value() == {"a": 1}
    errors = config_errors(echo_pipeline(None), {"solids": {"echo": {"inputs": {"x": {"a": 1}}}}})
    assert errors == [
        'solids.echo.inputs.x: unknown field "a"; expected one of: "value", "json", "pickle"'
    ]


def test_inputs_read_from_json_and_pickle_files(tmp_path):
    (tmp_path / "n.json").write_text(json.dumps({"value": 7}))
    (tmp_path / "rows.pickle").write_bytes(pickle.dumps([{"id": 1}]))
    assert echoed(Int, {"json": {"path": str(tmp_path / "n.json")}}).output_value() == 7
    rows = echoed(None, {"pickle": {"path": str(tmp_path / "rows.pickle")}}).output_value()
    assert rows == [{"id": 1}]


def test_a_json_input_file_without_a_value_key_fails_the_step_saying_what_it_needs(tmp_path):
    (tmp_path / "n.json").write_text("[7]")
    p = echo_pipeline(Int)
    config = {"solids": {"echo": {"inputs": {"x": {"json": {"path": str(tmp_path / "n.json")}}}}}}
    failure = execute_pipeline(p, config, raise_on_error=False).result_for_solid("echo")
    message = failure.failure_data.message
    assert "Could not load input 'x' of solid 'echo' from run config" in message
    assert 'must hold an object with a "value" key' in message


def test_a_value_of_the_wrong_type_is_a_config_error_naming_its_path():
    p = echo_pipeline(Int)
    assert config_errors(p, {"solids": {"echo": {"inputs": {"x": {"value": "5"}}}}}) == [
        'solids.echo.inputs.x.value: expected Int, got "5"'
    ]
    assert config_errors(p, {"solids": {"echo": {"inputs": {"x": "5"}}}}) == [
        'solids.echo.inputs.x: expected Int, got "5"'
    ]
    assert config_errors(p, {"solids": {"echo": {"inputs": {"x": {"json": {}}}}}}) == [
        'solids.echo.inputs.x.json: missing required field "path" (String)'
    ]
    assert config_errors(p, {"solids": {"echo": {"inputs": {"x": {"jsn": {"path": "f"}}}}}}) == [
        'solids.echo.inputs.x: unknown field "jsn"; did you mean "json"?'
    ]


def test_list_optional_and_dict_inputs_from_config():
    assert echoed(List[Int], [1, {"value": 2}]).output_value() == [1, 2]
    assert echoed(Dict, {"a": 1, "b": [2]}).output_value() == {"a": 1, "b": [2]}
    assert echoed(Optional[Int], None).output_value() is None
    assert echoed(Optional[String], {"value": "x"}).output_value() == "x"

    @lambda_solid(input_defs=[InputDefinition("x", Optional[Int])])
    def maybe(x):
        return x

    @pipeline
    def p():
        maybe()

    assert execute_pipeline(p).result_for_solid("maybe").output_value() is None


# Outputs


def emit_pipeline(value, dagster_type=None):
    @lambda_solid(output_def=OutputDefinition(dagster_type))
    def emit():
        return value

    @pipeline
    def p():
        emit()

    return p


def test_outputs_config_writes_json_and_pickle_and_records_materializations(tmp_path):
    json_path, pickle_path = str(tmp_path / "out.json"), str(tmp_path / "out.pickle")
    config = yaml.safe_load(
        f"""
        solids:
          emit:
            outputs:
              - result: {{json: {{path: {json_path}}}}}
              - result: {{pickle: {{path: {pickle_path}}}}}
        """
    )
    result = execute_pipeline(emit_pipeline({"n": [1, 2]}), config)
    assert json.loads((tmp_path / "out.json").read_text()) == {"value": {"n": [1, 2]}}
    assert pickle.loads((tmp_path / "out.pickle").read_bytes()) == {"n": [1, 2]}
    materializations = [
        e.data["materialization"]
        for e in result.step_event_list
        if e.event_type == E.STEP_MATERIALIZATION
    ]
    assert [m.label for m in materializations] == ["out.json", "out.pickle"]
    assert materializations[0].metadata_entries == (EventMetadataEntry.path(json_path, "path"),)
    assert materializations[1].metadata_entries == (EventMetadataEntry.path(pickle_path, "path"),)


def test_an_output_written_as_json_reads_back_as_an_input(tmp_path):
    path = str(tmp_path / "n.json")
    execute_pipeline(
        emit_pipeline(41, Int),
        {"solids": {"emit": {"outputs": [{"result": {"json": {"path": path}}}]}}},
    )
    assert echoed(Int, {"json": {"path": path}}).output_value() == 41


def test_outputs_config_errors_name_the_output_and_the_choices():
    errors = config_errors(
        emit_pipeline(1, Int),
        {"solids": {"emit": {"outputs": [{"reslt": {"json": {"path": "f"}}}]}}},
    )
    assert errors == ['solids.emit.outputs[0]: unknown field "reslt"; did you mean "result"?']
    errors = config_errors(
        emit_pipeline(1, Int), {"solids": {"emit": {"outputs": [{"result": {"csv": {}}}]}}}
    )
    assert errors == [
        'solids.emit.outputs[0].result: unknown field "csv"; expected one of: "json", "pickle"'
    ]


def test_an_output_whose_type_cannot_be_materialized_takes_no_outputs_config():
    Opaque = DagsterType("Opaque")
    errors = config_errors(
        emit_pipeline(1, Opaque),
        {"solids": {"emit": {"outputs": [{"result": {"json": {"path": "f"}}}]}}},
    )
    assert errors == ['solids: unknown field "emit"; expected no fields']


# Types' own input hydration and output materialization configs


def test_custom_hydration_and_materialization_configs(tmp_path):
    @input_hydration_config(Selector({"csv": Field(String)}))
    def load_rows(context, selector):
        with open(selector["csv"]) as f:
            header, *lines = f.read().splitlines()
        context.log.info(f"read {len(lines)} rows")
        return [dict(zip(header.split(","), line.split(","), strict=True)) for line in lines]

    @output_materialization_config(Path)
    def write_rows(context, path, rows):
        with open(path, "w") as f:
            f.write("\n".join([",".join(rows[0]), *(",".join(r.values()) for r in rows)]))
        return Materialization("rows", metadata_entries=[EventMetadataEntry.path(path, "path")])

    Rows = DagsterType(
        name="Rows",
        type_check_fn=lambda _, value: isinstance(value, list),
        input_hydration_config=load_rows,
        output_materialization_config=write_rows,
    )

    @lambda_solid(input_defs=[InputDefinition("rows", Rows)], output_def=OutputDefinition(Rows))
    def sort_rows(rows):
        return sorted(rows, key=lambda r: r["name"])

    @pipeline
    def p():
        sort_rows()

    (tmp_path / "in.csv").write_text("name,cal\nb,2\na,1")
    out = str(tmp_path / "out.csv")
    config = {
        "solids": {
            "sort_rows": {
                "inputs": {"rows": {"csv": str(tmp_path / "in.csv")}},
                "outputs": [{"result": out}],
            }
        }
    }
    result = execute_pipeline(p, config)
    assert (tmp_path / "out.csv").read_text() == "name,cal\na,1\nb,2"
    events = result.step_event_list
    assert any(e.message == "read 2 rows" for e in events if e.is_log_message)
    (materialization,) = [e for e in events if e.event_type == E.STEP_MATERIALIZATION]
    assert materialization.data["materialization"].label == "rows"


def test_a_materialization_config_may_yield_its_materializations(tmp_path):
    @output_materialization_config(Path)
    def write_twice(_context, path, value):
        for suffix in (".a", ".b"):
            with open(path + suffix, "w") as f:
                f.write(str(value))
            yield Materialization(
                f"copy{suffix}", metadata_entries=[EventMetadataEntry.path(path + suffix, "path")]
            )

    Copied = DagsterType("Copied", output_materialization_config=write_twice)

    @lambda_solid(output_def=OutputDefinition(Copied))
    def make():
        return 42

    @pipeline
    def p():
        make()

    out = str(tmp_path / "out")
    result = execute_pipeline(p, {"solids": {"make": {"outputs": [{"result": out}]}}})
    assert (tmp_path / "out.a").read_text() == (tmp_path / "out.b").read_text() == "42"
    labels = [m.label for m in result.result_for_solid("make").materializations]
    assert labels == ["copy.a", "copy.b"]


def test_hydration_and_materialization_use_the_resources_they_require(tmp_path):
    @input_hydration_config(String, required_resource_keys={"store"})
    def load(context, key):
        return context.resources.store[key]

    @output_materialization_config(String, required_resource_keys={"store"})
    def save(context, key, value):
        context.resources.store[key] = value

    Stored = DagsterType("Stored", input_hydration_config=load, output_materialization_config=save)
    store = {"in": "hello"}

    @lambda_solid(input_defs=[InputDefinition("x", Stored)], output_def=OutputDefinition(Stored))
    def shout(x):
        return x.upper()

    mode = ModeDefinition(resource_defs={"store": ResourceDefinition.hardcoded_resource(store)})

    @pipeline(mode_defs=[mode])
    def p():
        shout()

    config = {"solids": {"shout": {"inputs": {"x": "in"}, "outputs": [{"result": "out"}]}}}
    assert execute_pipeline(p, config).success
    assert store["out"] == "HELLO"


def test_a_materializer_returning_something_else_fails_the_step_saying_so():
    @output_materialization_config(String)
    def sloppy(_context, _path, _value):
        return "done"

    Sloppy = DagsterType("Sloppy", output_materialization_config=sloppy)
    config = {"solids": {"emit": {"outputs": [{"result": "x"}]}}}
    result = execute_pipeline(emit_pipeline(1, Sloppy), config, raise_on_error=False)
    message = result.result_for_solid("emit").failure_data.message
    assert "Could not materialize output 'result' of solid 'emit'" in message
    assert "must return a Materialization, a list of them, or None" in message


def test_configs_must_be_made_with_their_decorators():
    def plain(_context, value):
        return value

    with pytest.raises(DagsterInvalidDefinitionError, match="must be made with @input_hydration"):
        DagsterType("Raw", input_hydration_config=plain)
    with pytest.raises(DagsterInvalidDefinitionError, match="input_hydration_config: 3 cannot"):
        input_hydration_config(3)


def test_typed_inputs_and_outputs_config_across_processes(tmp_path):
    @input_hydration_config(Selector({"start": Field(Int)}))
    def count_from(_context, selector):
        return list(range(selector["start"], selector["start"] + 3))

    Counts = DagsterType("Counts", lambda v: isinstance(v, list), input_hydration_config=count_from)

    @lambda_solid(
        input_defs=[InputDefinition("xs", Counts)], output_def=OutputDefinition(List[Int])
    )
    def double(xs):
        return [2 * x for x in xs]

    @lambda_solid(input_defs=[InputDefinition("xs", List[Int])], output_def=OutputDefinition(Int))
    def total(xs):
        return sum(xs)

    @pipeline
    def p():
        total(double())

    out = str(tmp_path / "total.json")
    config = {
        "execution": {"multiprocess": {"max_concurrent": 2}},
        "storage": {"filesystem": {"base_dir": str(tmp_path)}},
        "solids": {
            "double": {"inputs": {"xs": {"start": 1}}},
            "total": {"outputs": [{"result": {"json": {"path": out}}}]},
        },
    }
    result = execute_pipeline(p, config)
    assert result.result_for_solid("total").output_value() == 12
    assert json.loads((tmp_path / "total.json").read_text()) == {"value": 12}
