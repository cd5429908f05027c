"""Steps' stdout and stderr in local files: each step's own output, however runs and processes
share the files."""

from __future__ import annotations

import json
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


def test_logs_kept_by_an_earlier_version_read_back(tmp_path):
    """An instance's compute logs outlive upgrades: index lines as json.dumps wrote them."""
    directory = tmp_path / "run-1" / "compute_logs"
    directory.mkdir(parents=True)
    (directory / "host-1.out").write_text("before\nmine\n")
    (directory / "host-1.err").write_text("")
    notes = [
        {"step": "a", "mark": "start", "time": 1.0, "out": 7, "err": 0},
        {"step": "a", "mark": "end", "time": 2.0, "out": 12, "err": 0},
    ]
    (directory / "host-1.index").write_text("".join(json.dumps(n) + "\n" for n in notes))
    manager = LocalComputeLogManager(str(tmp_path))
    assert manager.read_logs("run-1", "a").stdout == "mine\n"
    with manager.capture("run-1", "b"):
        _say("new")
    manager.close_run("run-1")
    assert manager.read_logs("run-1", "b").stdout == "new\n"
    assert manager.read_logs("run-1", "a").stdout == "mine\n"
