"""S3ComputeLogManager against a real (moto) S3 server: capture, upload, read back."""

import os
import sys

from dagster_core import (
    DagsterInstance,
    Failure,
    execute_pipeline,
    lambda_solid,
    pipeline,
    solid,
)
from dagster_core.storage import InMemoryEventLogStorage, InMemoryRunStorage, LocalArtifactStorage
from storage_backends.s3 import S3ComputeLogManager


def instance_with(manager, tmp_path):
    return DagsterInstance(
        run_storage=InMemoryRunStorage(),
        event_storage=InMemoryEventLogStorage(),
        compute_log_manager=manager,
        local_artifact_storage=LocalArtifactStorage(str(tmp_path / "artifacts")),
    )


def log_keys(s3, bucket):
    return {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


@lambda_solid
def talk():
    print("hello from stdout")
    os.write(2, b"low-level stderr\n")


@pipeline
def talking():
    talk()


def test_step_logs_are_uploaded_and_read_back_from_s3(s3, bucket, s3_endpoint, tmp_path):
    manager = S3ComputeLogManager(bucket, "logs", s3_endpoint, str(tmp_path / "local"))
    result = execute_pipeline(talking, instance=instance_with(manager, tmp_path))
    prefix = f"logs/{result.run_id}/compute_logs/talk.compute"
    assert log_keys(s3, bucket) == {f"{prefix}.out", f"{prefix}.err"}
    # A manager on another machine (another local dir) reads the same logs from S3.
    elsewhere = S3ComputeLogManager(bucket, "logs", s3_endpoint, str(tmp_path / "elsewhere"))
    for reader in (manager, elsewhere):
        logs = reader.read_logs(result.run_id, "talk.compute")
        assert "hello from stdout" in logs.stdout
        assert "low-level stderr" in logs.stderr


def test_logs_of_a_failed_step_are_uploaded(s3, bucket, s3_endpoint, tmp_path):
    @solid
    def fail(_context):
        print("about to fail")
        raise Failure("on purpose")

    @pipeline
    def p():
        fail()

    manager = S3ComputeLogManager(bucket, "logs", s3_endpoint, str(tmp_path / "local"))
    result = execute_pipeline(p, instance=instance_with(manager, tmp_path), raise_on_error=False)
    assert not result.success
    key = f"logs/{result.run_id}/compute_logs/fail.compute.out"
    assert key in log_keys(s3, bucket)
    assert b"about to fail" in s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_running_step_reads_its_local_logs(bucket, s3_endpoint, tmp_path):
    manager = S3ComputeLogManager(bucket, "logs", s3_endpoint, str(tmp_path / "local"))

    @solid
    def peek(context):
        print("so far so good")
        sys.stdout.flush()
        return manager.read_logs(context.run_id, context.step_key).stdout

    @pipeline
    def p():
        peek()

    result = execute_pipeline(p, instance=instance_with(manager, tmp_path))
    assert "so far so good" in result.result_for_solid("peek").output_value()


def test_instance_builds_it_from_dagster_yaml(bucket, s3_endpoint, tmp_path, monkeypatch):
    (tmp_path / "dagster.yaml").write_text(
        "compute_logs:\n"
        "  module: storage_backends.s3\n"
        "  class: S3ComputeLogManager\n"
        f"  config: {{bucket: {bucket}, endpoint_url: '{s3_endpoint}', local_dir: '{tmp_path}'}}\n"
    )
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = DagsterInstance.get()
    manager = instance.compute_log_manager
    assert isinstance(manager, S3ComputeLogManager)
    assert (manager.bucket, manager.prefix, manager.local_dir) == (bucket, "dagster", str(tmp_path))
    result = execute_pipeline(talking, instance=instance)
    assert "hello from stdout" in manager.read_logs(result.run_id, "talk.compute").stdout


def test_multiprocess_children_upload_their_logs(s3, bucket, s3_endpoint, tmp_path):
    manager = S3ComputeLogManager(bucket, "logs", s3_endpoint, str(tmp_path / "local"))
    config = {
        "execution": {"multiprocess": {}},
        "storage": {"filesystem": {"base_dir": str(tmp_path / "runs")}},
    }
    result = execute_pipeline(talking, config, instance=instance_with(manager, tmp_path))
    prefix = f"logs/{result.run_id}/compute_logs/talk.compute"
    assert log_keys(s3, bucket) == {f"{prefix}.out", f"{prefix}.err"}
    assert "hello from stdout" in manager.read_logs(result.run_id, "talk.compute").stdout
