"""The benchmark pipelines, built by functions so their size is a parameter, and the baselines that
run the same plain functions without the framework.

The functions below are module level, so child processes and Dask workers import them by reference.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from distributed import Client

from dagster_core import (
    Any as AnyType,
)
from dagster_core import (
    Field,
    InputDefinition,
    Int,
    List,
    ModeDefinition,
    PipelineDefinition,
    default_executors,
    default_system_storage_defs,
    lambda_solid,
    pipeline,
    solid,
)
from dagster_dask import dask_executor
from storage_backends.s3 import s3_system_storage

MODE = ModeDefinition(
    executor_defs=[*default_executors, dask_executor],
    system_storage_defs=[*default_system_storage_defs, s3_system_storage],
)
DATA_PRODUCERS = 4


# -- the plain functions every solid and baseline calls -------------------------------------------


def start() -> int:
    return 1


def noop(x: int) -> int:
    return x


def count(xs: list[int]) -> int:
    return len(xs)


def make_array(size_bytes: int, seed: int) -> np.ndarray:
    """`size_bytes` of float64, all equal to `seed`."""
    return np.full(size_bytes // 8, float(seed))


def total(array: np.ndarray) -> float:
    return float(array.sum())


def add_up(values: list[float]) -> float:
    return sum(values)


# -- solids ---------------------------------------------------------------------------------------

start_solid = lambda_solid(name="start")(start)
noop_solid = lambda_solid(name="noop", input_defs=[InputDefinition("x", Int)])(noop)
count_solid = lambda_solid(name="count", input_defs=[InputDefinition("xs", List[Int])])(count)
total_solid = lambda_solid(name="total", input_defs=[InputDefinition("array", AnyType)])(total)
add_up_solid = lambda_solid(name="add_up", input_defs=[InputDefinition("values", List[AnyType])])(
    add_up
)


@solid(config={"size_bytes": Field(Int), "seed": Field(Int)})
def produce(context: Any) -> np.ndarray:
    """A large array, written to the intermediate store."""
    return make_array(context.solid_config["size_bytes"], context.solid_config["seed"])


# -- pipelines ------------------------------------------------------------------------------------


def wide_pipeline(n: int) -> PipelineDefinition:
    """start -> n no-op solids -> count."""

    @pipeline(name=f"wide_{n}", mode_defs=[MODE])
    def wide() -> None:
        root = start_solid()
        count_solid([noop_solid.alias(f"noop_{i}")(root) for i in range(n)])

    return wide


def chain_pipeline(n: int) -> PipelineDefinition:
    """start -> n no-op solids in sequence."""

    @pipeline(name=f"chain_{n}", mode_defs=[MODE])
    def chain() -> None:
        value = start_solid()
        for i in range(n):
            value = noop_solid.alias(f"noop_{i}")(value)

    return chain


def data_pipeline() -> PipelineDefinition:
    """DATA_PRODUCERS producers of one large array each -> one consumer each -> add_up."""

    @pipeline(name="data", mode_defs=[MODE])
    def data() -> None:
        add_up_solid(
            [
                total_solid.alias(f"total_{i}")(produce.alias(f"produce_{i}")())
                for i in range(DATA_PRODUCERS)
            ]
        )

    return data


def data_solids_config(size_bytes: int) -> dict[str, Any]:
    """The `solids:` run config of the data pipeline: each producer's size and seed."""
    return {
        f"produce_{i}": {"config": {"size_bytes": size_bytes, "seed": i}}
        for i in range(DATA_PRODUCERS)
    }


# -- baselines ------------------------------------------------------------------------------------


def wide_loop(n: int) -> int:
    """The wide pipeline's functions called in a plain loop."""
    root = start()
    return count([noop(root) for _ in range(n)])


def chain_loop(n: int) -> int:
    """The chain pipeline's functions called in a plain loop."""
    value = start()
    for _ in range(n):
        value = noop(value)
    return value


def wide_futures(client: Client, n: int) -> int:
    """The wide graph as raw `distributed` futures."""
    root = client.submit(start, pure=False)
    return client.submit(
        count, [client.submit(noop, root, pure=False) for _ in range(n)], pure=False
    ).result()


def chain_futures(client: Client, n: int) -> int:
    """The chain graph as raw `distributed` futures."""
    value = client.submit(start, pure=False)
    for _ in range(n):
        value = client.submit(noop, value, pure=False)
    return value.result()


Writer = Callable[[str, np.ndarray], None]
Reader = Callable[[str], np.ndarray]


def data_loop(size_bytes: int, write: Writer, read: Reader) -> float:
    """The data pipeline's functions in a plain loop, each array's bytes written and read back
    with `write` and `read` (plain files or boto3) where the pipeline uses its intermediate store."""
    totals = []
    for i in range(DATA_PRODUCERS):
        write(f"produce_{i}", make_array(size_bytes, i))
        totals.append(total(read(f"produce_{i}")))
    return add_up(totals)


def file_io(directory: str) -> tuple[Writer, Reader]:
    """`write` and `read` of raw bytes in plain files in `directory`."""

    def write(name: str, array: np.ndarray) -> None:
        with open(os.path.join(directory, name), "wb") as f:
            f.write(array.data)

    def read(name: str) -> np.ndarray:
        with open(os.path.join(directory, name), "rb") as f:
            return np.frombuffer(f.read())

    return write, read


def boto3_io(client: Any, bucket: str) -> tuple[Writer, Reader]:
    """`write` and `read` of raw bytes with boto3 `put_object` / `get_object`."""

    def write(name: str, array: np.ndarray) -> None:
        client.put_object(Bucket=bucket, Key=f"baseline/{name}", Body=array.tobytes())

    def read(name: str) -> np.ndarray:
        return np.frombuffer(
            client.get_object(Bucket=bucket, Key=f"baseline/{name}")["Body"].read()
        )

    return write, read
