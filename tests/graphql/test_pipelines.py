"""The definitions queries as a 0.7 client meets them on a real server: pipelines with their
solids, fan-in and composite wiring, modes, presets and tags; the run config schema as config
types; config validation with every error; execution plans; errors as data; credentials never
shown; and a 500-solid pipeline answered with one dependency index, not one per solid."""

from __future__ import annotations

import json
import textwrap

import pytest

from dagster_core import PipelineDefinition, RepositoryDefinition, lambda_solid
from dagster_core.definitions.dependency import DependencyDefinition, SolidInvocation
from dagster_core.graphql import GraphQLContext, Workspace, execute_query
from dagster_core.graphql import pipelines as pipelines_module
from dagster_core.instance import DagsterInstance

SECRET = "hunter2"

CODE = textwrap.dedent(
    """
    from dagster_core import (
        Enum, EnumValue, Field, InputDefinition, Int, List, ModeDefinition, Noneable,
        Output, OutputDefinition, PresetDefinition, ResourceDefinition, String, composite_solid,
        default_executors, lambda_solid, pipeline, resource, solid,
    )
    from dagster_dask import dask_executor

    @resource(
        config={"url": Field(String, default_value="postgresql://app:hunter2@db/prod")},
        description="The database",
    )
    def db(init_context):
        return init_context.resource_config["url"]

    @lambda_solid(output_def=OutputDefinition(Int))
    def one():
        return 1

    @lambda_solid(output_def=OutputDefinition(Int, description="Two, always"))
    def two():
        return 2

    @solid(
        input_defs=[InputDefinition("numbers", List[Int], description="What to add")],
        output_defs=[OutputDefinition(Int, "sum"), OutputDefinition(Int, "spare", is_required=False)],
        config={
            "scale": Field(Int, default_value=1, description="multiplier"),
            "rounding": Field(Enum("Rounding", [EnumValue("up"), EnumValue("down")]), is_optional=True),
            "label": Field(Noneable(String), is_optional=True),
        },
        required_resource_keys={"db"},
        tags={"dask/resources": {"GPU": 1}, "owner": "math"},
    )
    def total(context, numbers):
        "Adds its numbers."
        yield Output(sum(numbers) * context.solid_config["scale"], "sum")

    @pipeline(
        mode_defs=[
            ModeDefinition(
                "default", resource_defs={"db": db},
                executor_defs=[*default_executors, dask_executor], description="Real database",
            ),
            ModeDefinition("test", resource_defs={"db": ResourceDefinition.hardcoded_resource("x")}),
        ],
        preset_defs=[
            PresetDefinition(
                "prod", {"resources": {"db": {"config": {"url": "postgresql://app:hunter2@db/p"}}}}
            ),
            PresetDefinition("just_total", {}, solid_subset=["total"], mode="test"),
        ],
        tags={"team": "data"},
    )
    def fan_in():
        "Sums two numbers."
        total([one(), two()])

    @lambda_solid(input_defs=[InputDefinition("n", Int)], output_def=OutputDefinition(Int))
    def inc(n):
        return n + 1

    @composite_solid(
        input_defs=[InputDefinition("start", Int)], output_defs=[OutputDefinition(Int, "end")]
    )
    def add_two(start):
        "Adds one, twice."
        return {"end": inc.alias("second")(inc.alias("first")(start))}

    @pipeline
    def nested():
        add_two.alias("outer")(two())
    """
)

SOLID_QUERY = """
fragment io on Solid {
  name
  inputs { definition { name } dependsOn { solid { name } definition { name } } }
  outputs { definition { name } dependedBy { solid { name } definition { name } } }
}
"""

