import copy
import pickle

import cloudpickle
import pytest

from dagster_core.config import (
    Array,
    ConfigAny,
    ConfigBool,
    ConfigError,
    ConfigFloat,
    ConfigInt,
    ConfigString,
    DagsterInvalidConfigDefinitionError,
    DagsterInvalidConfigError,
    Dict,
    Enum,
    EnumValue,
    Field,
    Noneable,
    Permissive,
    Selector,
    Shape,
    process_config,
    resolve_config_type,
    resolve_field,
    validate_config,
)
from dagster_core.config.yaml_files import load_yaml_files


def messages(config, value):
    """The errors of validating `value`, as `path: message` strings."""
    return [str(error) for error in validate_config(config, value).errors]


# Scalars


@pytest.mark.parametrize(
    ("config_type", "good", "bad", "message"),
    [
        (ConfigInt, [0, -3, 10**20], ["x", 1.5, True, None], "expected Int"),
        (ConfigFloat, [1.5, 2, -0.0], ["1.5", False, None], "expected Float"),
        (ConfigString, ["", "abc"], [1, True, None, b"x"], "expected String"),
        (ConfigBool, [True, False], [0, 1, "true", None], "expected Bool"),
    ],
)
def test_scalar_accepts_and_rejects(config_type, good, bad, message):
    for value in good:
        result = validate_config(config_type, value)
        assert result.success, value
        assert result.value == value
    for value in bad:
        result = validate_config(config_type, value)
        assert not result.success, value
        assert result.value is None
        assert result.errors[0].message.startswith(message)


def test_any_accepts_everything():
    for value in [None, 1, "x", [1], {"a": object}]:
        assert validate_config(ConfigAny, value).value == value


def test_bool_is_not_int():
    assert messages(ConfigInt, True) == ["<root>: expected Int, got true"]


@pytest.mark.parametrize(
    ("value", "got"),
    [("x", '"x"'), (3, "3"), (None, "null"), ({"a": 1}, "a dict"), ([1], "a list"), ({1}, "a set")],
)
def test_got_part_of_messages(value, got):
    assert messages(ConfigBool, value) == [f"<root>: expected Bool, got {got}"]


def test_type_names():
    assert ConfigInt.type_name() == "Int"
    assert Array(ConfigInt).type_name() == "List[Int]"
    assert Noneable(int).type_name() == "Noneable[Int]"
    assert Shape({"a": int}).type_name() == "Dict"
    assert Selector({"a": int}).type_name() == "Selector"
    assert Enum("Color", [EnumValue("red")]).type_name() == "Enum[Color]"
    assert Shape({"a": int, "b": [str]}).key == "Shape.{a:Int,b:Array.String}"


# Shapes and defaults


def test_nested_defaults_are_filled_in():
    config = Shape(
        {
            "factor": Field(int, default_value=2),
            "name": str,
            "nested": {"depth": Field(int, default_value=3), "tag": Field(str, is_optional=True)},
        }
    )
    assert process_config(config, {"name": "n"}) == {
        "factor": 2,
        "name": "n",
        "nested": {"depth": 3},
    }
    assert process_config(config, {"name": "n", "nested": {"tag": "t"}}) == {
        "factor": 2,
        "name": "n",
        "nested": {"depth": 3, "tag": "t"},
    }


def test_all_optional_shape_field_is_optional_with_empty_default():
    field = Field({"depth": Field(int, default_value=3)})
    assert field.is_optional
    assert field.default_provided
    assert field.default_value == {}
    assert process_config(Shape({"nested": field}), {}) == {"nested": {"depth": 3}}


def test_is_optional_false_keeps_all_optional_shape_required():
    field = Field({"depth": Field(int, default_value=3)}, is_optional=False)
    assert not field.is_optional
    assert not field.default_provided
    assert messages({"nested": field}, {}) == ['<root>: missing required field "nested" (Dict)']


def test_optional_field_without_default_is_left_out():
    assert process_config({"a": Field(int, is_optional=True)}, {}) == {}


def test_none_for_an_optional_field_means_its_default():
    config = {"a": Field(int, default_value=1), "b": Field(str, is_optional=True), "c": {}}
    assert process_config(config, {"a": None, "b": None, "c": None}) == {
        "a": 1,
        "b": None,
        "c": {},
    }


