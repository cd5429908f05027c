"""A run's resources: built from config, handed to solids as `context.resources`, and torn down
afterwards (a teardown that raises is reported, never raised: it cannot change how the run
ended)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace
from typing import Any

from dagster_core.definitions.resource import InitResourceContext
from dagster_core.errors import DagsterResourceFunctionError, DagsterUnknownResourceError
from dagster_core.execution.context import RunContext

TeardownErrorHandler = Callable[[str, Exception], None]


class ScopedResources(SimpleNamespace):
    """`context.resources`: the resources a solid requires, as attributes. Any other name raises
    DagsterUnknownResourceError, naming the resources the solid has."""

    def __getattr__(self, name: str) -> Any:
        held = ", ".join(f"'{key}'" for key in sorted(vars(self))) or "none"
        raise DagsterUnknownResourceError(
            name,
            f"Unknown resource '{name}': the solid requires only these resources: {held}. Add "
            f"'{name}' to the solid's required_resource_keys (and to its mode's resource_defs)",
        )


@contextmanager
def build_resources(
    ctx: RunContext, on_teardown_error: TeardownErrorHandler
) -> Iterator[dict[str, Any]]:
    """Build the resources that the run's steps require, from the run's mode and config; on
    exit, tear down those that yielded, passing each teardown error to `on_teardown_error`."""
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
                    value = stack.enter_context(_generator_resource(value, key, on_teardown_error))
            except DagsterResourceFunctionError:
                raise
            except Exception as exc:
                raise DagsterResourceFunctionError(
                    f"Error initializing resource '{key}': {type(exc).__name__}: {exc}"
                ) from exc
            built[key] = value
        yield built


@contextmanager
def _generator_resource(
    gen: Iterator[Any], key: str, on_teardown_error: TeardownErrorHandler
) -> Iterator[Any]:
    try:
        value = next(gen)
    except StopIteration:
        raise DagsterResourceFunctionError(
            f"Resource '{key}' is a generator that yielded nothing: it must yield its value once"
        ) from None
    try:
        yield value
    finally:
        try:
            for _ in gen:
                raise DagsterResourceFunctionError(
                    f"Resource '{key}' yielded more than once: it must yield its value once"
                )
        except Exception as exc:
            on_teardown_error(key, exc)