FAN_IN_QUERY = (
    SOLID_QUERY
    + """
query ($name: String!) {
  pipelineOrError(params: {name: $name}) {
    __typename
    ... on Pipeline {
      name description
      tags { key value }
      presets { name mode solidSubset environmentConfigYaml }
      modes {
        name description
        resources { name description configField { configType { key ... on CompositeConfigType {
          fields { name defaultValue isOptional } } } } }
        loggers { name }
      }
      solids {
        ...io
        definition {
          __typename name description
          metadata { key value }
          requiredResources { resourceKey }
          inputDefinitions { name description type { name innerTypes { name } } }
          outputDefinitions { name description isOptional isRequired type { name } }
          configField { isOptional configType { ... on CompositeConfigType { fields {
            name description defaultValue isOptional isRequired
            configType { __typename key name ... on EnumConfigType { values { value } }
              ... on NullableConfigType { ofType { key } } } } } } }
        }
      }
    }
  }
}
"""
)


def _code(tmp_path):
    path = tmp_path / "defs.py"
    path.write_text(CODE)
    return path


def _query(server, query, variables=None):
    status, body = server.post(query, variables)
    assert status == 200 and not body.get("errors"), body
    assert SECRET not in json.dumps(body)
    return body["data"]


def _by_name(items):
    return {item["name"]: item for item in items}


def test_pipelines_with_fan_in_composites_modes_presets_and_tags(start_server, tmp_path):
    server = start_server(code=_code(tmp_path))

    nodes = _query(server, "{ pipelinesOrError { ... on PipelineConnection { nodes { name } } } }")
    assert nodes == {"pipelinesOrError": {"nodes": [{"name": "fan_in"}, {"name": "nested"}]}}

    pipeline = _query(server, FAN_IN_QUERY, {"name": "fan_in"})["pipelineOrError"]
    assert pipeline["__typename"] == "Pipeline"
    assert (pipeline["name"], pipeline["description"]) == ("fan_in", "Sums two numbers.")
    assert pipeline["tags"] == [{"key": "team", "value": "data"}]
    solids = _by_name(pipeline["solids"])
    assert [s["name"] for s in pipeline["solids"]] == ["one", "two", "total"]
    # fan-in: one input depends on two outputs, each output is depended on by that input
    (numbers,) = solids["total"]["inputs"]
    assert numbers["dependsOn"] == [
        {"solid": {"name": "one"}, "definition": {"name": "result"}},
        {"solid": {"name": "two"}, "definition": {"name": "result"}},
    ]
    assert solids["one"]["outputs"][0]["dependedBy"] == [
        {"solid": {"name": "total"}, "definition": {"name": "numbers"}}
    ]
    assert solids["total"]["outputs"][0]["dependedBy"] == []

    total = solids["total"]["definition"]
    assert total["__typename"] == "SolidDefinition"
    assert total["description"] == "Adds its numbers."
    assert {"key": "dask/resources", "value": '{"GPU": 1}'} in total["metadata"]
    assert total["requiredResources"] == [{"resourceKey": "db"}]
    assert total["inputDefinitions"] == [
        {"name": "numbers", "description": "What to add",
         "type": {"name": "List[Int]", "innerTypes": [{"name": "Int"}]}}
    ]  # fmt: skip
    assert total["outputDefinitions"] == [
        {"name": "sum", "description": None, "isOptional": False, "isRequired": True,
         "type": {"name": "Int"}},
        {"name": "spare", "description": None, "isOptional": True, "isRequired": False,
         "type": {"name": "Int"}},
    ]  # fmt: skip
    config = total["configField"]
    assert config["isOptional"] is True
    fields = _by_name(config["configType"]["fields"])
    assert [f["name"] for f in config["configType"]["fields"]] == ["label", "rounding", "scale"]
    assert fields["scale"] == {
        "name": "scale", "description": "multiplier", "defaultValue": "1", "isOptional": True,
        "isRequired": False,
        "configType": {"__typename": "RegularConfigType", "key": "Int", "name": "Int"},
    }  # fmt: skip
    assert fields["rounding"]["configType"]["values"] == [{"value": "up"}, {"value": "down"}]
    assert fields["label"]["configType"]["__typename"] == "NullableConfigType"
    assert fields["label"]["configType"]["ofType"] == {"key": "String"}
    assert solids["two"]["definition"]["outputDefinitions"][0]["description"] == "Two, always"

    modes = pipeline["modes"]
    assert [m["name"] for m in modes] == ["default", "test"]
    (db,) = modes[0]["resources"]
    assert (modes[0]["description"], db["name"], db["description"]) == (
        "Real database", "db", "The database"
    )  # fmt: skip
    (url,) = db["configField"]["configType"]["fields"]
    assert url["defaultValue"] == '"postgresql://app:***@db/prod"'
    assert modes[0]["loggers"] == [{"name": "console"}]
    assert pipeline["presets"] == [
        {"name": "just_total", "mode": "test", "solidSubset": ["total"], "environmentConfigYaml": ""},
        {"name": "prod", "mode": "default", "solidSubset": None,
         "environmentConfigYaml": "resources:\n  db:\n    config:\n"
                                  "      url: postgresql://app:***@db/p\n"},
    ]  # fmt: skip

    subset = _query(
        server,
        SOLID_QUERY
        + """{ pipelineOrError(params: {name: "fan_in", solidSubset: ["total"]}) {
                 ... on Pipeline { solids { ...io } } } }""",
    )["pipelineOrError"]
    assert subset == {
        "solids": [
            {"name": "total", "inputs": [{"definition": {"name": "numbers"}, "dependsOn": []}],
             "outputs": [{"definition": {"name": "sum"}, "dependedBy": []},
                         {"definition": {"name": "spare"}, "dependedBy": []}]}
        ]
    }  # fmt: skip

    unknown_solid = _query(
        server,
        """{ pipelineOrError(params: {name: "fan_in", solidSubset: ["nope"]}) {
               __typename ... on PipelineNotFoundError { pipelineName message } } }""",
    )["pipelineOrError"]
    assert unknown_solid["__typename"] == "PipelineNotFoundError"
    assert "nope" in unknown_solid["message"] and "total" in unknown_solid["message"]


