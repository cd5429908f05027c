"""The wiring of a pipeline as plain data: which output feeds which input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DependencyDefinition:
    """An input fed by one output of another solid."""

    solid: str
    output: str = "result"


@dataclass(frozen=True, init=False)
class MultiDependencyDefinition:
    """A fan-in input fed by a list of outputs, in order."""

    dependencies: tuple[DependencyDefinition, ...]

    def __init__(self, dependencies: Sequence[DependencyDefinition]):
        object.__setattr__(self, "dependencies", tuple(dependencies))


@dataclass(frozen=True)
class SolidInvocation:
    """A use of solid definition `name` in a pipeline, under `alias` when it is used more than once,
    with `tags` of this use over the definition's own (`{"dask/resources": {"GPU": 1}}` for one
    use of a solid)."""

    name: str
    alias: str | None = None
    tags: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
