"""The throughput suite runs end to end in --quick mode, Dask path included, and writes its report.
A smoke test only: timings vary too much between machines to assert on them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_wide_run_writes_json_and_html(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--only",
            "wide",
            "--output-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    (results,) = tmp_path.glob("*.json")
    records = json.loads(results.read_text())
    assert {r["workload"] for r in records} == {"cluster", "wide"}
    wide_executors = {r["executor"] for r in records if r["workload"] == "wide"}
    assert wide_executors == {"in_process", "multiprocess", "dask"}
    assert results.with_suffix(".html").stat().st_size > 0
    assert "| wide | dask | filesystem | sqlite |" in completed.stdout


@pytest.mark.slow
def test_quick_graphql_workload_measures_a_real_server(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "graphql",
         "--output-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    (results,) = tmp_path.glob("*.json")
    phases = {r["phase"] for r in json.loads(results.read_text()) if r["workload"] == "graphql"}
    assert phases == {
        "version",
        "run with its events",
        "page of 50 runs",
        "event stored -> subscriber",
    }


@pytest.mark.slow
def test_quick_webui_workload_times_pages_in_a_real_browser(tmp_path):
    if not shutil.which("chromium"):  # the workload needs Debian's chromium, as tests/webui do
        reason = "no chromium: `make chromium` installs Debian's package"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "webui",
         "--output-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    (results,) = tmp_path.glob("*.json")
    records = [r for r in json.loads(results.read_text()) if r["workload"] == "webui"]
    assert {r["phase"] for r in records} == {
        "pipelines page (floor)",
        "explorer, 500 solids, first visit",
        "explorer, 500 solids",
        "run view, 1000 steps",
        "run view, 1000 steps, with log rows",
    }
    assert all(r["ratio"] for r in records if r["phase"] != "pipelines page (floor)")