def test_composite_solids_show_their_solids_mappings_and_handles(start_server, tmp_path):
    server = start_server(code=_code(tmp_path))
    query = (
        SOLID_QUERY
        + """{ pipelineOrError(params: {name: "nested"}) { ... on Pipeline {
          solids { ...io definition { __typename name description
            ... on CompositeSolidDefinition {
              solids { ...io definition { name } }
              inputMappings { definition { name } mappedInput { solid { name } definition { name } } }
              outputMappings { definition { name } mappedOutput { solid { name } definition { name } } }
            } } }
          solidHandles { handleID parent { handleID } solid { name } }
          top: solidHandles(parentHandleID: "") { handleID }
          inner: solidHandles(parentHandleID: "outer") { handleID }
          second: solidHandle(handleID: "outer.second") { solid { ...io } }
          missing: solidHandle(handleID: "outer.nope") { handleID }
        } } }"""
    )
    pipeline = _query(server, query)["pipelineOrError"]
    outer = _by_name(pipeline["solids"])["outer"]
    assert outer["inputs"] == [
        {"definition": {"name": "start"},
         "dependsOn": [{"solid": {"name": "two"}, "definition": {"name": "result"}}]}
    ]  # fmt: skip
    definition = outer["definition"]
    assert definition["__typename"] == "CompositeSolidDefinition"
    assert (definition["name"], definition["description"]) == ("add_two", "Adds one, twice.")
    inner = _by_name(definition["solids"])
    assert list(inner) == ["first", "second"]
    assert inner["second"]["inputs"][0]["dependsOn"] == [
        {"solid": {"name": "first"}, "definition": {"name": "result"}}
    ]
    assert inner["first"]["definition"] == {"name": "inc"}
    assert definition["inputMappings"] == [
        {"definition": {"name": "start"},
         "mappedInput": {"solid": {"name": "first"}, "definition": {"name": "n"}}}
    ]  # fmt: skip
    assert definition["outputMappings"] == [
        {"definition": {"name": "end"},
         "mappedOutput": {"solid": {"name": "second"}, "definition": {"name": "result"}}}
    ]  # fmt: skip
    assert pipeline["solidHandles"] == [
        {"handleID": "outer", "parent": None, "solid": {"name": "outer"}},
        {"handleID": "outer.first", "parent": {"handleID": "outer"}, "solid": {"name": "first"}},
        {"handleID": "outer.second", "parent": {"handleID": "outer"}, "solid": {"name": "second"}},
        {"handleID": "two", "parent": None, "solid": {"name": "two"}},
    ]
    assert pipeline["top"] == [{"handleID": "outer"}, {"handleID": "two"}]
    assert pipeline["inner"] == [{"handleID": "outer.first"}, {"handleID": "outer.second"}]
    assert pipeline["second"]["solid"]["inputs"][0]["dependsOn"][0]["solid"] == {"name": "first"}
    assert pipeline["missing"] is None


