"""Filesystem backends: intermediates as pickle files, written atomically."""

from __future__ import annotations

import os
import pickle
import tempfile
from typing import Any

from dagster_core.storage.intermediates import IntermediateStore


class FilesystemIntermediateStore(IntermediateStore):
    """Each output at `<base_dir>/<run_id>/intermediates/<step_key>/<output_name>`, pickle protocol 5.

    A value is written to a temporary file and renamed into place, so a crash never leaves a
    half-written output behind and readers see either nothing or the whole value.
    """

    is_persistent = True

    def __init__(self, base_dir: str):
        self.base_dir = os.path.abspath(base_dir)

    def _path(self, run_id: str, step_key: str, output_name: str) -> str:
        return os.path.join(self.base_dir, run_id, "intermediates", step_key, output_name)

    def set_output(self, run_id: str, step_key: str, output_name: str, value: Any) -> str:
        path = self._path(run_id, step_key, output_name)
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{output_name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=5)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return path

    def get_output(self, run_id: str, step_key: str, output_name: str) -> Any:
        with open(self._path(run_id, step_key, output_name), "rb") as f:
            return pickle.load(f)

    def has_output(self, run_id: str, step_key: str, output_name: str) -> bool:
        return os.path.exists(self._path(run_id, step_key, output_name))
