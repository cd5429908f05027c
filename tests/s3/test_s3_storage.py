"""S3 intermediates against a real (moto) S3 server: layout, re-execution, failures, big values."""

import os
import pickle
import threading

import cloudpickle
import pytest
import requests

from dagster_core import (
    DagsterError,
    DagsterEventType,
    DagsterInstance,
    DagsterStepOutputNotFoundError,
    InputDefinition,
    ModeDefinition,
    default_system_storage_defs,
    execute_pipeline,
    lambda_solid,
    pipeline,
    reexecute_pipeline,
    solid,
)
from storage_backends.s3 import DagsterS3Error, S3IntermediateStore, s3_resource, s3_system_storage

MODE = ModeDefinition(system_storage_defs=[*default_system_storage_defs, s3_system_storage])
MB = 2**20


def storage_config(bucket, endpoint, prefix="runs"):
    return {"storage": {"s3": {"s3_bucket": bucket, "s3_prefix": prefix, "endpoint_url": endpoint}}}


def keys_under(s3, bucket, prefix=""):
    return {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])}


def load(s3, bucket, key):
    return pickle.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_outputs_land_at_their_keys_and_reexecution_reads_them(s3, bucket, s3_endpoint):
    @lambda_solid
    def emit():
        return {"a": 1}

    @lambda_solid(input_defs=[InputDefinition("d")])
    def count(d):
        return len(d)

    @pipeline(mode_defs=[MODE])
    def p():
        count(emit())

    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(p, storage_config(bucket, s3_endpoint), instance=instance)
    assert result.result_for_solid("count").output_value() == 1
    run = result.run_id
    emitted, counted = (f"runs/{run}/intermediates/{s}.compute/result" for s in ("emit", "count"))
    assert keys_under(s3, bucket) == {emitted, counted}
    assert load(s3, bucket, emitted) == {"a": 1} and load(s3, bucket, counted) == 1
    locations = [
        e.data["location"]
        for e in result.event_list
        if e.event_type is DagsterEventType.OBJECT_STORE_OPERATION and e.data["op"] == "set"
    ]
    assert f"s3://{bucket}/{emitted}" in locations

    # Change the parent's stored value: the re-execution must read it from S3.
    s3.put_object(Bucket=bucket, Key=emitted, Body=pickle.dumps({"a": 1, "b": 2}))
    again = reexecute_pipeline(p, run, step_keys_to_execute=["count.compute"], instance=instance)
    assert again.success
    assert again.result_for_solid("count").output_value() == 2
    assert keys_under(s3, bucket, f"runs/{again.run_id}/") == {
        f"runs/{again.run_id}/intermediates/count.compute/result"
    }


def test_unpicklable_output_fails_its_step_and_stores_nothing(s3, bucket, s3_endpoint):
    @lambda_solid
    def lock():
        return threading.Lock()

    @pipeline(mode_defs=[MODE])
    def p():
        lock()

    result = execute_pipeline(p, storage_config(bucket, s3_endpoint), raise_on_error=False)
    assert not result.success
    failure = result.result_for_solid("lock").failure_data
    assert "'result'" in failure.message and "lock" in failure.message
    assert keys_under(s3, bucket) == set()


def test_failed_large_write_aborts_its_multipart_upload(s3, bucket, s3_endpoint):
    store = S3IntermediateStore(bucket, "big", s3_endpoint, block_size=5 * MB)
    with pytest.raises(TypeError):
        store.set_output("r1", "s.compute", "out", [os.urandom(12 * MB), threading.Lock()])
    assert keys_under(s3, bucket) == set()
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert not store.has_output("r1", "s.compute", "out")


def test_large_value_round_trips_in_parts(s3, bucket, s3_endpoint):
    store = S3IntermediateStore(bucket, "big", s3_endpoint, block_size=5 * MB)
    value = os.urandom(20 * MB)
    url = store.set_output("r1", "s.compute", "out", value)
    key = "big/r1/intermediates/s.compute/out"
    assert url == f"s3://{bucket}/{key}"
    etag = s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
    assert int(etag.rsplit("-", 1)[1]) >= 4  # a multipart object's ETag ends with its part count
    assert store.has_output("r1", "s.compute", "out")
    assert store.get_output("r1", "s.compute", "out") == value


def test_missing_output_names_its_url(bucket, s3_endpoint):
    store = S3IntermediateStore(bucket, endpoint_url=s3_endpoint)
    assert not store.has_output("r1", "s.compute", "out")
    with pytest.raises(DagsterStepOutputNotFoundError) as info:
        store.get_output("r1", "s.compute", "out")
    assert f"s3://{bucket}/dagster/r1/intermediates/s.compute/out" in str(info.value)