VALIDATE = """
query ($name: String!, $config: EnvironmentConfigData, $mode: String) {
  isPipelineConfigValid(pipeline: {name: $name}, environmentConfigData: $config, mode: $mode) {
    __typename
    ... on PipelineConfigValidationValid { pipelineName pipeline { name } }
    ... on PipelineConfigValidationInvalid { pipelineName errors { path reason message } }
    ... on PipelineNotFoundError { pipelineName message }
    ... on ModeNotFoundError { mode message }
    ... on PythonError { message }
  }
}
"""

PLAN = """
query ($name: String!, $config: EnvironmentConfigData, $mode: String) {
  executionPlan(pipeline: {name: $name}, environmentConfigData: $config, mode: $mode) {
    __typename
    ... on ExecutionPlan {
      artifactsPersisted pipeline { name }
      steps { key solidHandleID kind metadata { key value }
              inputs { name type { name } dependsOn { key } } outputs { name type { name } } }
    }
    ... on PipelineConfigValidationInvalid { errors { path reason } }
    ... on PipelineNotFoundError { message }
    ... on ModeNotFoundError { message }
  }
}
"""


def test_config_validation_reports_every_error_with_its_path(start_server, tmp_path):
    server = start_server(code=_code(tmp_path))

    def validate(name, config=None, mode=None):
        variables = {"name": name, "config": config, "mode": mode}
        return _query(server, VALIDATE, variables)["isPipelineConfigValid"]

    assert validate("fan_in", mode="test") == {
        "__typename": "PipelineConfigValidationValid",
        "pipelineName": "fan_in",
        "pipeline": {"name": "fan_in"},
    }
    invalid = validate(
        "fan_in",
        {
            "solids": {"total": {"config": {"scale": "x", "nope": 1}}},
            "execution": {"multiprocess": {}},
            "resources": {"db": {"config": {"url": "postgresql://app:hunter2@db/prod"}}},
        },
        "default",
    )
    assert invalid["__typename"] == "PipelineConfigValidationInvalid"
    assert sorted((e["path"], e["reason"]) for e in invalid["errors"]) == [
        (["solids", "total", "config"], "FIELD_NOT_DEFINED"),
        (["solids", "total", "config", "scale"], "RUNTIME_TYPE_MISMATCH"),
        (["storage"], "FAILED_POST_PROCESSING"),
    ]
    by_path = {".".join(e["path"]): e["message"] for e in invalid["errors"]}
    assert by_path["solids.total.config.scale"] == 'expected Int, got "x"'
    assert "multiprocess" in by_path["storage"] and "filesystem" in by_path["storage"]
    # the seed-era `config:` layer under an executor, with persistent storage, is valid
    assert (
        validate(
            "fan_in",
            {"execution": {"multiprocess": {"config": {"max_concurrent": 2}}},
             "storage": {"filesystem": {}}},
            "test",
        )["__typename"]
        == "PipelineConfigValidationValid"
    )  # fmt: skip
    assert validate("fan_in", [1, 2], "test")["__typename"] == "PipelineConfigValidationInvalid"

    unknown = validate("nope")
    assert unknown["__typename"] == "PipelineNotFoundError"
    assert unknown["message"] == "No pipeline 'nope' in the workspace; it has: fan_in, nested"
    bad_mode = validate("fan_in", mode="prod")
    assert bad_mode == {
        "__typename": "ModeNotFoundError",
        "mode": "prod",
        "message": "Pipeline 'fan_in' has no mode 'prod' (modes: default, test)",
    }


