"""The IntermediateStore interface: where step outputs go between steps, and the in-memory one."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from types import MappingProxyType
from typing import Any

from dagster_core.storage.serialization import SerializationStrategy
from dagster_core.user_code import UserClasses, shipped_classes


class IntermediateStore(ABC):
    """Step outputs keyed by (run id, step key, output name).

    `is_persistent` stores outlive the driver process and can be read by other processes.
    """

    is_persistent: bool = False
    _user_classes: UserClasses = MappingProxyType({})  # see __getstate__

    def __getstate__(self) -> dict[str, Any]:
        """The store as pickled with a run for other processes: it takes along the run's classes
        of the user's code (user_code.shipped_classes), so that it writes outputs of those
        classes naming them and reads them back as this run's classes, whichever run wrote them
        (user_code.dump_value, load_value)."""
        return {**self.__dict__, "_user_classes": dict(shipped_classes() or self._user_classes)}

    @abstractmethod
    def set_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        value: Any,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> str:
        """Store a value (with its type's serialization strategy, if any); returns where it
        went (a path or URI) for the event log."""

    @abstractmethod
    def get_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> Any:
        """The stored value, read with the strategy it was written with."""

    @abstractmethod
    def has_output(self, run_id: str, step_key: str, output_name: str) -> bool: ...

    def output_size(self, run_id: str, step_key: str, output_name: str) -> int | None:
        """How many bytes the stored value takes, for a store that writes bytes; else None."""
        return None


class InMemoryIntermediateStore(IntermediateStore):
    """Outputs held in this process's memory for the life of the store (never serialized)."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def set_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        value: Any,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> str:
        with self._lock:
            self._values[(run_id, step_key, output_name)] = value
        return f"memory://{run_id}/{step_key}/{output_name}"

    def get_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> Any:
        return self._values[(run_id, step_key, output_name)]

    def has_output(self, run_id: str, step_key: str, output_name: str) -> bool:
        return (run_id, step_key, output_name) in self._values