def test_none_for_a_required_shape_is_an_empty_dict():
    assert messages({"config": {"x": int}}, {"config": None}) == [
        'config: missing required field "x" (Int)'
    ]


def test_top_level_field_default_applies_to_none():
    assert process_config(Field(int, default_value=7), None) == 7
    assert process_config(Field(Noneable(int), default_value=7), None) is None


def test_each_missing_field_is_its_own_error():
    assert messages({"a": int, "b": str}, {}) == [
        '<root>: missing required field "a" (Int)',
        '<root>: missing required field "b" (String)',
    ]


def test_every_error_is_reported_with_its_path():
    config = Shape(
        {
            "solids": {
                "scale": {"config": {"factor": int}},
                "join": {"inputs": {"xs": [int]}},
                "load": {"config": {"path": str}},
            }
        }
    )
    value = {
        "solids": {
            "scale": {"config": {"factor": "x"}},
            "join": {"inputs": {"xs": [1, "two", 3, None]}},
            "load": {"config": {}},
        }
    }
    assert messages(config, value) == [
        'solids.scale.config.factor: expected Int, got "x"',
        'solids.join.inputs.xs[1]: expected Int, got "two"',
        "solids.join.inputs.xs[3]: expected Int, got null",
        'solids.load.config: missing required field "path" (String)',
    ]


def test_unknown_field_did_you_mean():
    assert messages({"factor": Field(int, default_value=1)}, {"facter": 2}) == [
        '<root>: unknown field "facter"; did you mean "factor"?'
    ]


def test_unknown_field_without_close_match_lists_fields():
    assert messages({"a": Field(int, is_optional=True), "b": ConfigAny}, {"b": 1, "zzz": 1}) == [
        '<root>: unknown field "zzz"; expected one of: "a", "b"'
    ]


def test_errors_in_declaration_order_then_unknown_keys_in_input_order():
    config = {"a": int, "b": int}
    assert messages(config, {"y": 1, "b": "x", "x": 2}) == [
        '<root>: missing required field "a" (Int)',
        'b: expected Int, got "x"',
        '<root>: unknown field "y"; expected one of: "a", "b"',
        '<root>: unknown field "x"; expected one of: "a", "b"',
    ]


def test_shape_given_a_non_dict():
    assert messages(Shape({"a": int}), "x") == ['<root>: expected a dict (Shape), got "x"']
    assert Dict is Shape


def test_permissive_passes_unknown_keys_through():
    config = Permissive({"known": Field(int, default_value=1)})
    value = {"extra": {"deep": [1]}, "other": "x"}
    assert process_config(config, value) == {"known": 1, "extra": {"deep": [1]}, "other": "x"}
    assert messages(config, {"known": "no"}) == ['known: expected Int, got "no"']
    assert process_config(Permissive(), {"anything": 1}) == {"anything": 1}


# Selector


EXECUTION = Selector(
    {
        "in_process": {"retries": Field(int, default_value=0)},
        "multiprocess": {"max_concurrent": Field(int, default_value=4)},
    }
)


def test_selector_one_key():
    assert process_config(EXECUTION, {"multiprocess": {"max_concurrent": 2}}) == {
        "multiprocess": {"max_concurrent": 2}
    }


def test_selector_chosen_key_with_none_value_gets_empty_config():
    assert process_config(EXECUTION, {"in_process": None}) == {"in_process": {"retries": 0}}
    required = Selector({"s3": {"bucket": str}, "local": {}})
    assert messages(required, {"s3": None}) == ['s3: missing required field "bucket" (String)']


def test_selector_two_keys():
    assert messages(EXECUTION, {"multiprocess": {}, "in_process": {}}) == [
        '<root>: expected exactly one of "in_process", "multiprocess", '
        'got 2: "multiprocess", "in_process"'
    ]


def test_selector_no_key():
    expected = ['<root>: expected exactly one of "in_process", "multiprocess"']
    assert messages(EXECUTION, {}) == expected
    assert messages(EXECUTION, None) == expected


def test_selector_no_key_with_single_all_optional_field_chooses_it():
    config = Selector({"in_process": {"retries": Field(int, default_value=0)}})
    assert process_config(config, {}) == {"in_process": {"retries": 0}}
    assert process_config(config, None) == {"in_process": {"retries": 0}}
    assert messages(Selector({"s3": {"bucket": str}}), {}) == [
        '<root>: expected exactly one of "s3"'
    ]


