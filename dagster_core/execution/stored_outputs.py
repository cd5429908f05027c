"""A step's stored outputs, read back after its run for people to inspect them.

Which outputs a step stored comes from its STEP_OUTPUT events; where, from the run's own
`storage:` config, resolved as the run resolved it (the filesystem directory or S3 bucket it
named), with the instance the reader holds. A value larger than MAX_PREVIEW_BYTES is not loaded;
one that cannot be read (gone, or of a class this process cannot import) gets the reason instead
of a preview. Outputs of a run with non-persistent storage (in_memory) were never stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.execution.api import executor_defs_for
from dagster_core.execution.run_config import resolve_storage
from dagster_core.instance import DagsterInstance
from dagster_core.redact import redact_text
from dagster_core.storage.intermediates import IntermediateStore
from dagster_core.storage.previews import preview_value
from dagster_core.storage.runs import PipelineRun
from dagster_core.storage.system_storage import InitSystemStorageContext

MAX_PREVIEW_BYTES = 64 * 2**20


@dataclass(frozen=True)
class StoredOutput:
    """One output of a step: `size_bytes` as stored (None if the store cannot say), and either
    a `preview` or the `preview_error` saying why there is none."""

    name: str
    type_name: str
    location: str | None
    size_bytes: int | None
    preview: str | None
    preview_error: str | None


@dataclass(frozen=True)
class StepOutputs:
    """The outputs a step stored, in the order it yielded them; `is_persistent` False means the
    run's storage (`storage_name`) kept them in memory only, and `outputs` is empty."""

    storage_name: str
    is_persistent: bool
    outputs: tuple[StoredOutput, ...]


def read_step_outputs(
    pipeline: PipelineDefinition,
    run: PipelineRun,
    events: Sequence[DagsterEvent],
    step_key: str,
    instance: DagsterInstance,
) -> StepOutputs:
    """The outputs `step_key` of `run` (a run of `pipeline`, whose `events` these are) stored."""
    runnable = pipeline.build_sub_pipeline(run.solid_subset)
    mode = runnable.get_mode(run.mode)
    storage_def, storage_config = resolve_storage(
        runnable, mode, executor_defs_for(mode), run.environment_dict
    )
    if not storage_def.is_persistent:
        return StepOutputs(storage_def.name, False, ())
    store = storage_def.creation_fn(InitSystemStorageContext(storage_config, instance))
    locations = {
        event.data["step_output"].output_name: event.data.get("location")
        for event in events
        if event.step_key == step_key
        and event.event_type is DagsterEventType.OBJECT_STORE_OPERATION
        and event.data.get("op") == "set"
    }
    outputs = []
    for event in events:
        if event.step_key != step_key or event.event_type is not DagsterEventType.STEP_OUTPUT:
            continue
        name = event.data["output_name"]
        solid = runnable.solids_by_handle.get(event.solid_name or "")
        output_def = solid.output_dict.get(name) if solid is not None else None
        strategy = output_def.dagster_type.serialization_strategy if output_def else None
        size, preview, error = _read(store, run.run_id, step_key, name, strategy)
        outputs.append(
            StoredOutput(name, event.data["type_name"], locations.get(name), size, preview, error)
        )
    return StepOutputs(storage_def.name, True, tuple(outputs))


def _read(
    store: IntermediateStore, run_id: str, step_key: str, name: str, strategy: object
) -> tuple[int | None, str | None, str | None]:
    """(size, preview, None), or (size, None, why there is no preview)."""
    try:
        size = store.output_size(run_id, step_key, name)
    except Exception as exc:
        return None, None, _reason("The stored value cannot be found", exc)
    if size is not None and size > MAX_PREVIEW_BYTES:
        return size, None, f"Not previewed: {size} bytes is over {MAX_PREVIEW_BYTES}"
    try:
        value = store.get_output(run_id, step_key, name, strategy)  # type: ignore[arg-type]
    except Exception as exc:
        return size, None, _reason("The stored value cannot be read here", exc)
    return size, preview_value(value), None


def _reason(what: str, exc: BaseException) -> str:
    return redact_text(f"{what}: {type(exc).__name__}: {exc}")
