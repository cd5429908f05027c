"""What every storage (runs, events, schedules) has besides its own records."""

from __future__ import annotations

from abc import ABC

from dagster_core.config.configurable import ConfigurableClass


class Storage(ABC, ConfigurableClass):
    """A storage dagster.yaml can name; it may hold connections and a versioned schema."""

    def dispose(self) -> None:
        """Release connections and stop background threads."""

    def upgrade(self) -> str | None:
        """Bring the schema up to this version without losing rows; returns the schema version
        (None for storage without a schema)."""
        return None