def test_selector_unknown_key():
    assert messages(EXECUTION, {"in_procss": {}}) == [
        '<root>: unknown field "in_procss"; did you mean "in_process"?'
    ]


def test_selector_errors_inside_the_chosen_key():
    assert messages(EXECUTION, {"in_process": {"retries": "x"}}) == [
        'in_process.retries: expected Int, got "x"'
    ]


# Array, Noneable, Enum


def test_array():
    assert process_config([int], [1, 2]) == [1, 2]
    assert process_config(Array({"a": Field(int, default_value=1)}), [{}, {"a": 2}]) == [
        {"a": 1},
        {"a": 2},
    ]
    assert messages(Array(int), 3) == ["<root>: expected a list of Int, got 3"]
    assert messages({"xs": [[int]]}, {"xs": [[1], [2, "x"]]}) == ['xs[1][1]: expected Int, got "x"']


def test_noneable():
    assert validate_config(Noneable(int), None).success
    assert process_config(Noneable(int), 3) == 3
    assert messages(Noneable(int), "x") == ['<root>: expected Int, got "x"']


COLOR = Enum(
    "Color",
    [EnumValue("red", python_value=(255, 0, 0)), EnumValue("green", description="grass")],
)


def test_enum_maps_to_python_values():
    assert process_config(COLOR, "red") == (255, 0, 0)
    assert process_config(COLOR, "green") == "green"


def test_enum_rejects_other_values():
    assert messages(COLOR, "blue") == [
        '<root>: expected one of "red", "green" (Enum Color), got "blue"'
    ]
    assert messages(COLOR, 1) == ['<root>: expected one of "red", "green" (Enum Color), got 1']


def test_enum_default_is_processed():
    assert process_config({"c": Field(COLOR, default_value="red")}, {}) == {"c": (255, 0, 0)}


def test_enum_definition_errors():
    with pytest.raises(DagsterInvalidConfigDefinitionError):
        Enum("Empty", [])
    with pytest.raises(DagsterInvalidConfigDefinitionError):
        Enum("Twice", [EnumValue("a"), EnumValue("a")])


# Field definitions


def test_invalid_default_raises_at_field_creation():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match=r"default_value 'x'.*Int"):
        Field(int, default_value="x")
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="missing required field"):
        Field({"a": int}, default_value={})


def test_default_with_is_optional_false_raises():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="is_optional=False"):
        Field(int, default_value=1, is_optional=False)


def test_default_value_of_field_without_default_raises():
    field = Field(int)
    assert not field.is_optional
    assert not field.default_provided
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="no default"):
        _ = field.default_value


def test_mutable_default_is_not_shared_between_results():
    config = {"xs": Field(ConfigAny, default_value=[1])}
    first = process_config(config, {})
    first["xs"].append(2)
    assert process_config(config, {}) == {"xs": [1]}


# resolve_config_type / resolve_field


class FakeDagsterType:
    def __init__(self, name, config_type):
        self.name = name
        self.config_type = config_type


def test_resolve_builtins():
    assert resolve_config_type(int) is ConfigInt
    assert resolve_config_type(float) is ConfigFloat
    assert resolve_config_type(str) is ConfigString
    assert resolve_config_type(bool) is ConfigBool
    assert resolve_config_type(ConfigAny) is ConfigAny


def test_resolve_dict_literal():
    shape = resolve_config_type({"a": int})
    assert isinstance(shape, Shape)
    assert shape.fields["a"].config_type is ConfigInt
    assert not shape.fields["a"].is_optional


def test_resolve_list_literal():
    array = resolve_config_type([int])
    assert isinstance(array, Array)
    assert array.inner is ConfigInt
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="exactly one element"):
        resolve_config_type([int, str])


def test_resolve_object_with_config_type():
    assert resolve_config_type(FakeDagsterType("Int", ConfigInt)) is ConfigInt
    listed = FakeDagsterType("List[Int]", Array(ConfigInt))
    assert process_config({"xs": listed}, {"xs": [1]}) == {"xs": [1]}


def test_resolve_object_without_config_type():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="DataFrame cannot be used"):
        resolve_config_type(FakeDagsterType("DataFrame", None))


