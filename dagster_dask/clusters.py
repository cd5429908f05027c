"""Dask clusters from run config: a new LocalCluster, an existing scheduler, or any cluster class."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from distributed import Client, LocalCluster

from dagster_core.errors import DagsterError


class DagsterDaskError(DagsterError):
    """The Dask cluster could not be created, reached or used."""


def _local(config: Mapping[str, Any]) -> LocalCluster:
    return LocalCluster(
        n_workers=config.get("n_workers"),
        threads_per_worker=config.get("threads_per_worker", 1),
        processes=config.get("processes", True),
        dashboard_address=config.get("dashboard_address", ":0"),
        host="127.0.0.1",
        silence_logs=logging.ERROR,
    )


def _custom(config: Mapping[str, Any]) -> Any:
    module_name, class_name = config["module"], config["class"]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        package = module_name.split(".")[0].replace("_", "-")
        raise DagsterDaskError(
            f"execution.dask.cluster.custom.module: cannot import '{module_name}' ({exc}); "
            f"install the package that provides it, e.g. `pip install {package}`"
        ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise DagsterDaskError(
            f"execution.dask.cluster.custom.class: '{module_name}' has no '{class_name}'"
        )
    return cls(**dict(config.get("kwargs") or {}))


@contextmanager
def dask_client(
    cluster_config: Mapping[str, Any], adapt: Mapping[str, Any] | None
) -> Iterator[Client]:
    """A client on the configured cluster; a cluster made here is closed afterwards, an existing
    scheduler is left running."""
    ((kind, config),) = cluster_config.items()
    config = config or {}
    with ExitStack() as stack:
        if kind == "existing":
            address, timeout = config["address"], config["timeout"]
            try:
                client = Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise DagsterDaskError(
                    f"Could not reach the Dask scheduler at {address} within {timeout}s "
                    f"(execution.dask.cluster.existing.address): {exc}"
                ) from None
            stack.callback(client.close)
        else:
            cluster = _local(config) if kind == "local" else _custom(config)
            stack.callback(cluster.close)
            if adapt:
                cluster.adapt(minimum=adapt["minimum"], maximum=adapt["maximum"])
            client = Client(cluster, set_as_default=False)
            stack.callback(client.close)
        yield client