def test_store_pickles_for_other_processes(bucket, s3_endpoint):
    store = S3IntermediateStore(bucket, endpoint_url=s3_endpoint)
    store.set_output("r1", "s.compute", "out", [1, 2])
    copy = cloudpickle.loads(cloudpickle.dumps(store))
    assert copy.get_output("r1", "s.compute", "out") == [1, 2]


def test_multiprocess_run_uses_s3(s3, bucket, s3_endpoint):
    @lambda_solid
    def two():
        return 2

    @lambda_solid(input_defs=[InputDefinition("x")])
    def square(x):
        return x * x

    @pipeline(mode_defs=[MODE])
    def p():
        square(two())

    config = {**storage_config(bucket, s3_endpoint), "execution": {"multiprocess": {}}}
    result = execute_pipeline(p, config)
    assert result.result_for_solid("square").output_value() == 4
    assert load(s3, bucket, f"runs/{result.run_id}/intermediates/square.compute/result") == 4


def _never_started(bucket, s3_endpoint):
    """Run a pipeline on an unusable bucket: it must raise before a run is even recorded."""

    @solid
    def side_effect(_context):
        raise AssertionError("no step may run when the bucket is unusable")

    @pipeline(mode_defs=[MODE])
    def p():
        side_effect()

    instance = DagsterInstance.ephemeral()
    with pytest.raises(DagsterS3Error) as info:
        execute_pipeline(p, storage_config(bucket, s3_endpoint), instance=instance)
    assert instance.get_runs() == []
    error = info.value
    assert isinstance(error, DagsterError)
    assert error.__cause__ is None and error.__context__ is None
    message = str(error)
    assert bucket in message and s3_endpoint in message
    return message


def test_missing_bucket_fails_before_any_step(s3_endpoint):
    assert "does not exist" in _never_started("no-such-bucket", s3_endpoint)


@pytest.fixture
def moto_auth(s3_endpoint, bucket):
    """Make the moto server check credentials (its IAM knows none of ours) for one test."""
    requests.post(f"{s3_endpoint}/moto-api/reset-auth", data=b"0").raise_for_status()
    try:
        yield
    finally:
        requests.post(f"{s3_endpoint}/moto-api/reset-auth", data=b"inf").raise_for_status()


def test_refused_credentials_fail_before_any_step(bucket, s3_endpoint, moto_auth):
    message = _never_started(bucket, s3_endpoint)
    assert "refused" in message
    assert os.environ["AWS_ACCESS_KEY_ID"] not in message
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in message


def test_missing_credentials_fail_before_any_step(bucket, s3_endpoint, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    for name in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        monkeypatch.setenv(name, str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert "no AWS credentials" in _never_started(bucket, s3_endpoint)


def test_s3_resource_gives_solids_a_client(s3, bucket, s3_endpoint):
    s3.put_object(Bucket=bucket, Key="inbox/a.csv", Body=b"1,2")

    @solid(required_resource_keys={"s3"})
    def list_inbox(context):
        response = context.resources.s3.list_objects_v2(Bucket=bucket, Prefix="inbox/")
        return [o["Key"] for o in response["Contents"]]

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"s3": s3_resource})])
    def p():
        list_inbox()

    config = {"resources": {"s3": {"config": {"endpoint_url": s3_endpoint}}}}
    result = execute_pipeline(p, config)
    assert result.result_for_solid("list_inbox").output_value() == ["inbox/a.csv"]


def test_a_types_serialization_strategy_writes_its_values_to_s3(s3, bucket, s3_endpoint):
    import csv

    from dagster_core import DagsterType, OutputDefinition, SerializationStrategy

    class CsvRows(SerializationStrategy):
        def __init__(self):
            super().__init__("csv_rows", read_mode="r", write_mode="w")

        def serialize(self, value, write_file_obj):
            writer = csv.DictWriter(write_file_obj, list(value[0]))
            writer.writeheader()
            writer.writerows(value)

        def deserialize(self, read_file_obj):
            return list(csv.DictReader(read_file_obj))

    Rows = DagsterType("Rows", lambda _, v: isinstance(v, list), serialization_strategy=CsvRows())

    @lambda_solid(output_def=OutputDefinition(Rows))
    def rows():
        return [{"name": "a", "n": "1"}, {"name": "b", "n": "2"}]

    @lambda_solid(input_defs=[InputDefinition("table", Rows)])
    def names(table):
        return [row["name"] for row in table]

    @pipeline(mode_defs=[MODE])
    def p():
        names(rows())

    result = execute_pipeline(
        p, storage_config(bucket, s3_endpoint), instance=DagsterInstance.ephemeral()
    )
    assert result.result_for_solid("names").output_value() == ["a", "b"]
    key = f"runs/{result.run_id}/intermediates/rows.compute/result"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"name,n\r\na,1\r\nb,2\r\n"
    assert result.result_for_solid("rows").output_value() == [
        {"name": "a", "n": "1"},
        {"name": "b", "n": "2"},
    ]
