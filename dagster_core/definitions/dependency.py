"""The wiring of a pipeline as plain data: which output feeds which input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
    """A use of solid definition `name` in a pipeline, under `alias` when it is used more than once."""

    name: str
    alias: str | None = None
