"""PresetDefinition: a named run config (and mode, and solid subset) shipped with a pipeline."""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from dagster_core.config.yaml_files import load_yaml_files
from dagster_core.errors import DagsterInvalidDefinitionError


class PresetDefinition:
    """Run config given inline, or read from YAML files when the preset is defined."""

    def __init__(
        self,
        name: str,
        environment_dict: Mapping[str, Any] | None = None,
        solid_subset: Sequence[str] | None = None,
        mode: str | None = None,
    ):
        self.name = name
        self.environment_dict = dict(environment_dict or {})
        self.solid_subset = None if solid_subset is None else list(solid_subset)
        self.mode = mode or "default"

    @staticmethod
    def from_files(
        name: str,
        environment_files: Sequence[str] | None = None,
        solid_subset: Sequence[str] | None = None,
        mode: str | None = None,
    ) -> PresetDefinition:
        """A preset whose run config is these files (paths or glob patterns), read now and merged
        in order, later files winning; a path that matches no file is a definition error."""
        paths: list[str] = []
        for pattern in environment_files or ():
            matches = sorted(glob.glob(pattern))
            if not matches:
                raise DagsterInvalidDefinitionError(
                    f"Preset '{name}': environment file {pattern!r} does not exist (looked for "
                    f"{os.path.abspath(pattern)}); build paths next to your code with "
                    "file_relative_path(__file__, 'config.yaml')"
                )
            paths.extend(path for path in matches if path not in paths)
        return PresetDefinition(name, load_yaml_files(paths), solid_subset, mode)

    def get_environment_yaml(self) -> str:
        """The run config as YAML, e.g. to show or to save as a file for `-e`."""
        return yaml.safe_dump(self.environment_dict, default_flow_style=False)

    def __repr__(self) -> str:
        return f"<PresetDefinition {self.name}>"
