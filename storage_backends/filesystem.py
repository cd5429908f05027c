"""Filesystem backends: intermediates as pickle files written atomically; compute logs as files."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster_core.config import ConfigString, Field
from dagster_core.storage.compute_logs import ComputeLogManager, ComputeLogs
from dagster_core.storage.intermediates import IntermediateStore
from dagster_core.user_code import dump_value, load_value


class FilesystemIntermediateStore(IntermediateStore):
    """Each output at `<base_dir>/<run_id>/intermediates/<step_key>/<output_name>`, pickled by
    user_code.dump_value (cloudpickle, protocol 5), so that instances of the user's classes, which
    workers hold by value, pickle where their module cannot be imported.

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
                dump_value(value, f, self._user_classes)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return path

    def get_output(self, run_id: str, step_key: str, output_name: str) -> Any:
        with open(self._path(run_id, step_key, output_name), "rb") as f:
            return load_value(f, self._user_classes)

    def has_output(self, run_id: str, step_key: str, output_name: str) -> bool:
        return os.path.exists(self._path(run_id, step_key, output_name))


class LocalComputeLogManager(ComputeLogManager):
    """Each step's stdout and stderr in `<base_dir>/<run_id>/compute_logs/<step_key>.out|.err`.

    File descriptors 1 and 2 are redirected, so output from C extensions and subprocesses is
    captured too; the files can be read while the step runs.
    """

    def __init__(self, base_dir: str):
        self.base_dir = os.path.abspath(base_dir)
        self._made: set[str] = set()

    @classmethod
    def config_schema(cls) -> object:
        return {"base_dir": Field(ConfigString)}

    def __getstate__(self) -> dict:
        return {"base_dir": self.base_dir, "_made": set()}

    def path(self, run_id: str, step_key: str, ext: str) -> str:
        """Where the step's `out` or `err` file is."""
        return os.path.join(self.base_dir, run_id, "compute_logs", f"{step_key}.{ext}")

    @contextmanager
    def capture(self, run_id: str, step_key: str) -> Iterator[None]:
        directory = os.path.dirname(self.path(run_id, step_key, "out"))
        if directory not in self._made:  # once per run and process
            os.makedirs(directory, exist_ok=True)
            self._made.add(directory)
        with (
            open(self.path(run_id, step_key, "out"), "a", buffering=1) as out,
            open(self.path(run_id, step_key, "err"), "a", buffering=1) as err,
            _redirect(sys.stdout, 1, out, "stdout"),
            _redirect(sys.stderr, 2, err, "stderr"),
        ):
            yield

    def read_logs(self, run_id: str, step_key: str) -> ComputeLogs:
        def read(ext: str) -> str:
            try:
                with open(self.path(run_id, step_key, ext), errors="replace") as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        return ComputeLogs(read("out"), read("err"))


@contextmanager
def _redirect(stream: Any, fd: int, target: Any, name: str) -> Iterator[None]:
    """Point file descriptor `fd` and `sys.<name>` at `target` for the duration."""
    stream.flush()
    saved_fd = os.dup(fd)
    saved_stream = getattr(sys, name)
    os.dup2(target.fileno(), fd)
    setattr(sys, name, target)
    try:
        yield
    finally:
        target.flush()
        setattr(sys, name, saved_stream)
        os.dup2(saved_fd, fd)
        os.close(saved_fd)
