"""What a solid's compute function yields or raises to talk to the framework."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dagster_core.serdes import whitelist_for_serdes


@dataclass(frozen=True)
class Output:
    """A value for one of the solid's outputs (`result` unless named)."""

    value: Any
    output_name: str = "result"


@whitelist_for_serdes
@dataclass(frozen=True)
class Materialization:
    """A record that the solid wrote something durable outside the framework (a table, a file)."""

    label: str
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def file(path: str, description: str | None = None) -> Materialization:
        """The solid wrote the file at `path`: labelled with the file's name, path in metadata."""
        return Materialization(
            os.path.basename(os.path.normpath(path)), description, {"path": path}
        )


@whitelist_for_serdes
@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of a data-quality check the solid made."""

    success: bool
    label: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


class Failure(Exception):
    """Raise to fail the step with this description (and metadata) rather than a traceback."""

    def __init__(self, description: str | None = None, metadata: Mapping[str, Any] | None = None):
        super().__init__(description)
        self.description = description
        self.metadata = dict(metadata or {})


class RetryRequested(Exception):
    """Raise to run the step again, up to `max_retries` times, `seconds_to_wait` apart."""

    def __init__(self, max_retries: int = 1, seconds_to_wait: float = 0):
        super().__init__(f"retry requested (max_retries={max_retries})")
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait
