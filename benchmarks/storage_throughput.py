"""Intermediate store throughput: MB/s writing and reading a 64 MB value through the filesystem and
S3 stores, next to the same bytes written with plain file I/O and boto3, in the same run.

Run with `python -m benchmarks.storage_throughput`; S3 is a moto server started on 127.0.0.1 in a
child process. Prints a Markdown table.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

from storage_backends.filesystem import FilesystemIntermediateStore
from storage_backends.s3 import S3IntermediateStore, s3_client

SIZE = 64 * 2**20
REPEATS = 3
BUCKET = "benchmark"


def make_value() -> tuple[Any, str]:
    """A 64 MB NumPy array, or 64 MB of bytes when NumPy is not installed; and its description."""
    try:
        import numpy as np
    except ImportError:
        return os.urandom(SIZE), "64 MB bytes"
    return np.random.default_rng(0).random(SIZE // 8), "64 MB float64 NumPy array"


def best_seconds(fn: Callable[[], Any]) -> float:
    """The fastest of REPEATS timed calls: the least disturbed by other work on the machine."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server in a child process on a free 127.0.0.1 port; yields its URL."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "moto server did not start: pip install 'moto[server]'"
                    ) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def measure(
    name: str, write: Callable[[], Any], read: Callable[[], Any]
) -> tuple[str, float, float]:
    """(name, write MB/s, read MB/s); the write runs first so the read finds the value."""
    write_s = best_seconds(write)
    read_s = best_seconds(read)
    return name, SIZE / 2**20 / write_s, SIZE / 2**20 / read_s


def main() -> None:
    """Measure every path and print the table."""
    # The moto server accepts any credentials; these keep real ones out of the benchmark.
    os.environ.update(
        AWS_ACCESS_KEY_ID="benchmark",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_PROFILE", None)
    value, description = make_value()
    raw = value if isinstance(value, bytes) else value.tobytes()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, moto_server() as endpoint:
        path = os.path.join(tmp, "plain.bin")

        def plain_write() -> None:
            with open(path, "wb") as f:
                f.write(raw)

        def plain_read() -> bytes:
            with open(path, "rb") as f:
                return f.read()

        rows.append(measure("plain `open().write()` / `read()`", plain_write, plain_read))
        fs_store = FilesystemIntermediateStore(tmp)
        rows.append(
            measure(
                "FilesystemIntermediateStore",
                lambda: fs_store.set_output("run", "step.compute", "result", value),
                lambda: fs_store.get_output("run", "step.compute", "result"),
            )
        )
        client = s3_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        rows.append(
            measure(
                "boto3 `put_object` / `get_object`",
                lambda: client.put_object(Bucket=BUCKET, Key="plain.bin", Body=raw),
                lambda: client.get_object(Bucket=BUCKET, Key="plain.bin")["Body"].read(),
            )
        )
        s3_store = S3IntermediateStore(BUCKET, endpoint_url=endpoint)
        rows.append(
            measure(
                "S3IntermediateStore",
                lambda: s3_store.set_output("run", "step.compute", "result", value),
                lambda: s3_store.get_output("run", "step.compute", "result"),
            )
        )
    print(f"Storage throughput, {description}, best of {REPEATS} (S3 is moto on 127.0.0.1)\n")
    print("| path | write MB/s | read MB/s |")
    print("| --- | ---: | ---: |")
    for name, write_mbps, read_mbps in rows:
        print(f"| {name} | {write_mbps:.0f} | {read_mbps:.0f} |")


if __name__ == "__main__":
    main()
