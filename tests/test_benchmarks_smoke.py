"""The throughput suite runs end to end in --quick mode, Dask path included, and writes its report.
A smoke test only: timings vary too much between machines to assert on them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from missing_service import missing_service

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
    if Path("/proc/stat").exists():
        assert "While the suite ran, this machine's CPU time went" in completed.stdout


def _quick(tmp_path: Path, workload: str) -> set[str]:
    """The phases `python -m benchmarks --quick --only WORKLOAD` recorded for that workload."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", workload,
         "--output-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    (results,) = tmp_path.glob("*.json")
    records = [r for r in json.loads(results.read_text()) if r["workload"] == workload]
    assert all(r["ratio"] for r in records if r["baseline"])
    return {r["phase"] for r in records}


@pytest.mark.slow
def test_quick_graphql_workload_measures_a_real_server(tmp_path):
    assert _quick(tmp_path, "graphql") == {
        "version",
        "run with its events",
        "page of 50 runs",
        "event stored -> subscriber",
    }


@pytest.mark.slow
def test_quick_webui_workload_times_pages_in_a_real_browser(tmp_path):
    if not shutil.which("chromium"):  # the workload needs Debian's chromium, as tests/webui do
        missing_service("no chromium: `make chromium` installs Debian's package")
    assert _quick(tmp_path, "webui") == {
        "pipelines page (floor)",
        "explorer, 500 solids, first visit",
        "explorer, 500 solids",
        "run view, 1000 steps",
        "run view, 1000 steps, with log rows",
    }
