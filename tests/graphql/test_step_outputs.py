"""`PipelineRun.stepOutputs`: what a finished step stored, read back from the run's own storage
(filesystem here; S3 in tests/webui/test_production.py), with sizes and previews; nothing for
in-memory runs; refused by a server that must not show stored outputs."""

from __future__ import annotations

import os

import numpy as np

from dagster_core import (
    DagsterInstance,
    Output,
    OutputDefinition,
    execute_pipeline,
    pipeline,
    solid,
)
from dagster_core.graphql import GraphQLContext, Workspace, execute_query

STEP_OUTPUTS = """
query ($runId: String!, $stepKey: String!) {
  pipelineRunOrError(runId: $runId) { ... on PipelineRun {
    stepOutputs(stepKey: $stepKey) {
      __typename
      ... on StepOutputs {
        storageName stored
        outputs { name typeName location sizeBytes preview previewError }
      }
      ... on IntermediatesHiddenError { message }
      ... on PipelineNotFoundError { message }
      ... on PythonError { message }
    }
  } }
}
"""


@solid(output_defs=[OutputDefinition(name="matrix"), OutputDefinition(name="note")])
def produce(_context):
    yield Output(np.arange(40, dtype=np.int32).reshape(20, 2), "matrix")
    yield Output("x" * 5000, "note")


@pipeline
def produces():
    produce()


def _step_outputs(instance, run_id, show_intermediates=True, step_key="produce.compute"):
    context = GraphQLContext(
        instance, Workspace.of(produces), show_intermediates=show_intermediates
    )
    answer = execute_query(context, STEP_OUTPUTS, {"runId": run_id, "stepKey": step_key})
    assert "errors" not in answer, answer
    return answer["data"]["pipelineRunOrError"]["stepOutputs"]


def test_outputs_in_filesystem_storage_have_type_size_and_previews():
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(produces, {"storage": {"filesystem": {}}}, instance=instance)
    found = _step_outputs(instance, result.run_id)
    assert (found["__typename"], found["storageName"], found["stored"]) == (
        "StepOutputs",
        "filesystem",
        True,
    )
    matrix, note = found["outputs"]
    assert (matrix["name"], matrix["typeName"], matrix["previewError"]) == ("matrix", "Any", None)
    assert matrix["sizeBytes"] == os.path.getsize(matrix["location"])
    assert matrix["preview"].startswith("numpy.ndarray shape=(20, 2) dtype=int32\n[[0 1]\n [2 3]")
    assert "15 more rows" in matrix["preview"]
    assert "[38 39]" not in matrix["preview"]  # first rows only
    assert note["sizeBytes"] > 5000
    assert note["preview"].startswith("'xxx") and len(note["preview"]) < 300  # repr truncated


def test_in_memory_runs_did_not_store_their_outputs():
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(produces, instance=instance)
    found = _step_outputs(instance, result.run_id)
    assert found == {
        "__typename": "StepOutputs",
        "storageName": "in_memory",
        "stored": False,
        "outputs": [],
    }


def test_a_server_without_intermediates_refuses_to_show_them():
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(produces, {"storage": {"filesystem": {}}}, instance=instance)
    found = _step_outputs(instance, result.run_id, show_intermediates=False)
    assert found["__typename"] == "IntermediatesHiddenError"
    assert "--no-intermediates" in found["message"]


def test_an_output_gone_from_storage_says_so():
    instance = DagsterInstance.local_temp()
    result = execute_pipeline(produces, {"storage": {"filesystem": {}}}, instance=instance)
    location = _step_outputs(instance, result.run_id)["outputs"][0]["location"]
    os.remove(location)
    matrix = _step_outputs(instance, result.run_id)["outputs"][0]
    assert matrix["preview"] is None and matrix["sizeBytes"] is None
    assert (
        "cannot be found" in matrix["previewError"]
        and "FileNotFoundError" in matrix["previewError"]
    )