def test_resolve_bad_object():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match=r"<object object.*ConfigType"):
        resolve_config_type(object())
    with pytest.raises(DagsterInvalidConfigDefinitionError, match=r'field "a": field "b": 3'):
        Shape({"a": {"b": 3}})


def test_resolve_field():
    field = Field(int, default_value=1)
    assert resolve_field(field) is field
    assert resolve_field(str).config_type is ConfigString


# Processing as a whole


def test_input_is_not_mutated():
    config = Shape(
        {
            "solids": {"a": {"config": {"x": Field(int, default_value=1), "c": COLOR}}},
            "execution": EXECUTION,
        }
    )
    value = {"solids": {"a": {"config": {"c": "red"}}}, "execution": {"in_process": None}}
    before = copy.deepcopy(value)
    assert process_config(config, value) == {
        "solids": {"a": {"config": {"x": 1, "c": (255, 0, 0)}}},
        "execution": {"in_process": {"retries": 0}},
    }
    assert value == before


def test_path_prefix():
    result = validate_config(int, "x", path=("solids", "a", "config"))
    assert [str(error) for error in result.errors] == ['solids.a.config: expected Int, got "x"']


def test_config_error_str():
    assert str(ConfigError((), "bad")) == "<root>: bad"
    assert str(ConfigError(("xs", 0, "a"), "bad")) == "xs[0].a: bad"
    assert str(ConfigError((2,), "bad")) == "[2]: bad"


def test_process_config_raises_with_every_error():
    with pytest.raises(DagsterInvalidConfigError) as info:
        process_config({"a": int, "b": str}, {"b": 1})
    assert info.value.errors == (
        ConfigError((), 'missing required field "a" (Int)'),
        ConfigError(("b",), "expected String, got 1"),
    )
    assert str(info.value) == (
        "Invalid config: 2 errors:\n"
        '  <root>: missing required field "a" (Int)\n'
        "  b: expected String, got 1"
    )


def test_invalid_config_error_pickles():
    error = DagsterInvalidConfigError([ConfigError(("a",), "bad")])
    clone = pickle.loads(pickle.dumps(error))
    assert clone.errors == error.errors
    assert str(clone) == "Invalid config: 1 error:\n  a: bad"


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_config_types_pickle(dumps):
    config = Shape(
        {
            "factor": Field(int, default_value=2, description="multiplier"),
            "execution": EXECUTION,
            "color": Field(COLOR, default_value="red"),
            "xs": Field(Noneable([float]), is_optional=True),
            "extra": Permissive(),
        }
    )
    clone = pickle.loads(dumps(config))
    assert clone.key == config.key
    assert clone.fields["factor"].default_value == 2
    assert clone.fields["factor"].description == "multiplier"
    assert clone.fields["factor"].config_type is ConfigInt
    assert process_config(clone, {"execution": {"in_process": {}}}) == process_config(
        config, {"execution": {"in_process": {}}}
    )


def test_a_later_files_choice_of_executor_storage_or_cluster_replaces_the_earlier(tmp_path):
    files = {
        "base.yaml": "solids: {a: {config: {x: 1}}}\n"
        "execution: {dask: {cluster: {local: {n_workers: 2}}, adapt: {minimum: 1}}}\n"
        "storage: {filesystem: {base_dir: /data}}\n",
        "existing.yaml": "execution: {dask: {cluster: {existing: {address: 'tcp://h:8786'}}}}\n",
        "multiprocess.yaml": "solids: {a: {config: {y: 2}}}\n"
        "execution: {multiprocess: {max_concurrent: 4}}\n",
        "more.yaml": "execution: {multiprocess: {}}\nstorage: {s3: {s3_bucket: b}}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    paths = [tmp_path / name for name in files]

    assert load_yaml_files(paths[:2])["execution"] == {
        "dask": {"cluster": {"existing": {"address": "tcp://h:8786"}}, "adapt": {"minimum": 1}}
    }
    assert load_yaml_files(paths) == {
        "solids": {"a": {"config": {"x": 1, "y": 2}}},  # not a selector: merged
        "execution": {"multiprocess": {"max_concurrent": 4}},  # same choice: merged
        "storage": {"s3": {"s3_bucket": "b"}},
    }
