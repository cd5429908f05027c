"""Filesystem backends: intermediates as pickle files written atomically; compute logs as files."""

from __future__ import annotations

import glob
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import orjson

from dagster_core.config import ConfigString, Field
from dagster_core.storage.compute_logs import ComputeLogManager, ComputeLogs
from dagster_core.storage.intermediates import IntermediateStore
from dagster_core.storage.serialization import SerializationStrategy, read_value, write_value


class FilesystemIntermediateStore(IntermediateStore):
    """Each output at `<base_dir>/<run_id>/intermediates/<step_key>/<output_name>`, pickled by
    user_code.dump_value (cloudpickle, protocol 5), so that instances of the user's classes, which
    workers hold by value, pickle where their module cannot be imported; or written with its
    type's SerializationStrategy (storage.serialization).

    A value is written to a temporary file and renamed into place, so a crash never leaves a
    half-written output behind and readers see either nothing or the whole value.
    """

    is_persistent = True

    def __init__(self, base_dir: str):
        self.base_dir = os.path.abspath(base_dir)

    def _path(self, run_id: str, step_key: str, output_name: str) -> str:
        return os.path.join(self.base_dir, run_id, "intermediates", step_key, output_name)

    def set_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        value: Any,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> str:
        path = self._path(run_id, step_key, output_name)
        directory = os.path.dirname(path)
        try:
            os.mkdir(directory)  # a step's first output: its parents exist after the first step
        except FileNotFoundError:
            os.makedirs(directory, exist_ok=True)
        except FileExistsError:
            pass
        tmp = os.path.join(directory, f".{output_name}.{os.urandom(8).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # as mkstemp's
        try:
            with os.fdopen(fd, "wb") as f:
                write_value(value, f, serialization_strategy, self._user_classes)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return path

    def get_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> Any:
        with open(self._path(run_id, step_key, output_name), "rb") as f:
            return read_value(f, serialization_strategy, self._user_classes)

    def has_output(self, run_id: str, step_key: str, output_name: str) -> bool:
        return os.path.exists(self._path(run_id, step_key, output_name))

    def output_size(self, run_id: str, step_key: str, output_name: str) -> int | None:
        return os.path.getsize(self._path(run_id, step_key, output_name))


class LocalComputeLogManager(ComputeLogManager):
    """Steps' stdout and stderr under `<base_dir>/<run_id>/compute_logs/`.

    Each process that runs steps of a run writes their output into one stdout and one stderr file
    of its own (`<host>-<pid>.out|.err`) and notes in `<host>-<pid>.index` where each step's output
    starts and ends in them: files are created once per run and process, not per step, because
    creating files is what capture costs on most disks; they stay open from one step to the next
    until the process is done with the run (`close_run`). `read_logs` joins a step's pieces from
    every process that ran it, in the order its attempts ran; a step still running is read to the
    end of its files. File descriptors 1 and 2 are redirected, so output from C extensions and
    subprocesses is captured too.
    """

    def __init__(self, base_dir: str):
        self.base_dir = os.path.abspath(base_dir)
        self._last = threading.local()  # this thread's last capture, for last_capture
        self._lock = threading.Lock()
        self._open: dict[str, _RunFiles] = {}  # by run id

    @classmethod
    def config_schema(cls) -> object:
        return {"base_dir": Field(ConfigString)}

    def __getstate__(self) -> dict:
        return {"base_dir": self.base_dir}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["base_dir"])

    def _directory(self, run_id: str) -> str:
        return os.path.join(self.base_dir, run_id, "compute_logs")

    def _note(self, index: Any, step_key: str, mark: str, out: Any, err: Any) -> dict:
        """Append where the step's output starts or ends in this process's files."""
        note = {
            "step": step_key,
            "mark": mark,
            "time": time.time(),
            "out": os.fstat(out.fileno()).st_size,
            "err": os.fstat(err.fileno()).st_size,
        }
        index.write(orjson.dumps(note) + b"\n")  # one write: the file is unbuffered
        return note

    @contextmanager
    def _files(self, run_id: str) -> Iterator[_RunFiles]:
        """This process's files of the run, opened (and the run's directory made) once, while a
        capture uses them."""
        with self._lock:
            files = self._open.get(run_id)
            if files is None or files.pid != os.getpid():  # none yet, or a forked parent's
                directory = self._directory(run_id)
                os.makedirs(directory, exist_ok=True)
                stem = os.path.join(directory, f"{socket.gethostname()}-{os.getpid()}")
                files = self._open[run_id] = _RunFiles.open(stem)
            files.users += 1
        try:
            yield files
        finally:
            with self._lock:
                files.users -= 1

    def close_run(self, run_id: str) -> None:
        """Close this process's files of the run, unless a capture is using them."""
        with self._lock:
            files = self._open.get(run_id)
            if files is not None and files.pid == os.getpid() and not files.users:
                del self._open[run_id]
                files.close()

    @contextmanager
    def capture(self, run_id: str, step_key: str) -> Iterator[None]:
        with self._files(run_id) as files:
            out, err, index = files.out, files.err, files.index
            start = self._note(index, step_key, _START, out, err)
            try:
                with (
                    _redirect(sys.stdout, 1, out, "stdout"),
                    _redirect(sys.stderr, 2, err, "stderr"),
                ):
                    yield
            finally:
                end = self._note(index, step_key, _END, out, err)
                self._last.piece = (files.stem, start, end)

    def last_capture(self) -> ComputeLogs:
        """What the last capture in this thread wrote: for a manager that ships it elsewhere."""
        stem, start, end = self._last.piece
        return ComputeLogs(
            _read_piece(stem, "out", start, end), _read_piece(stem, "err", start, end)
        )

    def read_logs(self, run_id: str, step_key: str) -> ComputeLogs:
        pieces: list[tuple[float, str, dict, dict | None]] = []
        for index_path in glob.glob(os.path.join(self._directory(run_id), "*.index")):
            stem = index_path.removesuffix(".index")
            started: dict | None = None
            with open(index_path, "rb") as index:
                for line in index:
                    note = orjson.loads(line)
                    if note["step"] != step_key:
                        continue
                    if note["mark"] == _START:
                        started = note
                    elif started is not None:
                        pieces.append((started["time"], stem, started, note))
                        started = None
            if started is not None:  # still running: to the end of the files
                pieces.append((started["time"], stem, started, None))
        pieces.sort(key=lambda piece: piece[0])
        out = "".join(_read_piece(stem, "out", start, end) for _, stem, start, end in pieces)
        err = "".join(_read_piece(stem, "err", start, end) for _, stem, start, end in pieces)
        return ComputeLogs(out, err)


_START, _END = "start", "end"


@dataclass
class _RunFiles:
    """The stdout, stderr and index files a process appends a run's steps' output to, and how
    many captures are using them."""

    pid: int
    stem: str
    out: IO[str]
    err: IO[str]
    index: IO[bytes]
    users: int = 0

    @classmethod
    def open(cls, stem: str) -> _RunFiles:
        out = open(f"{stem}.out", "a", buffering=1)  # noqa: SIM115 (kept open across steps)
        err = open(f"{stem}.err", "a", buffering=1)  # noqa: SIM115
        index = open(f"{stem}.index", "ab", buffering=0)  # noqa: SIM115
        return cls(os.getpid(), stem, out, err, index)

    def close(self) -> None:
        for f in (self.out, self.err, self.index):
            f.close()


def _read_piece(stem: str, ext: str, start: dict, end: dict | None) -> str:
    with open(f"{stem}.{ext}", "rb") as f:
        f.seek(start[ext])
        data = f.read() if end is None else f.read(end[ext] - start[ext])
    return data.decode(errors="replace")


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
