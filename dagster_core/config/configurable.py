"""ConfigurableClass: a class that dagster.yaml names by module/class and builds from config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self


class ConfigurableClass:
    """Declares the schema of its config; is built from config validated against it."""

    @classmethod
    def config_schema(cls) -> object:
        """The config schema (anything `Field` accepts); no config by default."""
        return {}

    @classmethod
    def from_config_value(cls, config_value: Mapping[str, Any]) -> Self:
        """Build an instance from validated config; by default the config is the keyword args."""
        return cls(**config_value)
