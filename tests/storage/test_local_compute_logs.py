"""Steps' stdout and stderr in local files: each step's own output, however runs and processes
share the files."""

from __future__ import annotations

import os
import sys

from storage_backends.filesystem import LocalComputeLogManager


def _say(text: str) -> None:
    print(text)
    os.write(2, f"{text} (fd 2)\n".encode())  # as a C extension or a subprocess would
    sys.stdout.flush()


def test_each_step_reads_back_its_own_output_across_runs(tmp_path):
    manager = LocalComputeLogManager(str(tmp_path))
    for run_id in ("run-1", "run-2", "run-1"):
        for step in ("a", "b"):
            with manager.capture(run_id, step):
                _say(f"{run_id} {step}")
    manager.close_run("run-1")
    manager.close_run("run-2")
    assert manager.read_logs("run-1", "a").stdout == "run-1 a\nrun-1 a\n"
    assert manager.read_logs("run-2", "b").stderr == "run-2 b (fd 2)\n"


def test_a_run_closed_by_one_session_while_another_captures_keeps_capturing(tmp_path):
    manager = LocalComputeLogManager(str(tmp_path))
    with manager.capture("run-1", "a"):
        manager.close_run("run-1")  # another session of the run in this process is done
        _say("still here")
    with manager.capture("run-1", "b"):
        _say("and here")
    manager.close_run("run-1")
    assert manager.read_logs("run-1", "a").stdout == "still here\n"
    assert manager.read_logs("run-1", "b").stdout == "and here\n"