def test_execution_plans_of_fan_in_and_composite_pipelines(start_server, tmp_path):
    server = start_server(code=_code(tmp_path))

    def plan(name, config=None, mode=None):
        variables = {"name": name, "config": config, "mode": mode}
        return _query(server, PLAN, variables)["executionPlan"]

    fan_in = plan("fan_in", {"storage": {"filesystem": {}}}, "test")
    assert fan_in["__typename"] == "ExecutionPlan"
    assert fan_in["artifactsPersisted"] is True
    assert fan_in["pipeline"] == {"name": "fan_in"}
    steps = {s["key"]: s for s in fan_in["steps"]}
    assert list(steps) == ["one.compute", "two.compute", "total.compute"]
    total = steps["total.compute"]
    assert (total["solidHandleID"], total["kind"]) == ("total", "COMPUTE")
    assert total["inputs"] == [
        {"name": "numbers", "type": {"name": "List[Int]"},
         "dependsOn": [{"key": "one.compute"}, {"key": "two.compute"}]}
    ]  # fmt: skip
    assert total["outputs"] == [
        {"name": "sum", "type": {"name": "Int"}},
        {"name": "spare", "type": {"name": "Int"}},
    ]
    assert {"key": "dask/resources", "value": '{"GPU": 1}'} in total["metadata"]
    assert plan("fan_in", mode="test")["artifactsPersisted"] is False

    nested = plan("nested")
    assert [(s["key"], s["solidHandleID"]) for s in nested["steps"]] == [
        ("two.compute", "two"),
        ("outer.first.compute", "outer.first"),
        ("outer.second.compute", "outer.second"),
    ]
    assert nested["steps"][1]["inputs"][0]["dependsOn"] == [{"key": "two.compute"}]

    invalid = plan("fan_in", {"solids": {"total": {"config": {"scale": "x"}}}}, "test")
    assert invalid == {
        "__typename": "PipelineConfigValidationInvalid",
        "errors": [
            {"path": ["solids", "total", "config", "scale"], "reason": "RUNTIME_TYPE_MISMATCH"}
        ],
    }
    assert plan("nope")["__typename"] == "PipelineNotFoundError"
    assert plan("fan_in", mode="nope")["__typename"] == "ModeNotFoundError"


SCHEMA_QUERY = """
query ($selector: ExecutionSelector!, $mode: String, $config: EnvironmentConfigData) {
  environmentSchemaOrError(selector: $selector, mode: $mode) {
    __typename
    ... on EnvironmentSchema {
      rootEnvironmentType { key isSelector ... on CompositeConfigType { fields { name } } }
      allConfigTypes {
        __typename key name description isSelector isList isNullable innerTypes { key }
        ... on CompositeConfigType { fields { name configTypeKey defaultValue isOptional } }
        ... on ListConfigType { ofType { key } }
        ... on NullableConfigType { ofType { key } }
        ... on EnumConfigType { values { value } }
        ... on ScalarUnionConfigType { scalarType { key } nonScalarType { key } }
      }
      isEnvironmentConfigValid(environmentConfigData: $config) {
        __typename ... on PipelineConfigValidationInvalid { errors { path } }
      }
    }
    ... on ModeNotFoundError { mode }
    ... on PipelineNotFoundError { pipelineName }
  }
}
"""


