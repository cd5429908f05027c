"""dagster_dask: run a pipeline's execution plan on a Dask cluster chosen by run config."""

from dagster_dask.clusters import DagsterDaskError
from dagster_dask.executor import DaskExecutor, dask_executor

__all__ = ["DagsterDaskError", "DaskExecutor", "dask_executor"]
