"""Writing a ready Airflow DAG file for a pipeline (`dagster airflow scaffold`).

The file names the pipeline's code by absolute path (or module), holds the run config as given
(`{env: NAME}` values stay references) with filesystem storage added when the config names no
storage, as the seed did, and the instance as an `InstanceRef` literal whose `{env: NAME}` values
also stay references: Airflow's processes do not inherit the shell's DAGSTER_HOME, and the file
must hold no secret. The DAG is compiled once here, so bad config fails now, not in Airflow.
"""

from __future__ import annotations

import os
import pprint
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster_core.airflow.compile import compile_airflow_dag, instance_ref_for_dag
from dagster_core.definitions.handle import ExecutionTargetHandle, load_pipeline
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.instance import DagsterInstance, InstanceRef

_DEFAULT_STORAGE = {"filesystem": {}}


@dataclass(frozen=True)
class ScaffoldedDag:
    """A DAG file's id and Python source."""

    dag_id: str
    source: str


def _literal(value: Any, indent: int) -> str:
    text = pprint.pformat(value, indent=1, width=96 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def _ref_source(ref: InstanceRef) -> str:
    parts = "".join(
        f"        {part!r}: ClassSpec(\n"
        f"            {spec.module!r},\n"
        f"            {spec.class_name!r},\n"
        f"            {_literal(dict(spec.config), 12)},\n"
        "        ),\n"
        for part, spec in ref.parts.items()
    )
    return (
        "InstanceRef(\n"
        f"    parts={{\n{parts}    }},\n"
        f"    source={ref.source!r},\n"
        f"    is_persistent={ref.is_persistent!r},\n"
        f"    dead_after_seconds={ref.dead_after_seconds!r},\n"
        f"    home={ref.home!r},\n"
        ")"
    )


def scaffold_airflow_dag(
    handle: ExecutionTargetHandle,
    pipeline_name: str | None = None,
    environment_dict: Mapping[str, Any] | None = None,
    mode: str | None = None,
    preset: str | None = None,
    dag_id: str | None = None,
    instance: DagsterInstance | None = None,
) -> ScaffoldedDag:
    """The DAG file for pipeline `pipeline_name` (or the only one) of the code `handle` names,
    with this run config (or `preset`'s), recording runs in `instance` (default: the one
    DAGSTER_HOME names)."""
    code = handle.resolved().absolute()
    pipeline = load_pipeline(code, pipeline_name)
    if preset is not None:
        if environment_dict is not None or mode is not None:
            raise DagsterInvariantViolationError(
                f"Preset '{preset}' sets the run config and mode: give either a preset or "
                "run config files and a mode, not both"
            )
        preset_def = pipeline.get_preset(preset)
        if preset_def.solid_subset is not None:
            raise DagsterInvariantViolationError(
                f"Preset '{preset}' runs a subset of the solids, which an Airflow DAG of "
                f"pipeline '{pipeline.name}' does not: use run config files (-e) instead"
            )
        environment_dict, mode = preset_def.environment_dict, preset_def.mode
    environment_dict = dict(environment_dict or {})
    environment_dict.setdefault("storage", _DEFAULT_STORAGE)
    instance = instance or DagsterInstance.get()
    ref = instance_ref_for_dag(instance)
    spec = compile_airflow_dag(pipeline, environment_dict, mode, instance, dag_id)
    where = (
        f"python_file={code.python_file!r}"
        if code.python_file
        else f"module_name={code.module_name!r}"
    )
    fn = f"\n    fn_name={code.fn_name!r}," if code.fn_name else ""
    mode_name = pipeline.get_mode(mode).name
    source = f'''"""Airflow DAG {spec.dag_id!r}: pipeline {pipeline.name!r}, one task per step.

Written by `dagster airflow scaffold`; runs are recorded in the instance below (see the
project's docs/airflow.md). Values written {{"env": NAME}} are read from the environment of the
Airflow processes that parse this file and run its tasks.
"""

from dagster_core.airflow import make_airflow_dag
from dagster_core.instance import InstanceRef
from dagster_core.instance.config import ClassSpec

ENVIRONMENT_DICT = {_literal(environment_dict, 0)}

INSTANCE = {_ref_source(ref)}

dag, tasks = make_airflow_dag(
    {where},
    pipeline_name={pipeline.name!r},{fn}
    environment_dict=ENVIRONMENT_DICT,
    mode={mode_name!r},
    instance=INSTANCE,
    dag_id={spec.dag_id!r},
)
'''
    return ScaffoldedDag(spec.dag_id, source)


def write_airflow_dag(scaffolded: ScaffoldedDag, dags_folder: str) -> str:
    """Write the DAG file into `dags_folder` as `<dag_id>.py`; its path."""
    os.makedirs(dags_folder, exist_ok=True)
    path = os.path.join(dags_folder, f"{scaffolded.dag_id}.py")
    with open(path, "w") as f:
        f.write(scaffolded.source)
    return path
