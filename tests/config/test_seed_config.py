"""0.7 config spellings and errors, as code ported from Dagster 0.7 uses them."""

import pickle

import pytest

from dagster_core import (
    DagsterEvaluationErrorReason,
    DagsterInvalidConfigDefinitionError,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    Enum,
    EnumValue,
    Field,
    Int,
    IntSource,
    ModeDefinition,
    Selector,
    String,
    StringSource,
    execute_pipeline,
    pipeline,
    resource,
    solid,
)
from dagster_core.config import validate_config

Reason = DagsterEvaluationErrorReason


@solid(
    config={
        "word": Field(String, is_required=True),
        "times": Field(Int, is_required=False),
        "sep": Field(String, default_value=" "),
    }
)
def repeat(context):
    config = context.solid_config
    return config["sep"].join([config["word"]] * config.get("times", 1))


@pipeline
def repeat_pipeline():
    repeat()


def config_error(environment_dict):
    """The DagsterInvalidConfigError that running repeat_pipeline with this config raises."""
    with pytest.raises(DagsterInvalidConfigError) as info:
        execute_pipeline(repeat_pipeline, environment_dict)
    return info.value


# is_required= (0.7) beside is_optional= (0.6)


def test_is_required_false_field_may_be_left_out_and_true_must_be_given():
    result = execute_pipeline(repeat_pipeline, {"solids": {"repeat": {"config": {"word": "hi"}}}})
    assert result.result_for_solid("repeat").output_value() == "hi"

    cfg = {"solids": {"repeat": {"config": {"word": "hi", "times": 3, "sep": "-"}}}}
    assert execute_pipeline(repeat_pipeline, cfg).result_for_solid("repeat").output_value() == (
        "hi-hi-hi"
    )

    error = config_error({"solids": {"repeat": {"config": {}}}})
    assert [(str(e), e.reason) for e in error.errors] == [
        (
            'solids.repeat.config: missing required field "word" (String)',
            Reason.MISSING_REQUIRED_FIELD,
        )
    ]


@pytest.mark.parametrize(
    "kwargs, optional",
    [
        ({"is_required": True}, False),
        ({"is_required": False}, True),
        ({"is_optional": True}, True),
        ({"is_optional": False}, False),
        ({"is_optional": True, "is_required": False}, True),
        ({"is_optional": False, "is_required": True}, False),
    ],
)
def test_is_required_and_is_optional_are_two_spellings_of_one_flag(kwargs, optional):
    field = Field(Int, **kwargs)
    assert field.is_optional is optional
    assert field.is_required is not optional
    assert validate_config(field, None).success is optional


def test_a_default_makes_a_field_not_required():
    assert Field(Int, default_value=1).is_required is False
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="is_required=True"):
        Field(Int, default_value=1, is_required=True)


@pytest.mark.parametrize(
    "is_optional, is_required", [(True, True), (False, False)], ids=["both-true", "both-false"]
)
def test_contradictory_is_optional_and_is_required_is_a_definition_error(is_optional, is_required):
    with pytest.raises(DagsterInvalidDefinitionError, match="contradict"):
        Field(Int, is_optional=is_optional, is_required=is_required)


def test_a_dict_whose_fields_are_all_not_required_may_be_left_out_unless_it_is_required():
    inner = {"a": Field(Int, is_required=False)}
    assert validate_config({"outer": Field(inner)}, {}).success
    result = validate_config({"outer": Field(inner, is_required=True)}, {})
    assert [e.reason for e in result.errors] == [Reason.MISSING_REQUIRED_FIELD]


# Config errors with .reason, .message and .path, every error at once


def test_every_error_of_a_run_config_at_once_each_with_reason_message_and_path():
    error = config_error(
        {
            "solids": {"repeat": {"config": {"word": 3, "tims": 2}}},
            "execution": {"in_process": {}, "multiprocess": {}},
            "storag": {},
        }
    )
    found = {(e.path, e.reason) for e in error.errors}
    assert found == {
        (("solids", "repeat", "config", "word"), Reason.RUNTIME_TYPE_MISMATCH),
        (("solids", "repeat", "config"), Reason.FIELD_NOT_DEFINED),
        (("execution",), Reason.SELECTOR_FIELD_ERROR),
        ((), Reason.FIELD_NOT_DEFINED),
    }
    by_path = {e.path: e for e in error.errors}
    assert by_path[("solids", "repeat", "config", "word")].message == "expected String, got 3"
    assert '"tims"' in by_path[("solids", "repeat", "config")].message
    assert '"storag"' in by_path[()].message
    for e in error.errors:
        assert str(e) in str(error)


def test_selector_given_no_choice_is_a_selector_field_error():
    result = validate_config(Selector({"a": Int, "b": Int}), {})
    assert [(e.reason, e.message) for e in result.errors] == [
        (Reason.SELECTOR_FIELD_ERROR, 'expected exactly one of "a", "b"')
    ]


def test_unknown_key_of_a_selector_is_field_not_defined():
    result = validate_config(Selector({"a": Int}), {"c": 1})
    assert [e.reason for e in result.errors] == [Reason.FIELD_NOT_DEFINED]


