"""What every resolver reads: the instance, the user's code (loaded once per server), and
whether this caller may change anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dagster_core.definitions.handle import ExecutionTargetHandle
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.repository import RepositoryDefinition
from dagster_core.instance import DagsterInstance


@dataclass(frozen=True)
class Workspace:
    """The user's definitions that the API serves: a repository, and where it was loaded from
    (None for one built in this process)."""

    repository: RepositoryDefinition
    handle: ExecutionTargetHandle | None = None

    @classmethod
    def load(cls, handle: ExecutionTargetHandle) -> Workspace:
        """Load the code `handle` names (mistakes in it raise here, before anything is served)."""
        return cls(handle.build_repository_definition(), handle)

    @classmethod
    def of(cls, *pipelines: PipelineDefinition) -> Workspace:
        """A workspace of these pipelines, for code that builds its own."""
        return cls(RepositoryDefinition("<<in-process>>", pipeline_defs=list(pipelines)))


@dataclass(frozen=True)
class GraphQLContext:
    """One request's view: `can_write` is False on a read-only server, and for a caller without
    the server's token when it has one; `show_intermediates` is False on a server that must not
    show stored outputs (`dagit --no-intermediates`)."""

    instance: DagsterInstance
    workspace: Workspace
    can_write: bool = True
    show_intermediates: bool = True
    # this request's (or websocket connection's) DataLoaders, by name, made on first use
    loaders: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
