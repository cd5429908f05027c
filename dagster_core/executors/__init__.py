"""Executors: where and in what order the steps of a plan run."""

from dagster_core.executors.in_process import in_process_executor
from dagster_core.executors.multiprocess import multiprocess_executor

default_executors = [in_process_executor, multiprocess_executor]

__all__ = ["default_executors", "in_process_executor", "multiprocess_executor"]