def test_a_bad_list_element_and_a_bad_enum_value_are_type_mismatches():
    color = Enum("Color", [EnumValue("red"), EnumValue("blue")])
    result = validate_config({"xs": [Int], "color": color}, {"xs": [1, "two"], "color": "green"})
    assert [(e.path, e.reason) for e in result.errors] == [
        (("xs", 1), Reason.RUNTIME_TYPE_MISMATCH),
        (("color",), Reason.RUNTIME_TYPE_MISMATCH),
    ]


def test_config_valid_by_schema_but_refused_by_a_later_check_says_why():
    error = config_error(
        {
            "solids": {"repeat": {"config": {"word": "hi"}}},
            "execution": {"multiprocess": {}},
        }
    )
    (only,) = error.errors
    assert only.reason is Reason.FAILED_POST_PROCESSING
    assert only.path == ("storage",)
    assert "filesystem" in only.message


def test_reasons_survive_pickling_the_error():
    error = config_error({"solids": {"repeat": {"config": {"word": 1}}}})
    clone = pickle.loads(pickle.dumps(error))
    assert [e.reason for e in clone.errors] == [Reason.RUNTIME_TYPE_MISMATCH]
    assert clone.errors == error.errors


def test_reason_values_are_the_seed_names():
    assert Reason("RUNTIME_TYPE_MISMATCH") is Reason.RUNTIME_TYPE_MISMATCH
    assert {r.value for r in Reason} >= {
        "RUNTIME_TYPE_MISMATCH",
        "MISSING_REQUIRED_FIELD",
        "FIELD_NOT_DEFINED",
        "SELECTOR_FIELD_ERROR",
    }


# DagsterInvalidConfigDefinitionError: the schema itself is wrong, raised when defined


def test_a_default_of_the_wrong_type_names_the_value_and_type():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match=r"default_value 'x'.*Int"):
        Field(Int, default_value="x")


def test_a_non_string_key_names_the_key_and_where_it_is():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match=r'field "outer".*got 1'):

        @solid(config={"outer": {1: Int}})
        def _bad(_):
            pass


def test_a_non_type_in_a_dict_names_the_value_and_its_field():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match=r'field "a": field "b": 3 '):

        @solid(config={"a": {"b": 3}})
        def _bad(_):
            pass


def test_a_string_instead_of_a_config_type_is_a_config_definition_error():
    with pytest.raises(DagsterInvalidConfigDefinitionError, match="'dkjfkd' cannot be used"):

        @solid(config="dkjfkd")
        def _bad(_):
            pass


def test_config_definition_errors_are_definition_errors():
    assert issubclass(DagsterInvalidConfigDefinitionError, DagsterInvalidDefinitionError)


# -- StringSource / IntSource: a value, or {env: NAME} ---------------------------------------------


def test_sources_take_a_value_or_read_the_environment_and_hide_what_they_read(monkeypatch):
    monkeypatch.setenv("SEED_TEST_TOKEN", "tok-3141")
    monkeypatch.setenv("SEED_TEST_PORT", "5433")
    seen = {}

    @resource(config={"token": StringSource, "port": IntSource})
    def service(init_context):
        seen.update(init_context.resource_config)
        return init_context.resource_config

    @solid(required_resource_keys={"service"})
    def connect(context):
        context.log.info(f"connecting with {context.resources.service!r}")
        return context.resources.service["port"]

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"service": service})])
    def uses_service():
        connect()

    from_env = {
        "resources": {
            "service": {
                "config": {"token": {"env": "SEED_TEST_TOKEN"}, "port": {"env": "SEED_TEST_PORT"}}
            }
        }
    }
    result = execute_pipeline(uses_service, from_env)
    assert seen == {"token": "tok-3141", "port": 5433}
    assert result.result_for_solid("connect").output_value() == 5433
    assert not any("tok-3141" in event.message for event in result.event_list)

    given = {"resources": {"service": {"config": {"token": "plain", "port": 1}}}}
    assert execute_pipeline(uses_service, given).success


def test_a_source_reading_a_missing_or_bad_variable_is_a_config_error(monkeypatch):
    monkeypatch.delenv("SEED_TEST_MISSING", raising=False)
    monkeypatch.setenv("SEED_TEST_NOT_A_NUMBER", "abc")
    result = validate_config(
        {"token": StringSource, "port": IntSource},
        {"token": {"env": "SEED_TEST_MISSING"}, "port": {"env": "SEED_TEST_NOT_A_NUMBER"}},
    )
    messages = {".".join(map(str, e.path)): e.message for e in result.errors}
    assert messages == {
        "token.env": 'environment variable "SEED_TEST_MISSING" is not set',
        "port.env": 'environment variable "SEED_TEST_NOT_A_NUMBER" holds no Int (its value is not shown)',
    }
    wrong = validate_config({"token": StringSource}, {"token": {"name": "X"}})
    assert wrong.errors[0].message == "expected String or {env: NAME}, got a dict"
