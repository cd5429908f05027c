"""Building a run's resources from config, and tearing generator resources down afterwards."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from dagster_core.definitions.resource import InitResourceContext
from dagster_core.errors import DagsterResourceFunctionError
from dagster_core.execution.context import RunContext


@contextmanager
def build_resources(ctx: RunContext) -> Iterator[dict[str, Any]]:
    """Build the resources that the run's steps require, from the run's mode and config; on
    exit, tear down those that yielded."""
    mode = ctx.pipeline.get_mode(ctx.run.mode)
    keys = set().union(
        *(
            ctx.pipeline.solids_by_handle[s.solid_name].required_resource_keys
            for s in ctx.plan.steps_to_execute
        )
    )
    built: dict[str, Any] = {}
    with ExitStack() as stack:
        for key in sorted(keys):
            init = InitResourceContext(
                resource_config=ctx.environment.resources.get(key, {}).get("config"),
                run_id=ctx.run_id,
                pipeline_name=ctx.pipeline.name,
            )
            try:
                value = mode.resource_defs[key].resource_fn(init)
                if inspect.isgenerator(value):
                    value = stack.enter_context(_generator_resource(value, key))
            except DagsterResourceFunctionError:
                raise
            except Exception as exc:
                raise DagsterResourceFunctionError(
                    f"Error initializing resource '{key}': {type(exc).__name__}: {exc}"
                ) from exc
            built[key] = value
        yield built


@contextmanager
def _generator_resource(gen: Iterator[Any], key: str) -> Iterator[Any]:
    try:
        value = next(gen)
    except StopIteration:
        raise DagsterResourceFunctionError(
            f"Resource '{key}' is a generator that yielded nothing: it must yield its value once"
        ) from None
    try:
        yield value
    finally:
        for _ in gen:
            raise DagsterResourceFunctionError(
                f"Resource '{key}' yielded more than once: it must yield its value once"
            )
