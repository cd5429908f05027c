"""check_dagster_type: run a type's check on a value outside any pipeline (for tests)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from dagster_core.definitions.events import TypeCheck
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.types.dagster_type import TypeCheckContext
from dagster_core.types.wrapping import resolve_dagster_type


def check_dagster_type(dagster_type: object, value: object) -> TypeCheck:
    """The TypeCheck of `value` against `dagster_type` (anything usable as a type); a type whose
    check needs resources can only be checked in a run."""
    resolved = resolve_dagster_type(dagster_type)
    if resolved.required_resource_keys:
        raise DagsterInvariantViolationError(
            f"DagsterType {resolved.name} requires resource(s) "
            f"{', '.join(sorted(resolved.required_resource_keys))}: check it inside a run "
            "(execute_solid with resources=...) instead of with check_dagster_type"
        )
    context = TypeCheckContext(
        run_id="", resources=SimpleNamespace(), log=logging.getLogger("dagster_core")
    )
    return resolved.type_check(context, value)