def test_the_run_config_schema_as_config_types_for_editors(start_server, tmp_path):
    server = start_server(code=_code(tmp_path))

    def schema(name, mode=None, config=None, subset=None):
        selector = {"name": name, "solidSubset": subset}
        variables = {"selector": selector, "mode": mode, "config": config}
        return _query(server, SCHEMA_QUERY, variables)["environmentSchemaOrError"]

    found = schema("fan_in", "default", {"solids": {"total": {"config": {"scale": 2}}}})
    assert found["__typename"] == "EnvironmentSchema"
    root = found["rootEnvironmentType"]
    assert [f["name"] for f in root["fields"]] == [
        "execution", "loggers", "resources", "solids", "storage"
    ]  # fmt: skip
    types = {t["key"]: t for t in found["allConfigTypes"]}
    assert len(types) == len(found["allConfigTypes"])
    assert root["key"] in types
    assert {i["key"] for i in types[root["key"]]["innerTypes"]} <= set(types)

    def field(type_key, name):
        return _by_name(types[type_key]["fields"])[name]

    execution = types[field(root["key"], "execution")["configTypeKey"]]
    assert execution["isSelector"] is True
    assert [f["name"] for f in execution["fields"]] == ["dask", "in_process", "multiprocess"]
    assert field(root["key"], "execution")["defaultValue"] == '{"in_process": {}}'
    total = field(field(root["key"], "solids")["configTypeKey"], "total")["configTypeKey"]
    config = types[field(total, "config")["configTypeKey"]]
    assert field(config["key"], "scale")["defaultValue"] == "1"
    rounding = types[field(config["key"], "rounding")["configTypeKey"]]
    assert (rounding["__typename"], rounding["name"]) == ("EnumConfigType", "Rounding")
    assert rounding["values"] == [{"value": "up"}, {"value": "down"}]
    label = types[field(config["key"], "label")["configTypeKey"]]
    assert (label["isNullable"], label["ofType"]) == (True, {"key": "String"})
    db = field(field(root["key"], "resources")["configTypeKey"], "db")["configTypeKey"]
    url = field(field(db, "config")["configTypeKey"], "url")
    assert url["defaultValue"] == '"postgresql://app:***@db/prod"'
    assert types["Int"] == {
        "__typename": "RegularConfigType", "key": "Int", "name": "Int", "description": None,
        "isSelector": False, "isList": False, "isNullable": False, "innerTypes": [],
    }  # fmt: skip
    lists = [t for t in types.values() if t["__typename"] == "ListConfigType"]
    assert lists and all(t["isList"] and t["ofType"]["key"] in types for t in lists)
    assert found["isEnvironmentConfigValid"] == {"__typename": "PipelineConfigValidationValid"}

    # in a subset, an input whose upstream is left out comes from config: a list of values,
    # each a plain Int or a dict ({value: 1}, {json: {path: ...}})
    subset = schema(
        "fan_in", "test", {"solids": {"total": {"inputs": {"numbers": [1, 2]}}}}, ["total"]
    )
    assert subset["isEnvironmentConfigValid"] == {"__typename": "PipelineConfigValidationValid"}
    subset_types = {t["key"]: t for t in subset["allConfigTypes"]}
    solids = field_of(subset_types, subset["rootEnvironmentType"]["key"], "solids")
    inputs = field_of(subset_types, field_of(subset_types, solids, "total"), "inputs")
    numbers = subset_types[field_of(subset_types, inputs, "numbers")]
    assert numbers["__typename"] == "ListConfigType"
    union = subset_types[numbers["ofType"]["key"]]
    assert union["__typename"] == "ScalarUnionConfigType"
    assert union["scalarType"] == {"key": "Int"}
    assert subset_types[union["nonScalarType"]["key"]]["isSelector"] is True
    assert schema("fan_in", "nope") == {"__typename": "ModeNotFoundError", "mode": "nope"}
    assert schema("nope") == {"__typename": "PipelineNotFoundError", "pipelineName": "nope"}
    assert schema("fan_in", "test", {"solids": {"nope": {}}})["isEnvironmentConfigValid"] == {
        "__typename": "PipelineConfigValidationInvalid",
        "errors": [{"path": ["solids"]}],
    }


def field_of(types, type_key, name):
    """The key of the type of field `name` of the type `type_key`."""
    return _by_name(types[type_key]["fields"])[name]["configTypeKey"]


def _chain(length: int) -> PipelineDefinition:
    """A pipeline of `length` solids, each fed by the one before it."""

    @lambda_solid
    def start():
        return 0

    @lambda_solid
    def step(value):
        return value + 1

    dependencies = {SolidInvocation("start"): {}}
    for i in range(1, length):
        upstream = "start" if i == 1 else f"step_{i - 1}"
        dependencies[SolidInvocation("step", f"step_{i}")] = {
            "value": DependencyDefinition(upstream)
        }
    return PipelineDefinition([start, step], name="chain", dependencies=dependencies)


