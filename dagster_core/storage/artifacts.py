"""LocalArtifactStorage: the instance's directory for files (intermediates, logs)."""

from __future__ import annotations

import os

from dagster_core.config import ConfigString, Field
from dagster_core.config.configurable import ConfigurableClass


class LocalArtifactStorage(ConfigurableClass):
    """A base directory; intermediates of filesystem storage default to `<base_dir>/storage`."""

    @classmethod
    def config_schema(cls) -> object:
        return {"base_dir": Field(ConfigString)}

    def __init__(self, base_dir: str):
        self.base_dir = os.path.abspath(base_dir)

    @property
    def storage_dir(self) -> str:
        return os.path.join(self.base_dir, "storage")
