"""Dask clusters from run config: a new LocalCluster, an existing scheduler, or any cluster class.

A cluster made for a run (local or custom) is closed with the run. A client on an existing
scheduler is kept for this process's later runs on the same address, as a Dask user keeps one
`Client` open: connecting and closing cost each run tens of milliseconds (a scheduler
handshake, a thread for the client's event loop). Runs sharing it release their own futures
when they end; it is replaced once it lost its scheduler, and closed when the process exits.
"""

from __future__ import annotations

import atexit
import importlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from distributed import Client, LocalCluster

from dagster_core.errors import DagsterError


class DagsterDaskError(DagsterError):
    """The Dask cluster could not be created, reached or used."""


@dataclass(frozen=True)
class ClusterChoice:
    """The cluster a run's config chooses: `kind` (local, existing or custom), its settings,
    and where in the run config they are (`config_path`), for error messages."""

    kind: str
    config: Mapping[str, Any]
    config_path: tuple[str, ...]

    def where(self, key: str) -> str:
        """The run config path of one of the settings, e.g. `execution.dask.address`."""
        return ".".join((*self.config_path, key))


def read_scheduler_file(path: str) -> str:
    """The scheduler address in the JSON file `dask scheduler --scheduler-file PATH` writes."""
    try:
        with open(path) as f:
            address = json.load(f)["address"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DagsterDaskError(
            f'"{path}" is not a Dask scheduler file ({type(exc).__name__}: {exc}): expected the '
            "JSON file that `dask scheduler --scheduler-file PATH` writes"
        ) from None
    if not isinstance(address, str):
        raise DagsterDaskError(f'"{path}" names no scheduler address: its "address" is {address!r}')
    return address


def _local(config: Mapping[str, Any]) -> LocalCluster:
    return LocalCluster(
        n_workers=config.get("n_workers"),
        threads_per_worker=config.get("threads_per_worker", 1),
        processes=config.get("processes", True),
        dashboard_address=config.get("dashboard_address", ":0"),
        host="127.0.0.1",
        silence_logs=logging.ERROR,
    )


def _custom(choice: ClusterChoice) -> Any:
    module_name, class_name = choice.config["module"], choice.config["class"]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        package = module_name.split(".")[0].replace("_", "-")
        raise DagsterDaskError(
            f"{choice.where('module')}: cannot import '{module_name}' ({exc}); "
            f"install the package that provides it, e.g. `pip install {package}`"
        ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise DagsterDaskError(f"{choice.where('class')}: '{module_name}' has no '{class_name}'")
    return cls(**dict(choice.config.get("kwargs") or {}))


_shared: dict[str, Client] = {}  # by scheduler address
_shared_lock = threading.Lock()


def _existing(choice: ClusterChoice) -> Client:
    """This process's client on the scheduler at the chosen address, or the one its scheduler
    file names; connected now if it has none that is running."""
    config = choice.config
    if config.get("scheduler_file"):
        setting = "scheduler_file"
        try:
            address = read_scheduler_file(config["scheduler_file"])
        except DagsterDaskError as exc:
            raise DagsterDaskError(f"{choice.where(setting)}: {exc}") from None
    else:
        setting, address = "address", config["address"]
    timeout = config["timeout"]
    with _shared_lock:
        client = _shared.get(address)
    if client is not None and client.status == "running":
        return client
    try:
        connected = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise DagsterDaskError(
            f"Could not reach the Dask scheduler at {address} within {timeout}s "
            f"({choice.where(setting)}): {exc}"
        ) from None
    with _shared_lock:
        client = _shared.get(address)
        if client is not None and client.status == "running":  # another run connected first
            unused = connected
        else:  # the first, or one that lost its scheduler
            unused, client = client, connected
            _shared[address] = client
    if unused is not None:
        unused.close()
    return client


@atexit.register
def _close_shared() -> None:
    """Close the kept clients as the process exits. One whose scheduler went away is still
    trying to reconnect, and closing it ends that with a traceback in distributed's log,
    which at exit tells the user nothing: that log is off for these closes."""
    with _shared_lock:
        clients = list(_shared.values())
        _shared.clear()
    log = logging.getLogger("distributed.client")
    was, log.disabled = log.disabled, True
    try:
        for client in clients:
            client.close()
    finally:
        log.disabled = was


@contextmanager
def dask_client(choice: ClusterChoice, adapt: Mapping[str, Any] | None) -> Iterator[Client]:
    """A client on the chosen cluster; a cluster made here is closed afterwards, an existing
    scheduler is left running and its client kept for the next run."""
    with ExitStack() as stack:
        if choice.kind == "existing":
            client = _existing(choice)
        else:
            cluster = _local(choice.config) if choice.kind == "local" else _custom(choice)
            stack.callback(cluster.close)
            if adapt:
                cluster.adapt(minimum=adapt["minimum"], maximum=adapt["maximum"])
            client = Client(cluster, set_as_default=False)
            stack.callback(client.close)
        yield client