LARGE_QUERY = """
{ pipelineOrError(params: {name: "chain"}) { ... on Pipeline { solids {
    name inputs { dependsOn { solid { name } } } outputs { dependedBy { solid { name } } } } } }
  executionPlan(pipeline: {name: "chain"}) { ... on ExecutionPlan { steps { key } } } }
"""


def test_a_500_solid_pipeline_is_answered_with_one_dependency_index(monkeypatch):
    built = []
    index = pipelines_module.downstream_inputs

    def counted(container):
        built.append(container)
        return index(container)

    monkeypatch.setattr(pipelines_module, "downstream_inputs", counted)
    context = GraphQLContext(DagsterInstance.ephemeral(), Workspace.of(_chain(500)))
    response = execute_query(context, LARGE_QUERY)
    assert "errors" not in response, response
    solids = response["data"]["pipelineOrError"]["solids"]
    assert len(solids) == 500
    assert solids[0] == {
        "name": "start",
        "inputs": [],
        "outputs": [{"dependedBy": [{"solid": {"name": "step_1"}}]}],
    }
    assert solids[250]["inputs"] == [{"dependsOn": [{"solid": {"name": "step_249"}}]}]
    assert solids[499]["outputs"] == [{"dependedBy": []}]
    assert len(response["data"]["executionPlan"]["steps"]) == 500
    assert len(built) == 1  # one index for the pipeline, not one per solid


def test_a_large_pipeline_over_the_server(start_server, tmp_path):
    code = tmp_path / "chain.py"
    code.write_text(
        textwrap.dedent(
            """
            from dagster_core import PipelineDefinition, lambda_solid
            from dagster_core.definitions.dependency import DependencyDefinition, SolidInvocation

            @lambda_solid
            def start():
                return 0

            @lambda_solid
            def step(value):
                return value + 1

            dependencies = {SolidInvocation("start"): {}}
            for i in range(1, 500):
                upstream = "start" if i == 1 else f"step_{i - 1}"
                dependencies[SolidInvocation("step", f"step_{i}")] = {
                    "value": DependencyDefinition(upstream)
                }
            chain = PipelineDefinition([start, step], name="chain", dependencies=dependencies)
            """
        )
    )
    server = start_server(code=code)
    data = _query(server, LARGE_QUERY)
    assert [s["name"] for s in data["pipelineOrError"]["solids"]][-2:] == ["step_498", "step_499"]
    assert data["executionPlan"]["steps"][-1] == {"key": "step_499.compute"}


def test_a_pipeline_that_fails_to_load_is_a_python_error_not_a_crash():
    def broken():
        raise RuntimeError("cannot build postgresql://app:hunter2@db/prod")

    repository = RepositoryDefinition("repo", pipeline_dict={"broken": broken})
    context = GraphQLContext(DagsterInstance.ephemeral(), Workspace(repository))
    response = execute_query(
        context,
        """{ pipelinesOrError { __typename ... on PythonError { message className } }
             pipelineOrError(params: {name: "broken"}) { __typename ... on PythonError { message } }
             isPipelineConfigValid(pipeline: {name: "broken"}) { __typename } }""",
    )
    assert "errors" not in response, response
    data = response["data"]
    assert data["pipelinesOrError"]["__typename"] == "PythonError"
    assert data["pipelinesOrError"]["className"] == "RuntimeError"
    assert "postgresql://app:***@db/prod" in data["pipelinesOrError"]["message"]
    assert data["pipelineOrError"]["__typename"] == "PythonError"
    assert data["isPipelineConfigValid"] == {"__typename": "PythonError"}
    assert SECRET not in json.dumps(response)


@pytest.mark.parametrize("mode", [None, "default"])
def test_the_only_mode_is_the_default(mode):
    context = GraphQLContext(DagsterInstance.ephemeral(), Workspace.of(_chain(3)))
    response = execute_query(
        context,
        'query ($mode: String) { isPipelineConfigValid(pipeline: {name: "chain"}, mode: $mode)'
        " { __typename } }",
        {"mode": mode},
    )
    assert response == {
        "data": {"isPipelineConfigValid": {"__typename": "PipelineConfigValidationValid"}}
    }
