"""Run config as YAML text (what the playground's editor holds): every field taking
`EnvironmentConfigData` parses it the same way, and text that is not YAML, or not a mapping,
is a config error at the root naming its line and column, answered as data and recording no
run."""

from __future__ import annotations

import pytest
from test_mutations import CODE, ended, params

from dagster_core import Field, InputDefinition, Int, pipeline, solid
from dagster_core.graphql import GraphQLContext, Workspace, execute_query
from dagster_core.instance import DagsterInstance
from dagster_core.storage import PipelineRunStatus


@solid(config={"offset": Field(Int, default_value=1)}, input_defs=[InputDefinition("x", Int)])
def add(context, x):
    return x + context.solid_config["offset"]


@pipeline
def adder():
    add()


GOOD = "solids:\n  add:\n    inputs:\n      x: 5\n"
BAD_OFFSET = "solids:\n  add:\n    config:\n      offset: x\n    inputs:\n      x: 5\n"
NOT_YAML = "solids:\n  add:\n    inputs: [x\n"
ERRORS = "errors { path reason message }"
VALIDATE = f"""
query ($config: EnvironmentConfigData) {{
  isPipelineConfigValid(pipeline: {{name: "adder"}}, environmentConfigData: $config) {{
    __typename ... on PipelineConfigValidationInvalid {{ {ERRORS} }}
  }}
  executionPlan(pipeline: {{name: "adder"}}, environmentConfigData: $config) {{
    __typename ... on PipelineConfigValidationInvalid {{ {ERRORS} }}
  }}
  environmentSchemaOrError(selector: {{name: "adder"}}) {{
    ... on EnvironmentSchema {{
      isEnvironmentConfigValid(environmentConfigData: $config) {{
        __typename ... on PipelineConfigValidationInvalid {{ {ERRORS} }}
      }}
    }}
  }}
}}
"""


def _answers(config: object) -> list[dict]:
    """What isPipelineConfigValid, executionPlan and isEnvironmentConfigValid say of `config`."""
    context = GraphQLContext(DagsterInstance.ephemeral(), Workspace.of(adder))
    response = execute_query(context, VALIDATE, {"config": config})
    assert "errors" not in response, response
    data = response["data"]
    return [
        data["isPipelineConfigValid"],
        data["executionPlan"],
        data["environmentSchemaOrError"]["isEnvironmentConfigValid"],
    ]


def test_yaml_text_is_validated_like_the_object_it_holds():
    valid, plan, schema_valid = _answers(GOOD)
    assert valid["__typename"] == schema_valid["__typename"] == "PipelineConfigValidationValid"
    assert plan["__typename"] == "ExecutionPlan"
    as_text = _answers(BAD_OFFSET)
    as_object = _answers({"solids": {"add": {"config": {"offset": "x"}, "inputs": {"x": 5}}}})
    assert as_text == as_object
    assert as_text[0]["errors"] == [
        {
            "path": ["solids", "add", "config", "offset"],
            "reason": "RUNTIME_TYPE_MISMATCH",
            "message": 'expected Int, got "x"',
        }
    ]
    # JSON is YAML too, and empty text is empty config (here: the input is missing)
    assert _answers('{"solids": {"add": {"inputs": {"x": 5}}}}')[0]["__typename"] == (
        "PipelineConfigValidationValid"
    )
    [missing] = _answers("")[0]["errors"]
    assert missing["reason"] == "MISSING_REQUIRED_FIELD" and '"solids"' in missing["message"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            NOT_YAML,
            "Invalid YAML at line 4, column 1: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "solids:\n  add: 1\n   x: 2\n",
            "Invalid YAML at line 3, column 5: mapping values are not allowed here",
        ),
        (
            "\n- solids\n- add\n",
            "Run config at line 2, column 1: expected a mapping of config (e.g. 'solids: ...'), "
            "got a list",
        ),
        ("5", "Run config at line 1, column 1: expected a mapping"),
    ],
)
def test_text_that_is_not_a_yaml_mapping_is_an_error_naming_its_line(text, message):
    for answer in _answers(text):
        assert answer["__typename"] == "PipelineConfigValidationInvalid"
        [error] = answer["errors"]
        assert error["path"] == [] and error["reason"] == "RUNTIME_TYPE_MISMATCH"
        assert error["message"].startswith(message), error["message"]


MUTATION = """
mutation ($params: ExecutionParams!) {
  %s(executionParams: $params) {
    __typename
    ... on %s
    ... on PipelineConfigValidationInvalid { errors { path message } }
    ... on PythonError { message }
  }
}
"""
MUTATIONS = {
    "startPipelineExecution": "StartPipelineExecutionSuccess { run { runId } }",
    "launchPipelineExecution": "LaunchPipelineExecutionSuccess { run { runId } }",
    "executePlan": "ExecutePlanSuccess { hasFailures }",
}


def test_mutations_take_yaml_text_and_refuse_bad_text_recording_no_run(
    start_server, tmp_path, dagster_home
):
    code = tmp_path / "yaml_code.py"
    code.write_text(CODE)
    server = start_server(code=code)
    instance = DagsterInstance.from_home(str(dagster_home))
    try:
        for name, success in MUTATIONS.items():
            refused = server.query(MUTATION % (name, success), params("adder", NOT_YAML))[name]
            assert refused["__typename"] == "PipelineConfigValidationInvalid", refused
            assert refused["errors"][0]["message"].startswith("Invalid YAML at line 4, column 1")
        assert instance.get_runs() == []

        name = "launchPipelineExecution"
        launched = server.query(MUTATION % (name, MUTATIONS[name]), params("adder", GOOD))[name]
        assert launched["__typename"] == "LaunchPipelineExecutionSuccess", launched
        run = ended(instance, launched["run"]["runId"], PipelineRunStatus.SUCCESS)
        assert run.environment_dict == {"solids": {"add": {"inputs": {"x": 5}}}}
    finally:
        instance.dispose()
