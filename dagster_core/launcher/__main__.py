"""The process ChildProcessRunLauncher starts: reads its LaunchPayload from stdin and drives the
run to its end (`execute_run_iterator`); exit status 0 when the run succeeded."""

from __future__ import annotations

import pickle
import sys

import cloudpickle

from dagster_core.errors import DagsterRunNotFoundError
from dagster_core.events import ErrorInfo
from dagster_core.execution import execute_run_iterator
from dagster_core.instance import DagsterInstance
from dagster_core.launcher import LaunchPayload, fail_unstarted_run
from dagster_core.storage import PipelineRunStatus


def main() -> int:
    payload: LaunchPayload = pickle.load(sys.stdin.buffer)
    instance = DagsterInstance.from_ref(payload.instance_ref)
    try:
        pipeline, environment_dict = cloudpickle.loads(payload.definitions)
        run = instance.get_run_by_id(payload.run_id)
        if run is None:
            raise DagsterRunNotFoundError(f"Run {payload.run_id} is not in {instance.source}")
        for _event in execute_run_iterator(pipeline, run, instance, environment_dict):
            pass
    except Exception as exc:
        fail_unstarted_run(instance, payload.run_id, str(exc), ErrorInfo.from_exception(exc))
        raise
    finally:
        ended = instance.get_run_by_id(payload.run_id)
        instance.dispose()
    return 0 if ended is not None and ended.status is PipelineRunStatus.SUCCESS else 1


if __name__ == "__main__":
    sys.exit(main())
