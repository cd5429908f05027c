"""PresetDefinition: a named run config (and mode, and solid subset) shipped with a pipeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster_core.config.yaml_files import load_yaml_files


class PresetDefinition:
    """Run config given inline, or as YAML files read (and merged in order) when the preset is used."""

    def __init__(
        self,
        name: str,
        environment_dict: Mapping[str, Any] | None = None,
        solid_subset: Sequence[str] | None = None,
        mode: str = "default",
        environment_files: Sequence[str] = (),
    ):
        self.name = name
        self._environment_dict = dict(environment_dict or {})
        self.environment_files = tuple(environment_files)
        self.solid_subset = None if solid_subset is None else list(solid_subset)
        self.mode = mode

    @classmethod
    def from_files(
        cls,
        name: str,
        environment_files: Sequence[str],
        solid_subset: Sequence[str] | None = None,
        mode: str = "default",
    ) -> PresetDefinition:
        return cls(name, None, solid_subset, mode, environment_files)

    def get_environment_dict(self) -> dict[str, Any]:
        """The preset's run config; files are read now, so a bad file fails before any work."""
        if not self.environment_files:
            return dict(self._environment_dict)
        return load_yaml_files(self.environment_files)

    def __repr__(self) -> str:
        return f"<PresetDefinition {self.name}>"
