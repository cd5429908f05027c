"""Pointing a local `dagit` at production: a DAGSTER_HOME whose runs and events live in
PostgreSQL and whose compute logs go to S3 (moto's server), and a run started by a SEPARATE
`dagster pipeline execute` process with its intermediates in S3. In the browser the run appears
while it runs, then succeeds, and its step's stored output is previewed from S3."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import yaml
from playwright.sync_api import expect
from webui_support import screenshot

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
RUN_WAIT_MS = 120_000  # a bound on waiting for the other process's run, not on its work
CODE = textwrap.dedent(
    """
    import os, time
    import numpy as np
    from dagster_core import Field, ModeDefinition, String, default_system_storage_defs
    from dagster_core import lambda_solid, pipeline, solid
    from storage_backends.s3 import s3_system_storage

    @solid(config={"release_file": Field(String)})
    def measure(context):
        path = context.solid_config["release_file"]
        print("waiting for", path, flush=True)
        while not os.path.exists(path):
            time.sleep(0.05)
        context.log.info("released")
        return np.arange(60, dtype=np.int64).reshape(20, 3)

    @lambda_solid
    def total(matrix):
        return {"rows": len(matrix), "sum": int(matrix.sum())}

    @pipeline(mode_defs=[ModeDefinition(
        system_storage_defs=[*default_system_storage_defs, s3_system_storage])])
    def nightly_measurements():
        total(measure())
    """
)


def _dagster_yaml(bucket: str, endpoint: str, local_dir: str) -> str:
    postgres = {"postgres_url": {"env": "DAGSTER_PG_URL"}}
    return yaml.safe_dump(
        {
            "run_storage": {
                "module": "storage_backends.postgres",
                "class": "PostgresRunStorage",
                "config": postgres,
            },
            "event_log_storage": {
                "module": "storage_backends.postgres",
                "class": "PostgresEventLogStorage",
                "config": postgres,
            },
            "compute_logs": {
                "module": "storage_backends.s3",
                "class": "S3ComputeLogManager",
                "config": {
                    "bucket": bucket,
                    "prefix": "logs",
                    "endpoint_url": endpoint,
                    "local_dir": local_dir,
                },
            },
        }
    )


def test_a_run_of_another_process_on_postgres_and_s3_shows_live_with_s3_outputs(
    start_dagit, page, tmp_path, dagster_home, fresh_postgres_url, s3, bucket, s3_endpoint
):
    (dagster_home / "dagster.yaml").write_text(
        _dagster_yaml(bucket, s3_endpoint, str(tmp_path / "compute-logs"))
    )
    code = tmp_path / "production.py"
    code.write_text(CODE)
    release = tmp_path / "release"
    run_config = tmp_path / "run.yaml"
    run_config.write_text(
        yaml.safe_dump(
            {
                "solids": {"measure": {"config": {"release_file": str(release)}}},
                "storage": {
                    "s3": {"s3_bucket": bucket, "s3_prefix": "prod", "endpoint_url": s3_endpoint}
                },
            }
        )
    )
    env = {"DAGSTER_PG_URL": fresh_postgres_url}
    server = start_dagit(code=code, env=env)
    page.goto(server.url + "/runs")
    expect(page.locator("#no-runs")).to_be_visible()

    with open(tmp_path / "execute.log", "w") as log:
        process = subprocess.Popen(
            [DAGSTER, "pipeline", "execute", "-f", str(code), "-e", str(run_config)],
            cwd=tmp_path,
            env={**os.environ, "DAGSTER_HOME": str(dagster_home), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        row = page.locator("#run-rows tr.run")
        expect(row.locator("td.status")).to_have_text("STARTED", timeout=RUN_WAIT_MS)
        run_id = row.get_attribute("data-run-id")
        assert "nightly_measurements" in row.inner_text()
        release.write_text("go")
        expect(row.locator("td.status")).to_have_text("SUCCESS", timeout=RUN_WAIT_MS)
        assert process.wait(timeout=300) == 0, (tmp_path / "execute.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    page.goto(server.url + f"/runs/{run_id}/steps/measure.compute")
    expect(page.locator("#step-status")).to_have_text("SUCCESS")
    output = page.locator('#step-outputs tr.output[data-output="result"]')
    key = f"prod/{run_id}/intermediates/measure.compute/result"
    size = s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
    expect(output.locator("pre.preview")).to_contain_text("numpy.ndarray shape=(20, 3) dtype=int64")
    assert f"s3://{bucket}/{key}" in output.inner_text()
    assert f"{size:,} B" in output.locator("td.size").inner_text()
    assert "[[ 0  1  2]\n [ 3  4  5]" in output.locator("pre.preview").inner_text()
    assert "15 more rows" in output.locator("pre.preview").inner_text()
    assert "released" in page.locator("#step-events").inner_text()
    screenshot(page, "step-outputs")

    logs = s3.list_objects_v2(Bucket=bucket, Prefix=f"logs/{run_id}/compute_logs/")
    assert any(o["Key"].endswith("measure.compute.out") for o in logs.get("Contents", []))

    hidden = start_dagit("--no-intermediates", code=code, env=env)
    page.goto(hidden.url + f"/runs/{run_id}/steps/measure.compute")
    expect(page.locator("#outputs-hidden")).to_contain_text("--no-intermediates")
    assert page.locator("pre.preview").count() == 0
