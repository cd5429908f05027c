"""How a step output is written to and read from a persistent intermediate store: pickled
(cloudpickle, protocol 5, the user's classes by name: user_code.dump_value) unless its type has a
SerializationStrategy of its own (a CSV writer for a table, say), as in the seed."""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import IO, Any

from dagster_core.user_code import UserClasses, dump_value, load_value

_CHUNK = 1 << 20


class SerializationStrategy(ABC):
    """Writes values of a type to a file and reads them back. `read_mode` / `write_mode` are
    "rb" / "wb" for bytes or "r" / "w" for text (UTF-8)."""

    def __init__(self, name: str, read_mode: str = "rb", write_mode: str = "wb"):
        if read_mode not in ("rb", "r") or write_mode not in ("wb", "w"):
            raise ValueError(
                f"SerializationStrategy {name!r}: read_mode must be 'rb' or 'r' and write_mode "
                f"'wb' or 'w', got {read_mode!r} and {write_mode!r}"
            )
        self.name = name
        self.read_mode = read_mode
        self.write_mode = write_mode

    @abstractmethod
    def serialize(self, value: Any, write_file_obj: IO) -> None:
        """Write `value` to the open file."""

    @abstractmethod
    def deserialize(self, read_file_obj: IO) -> Any:
        """The value read from the open file."""


def write_value(
    value: Any, file: IO[bytes], strategy: SerializationStrategy | None, classes: UserClasses
) -> None:
    """Write a step output to a binary file, with its type's strategy if it has one (which
    writes to a buffer first, so the store's file need only take bytes)."""
    if strategy is None:
        dump_value(value, file, classes)
        return
    buffer: IO = io.BytesIO() if strategy.write_mode == "wb" else io.StringIO(newline="")
    strategy.serialize(value, buffer)
    data = buffer.getvalue()
    file.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def read_value(
    file: IO[bytes], strategy: SerializationStrategy | None, classes: UserClasses
) -> Any:
    """Read a step output that write_value wrote, with the same strategy."""
    if strategy is None:
        return load_value(file, classes)
    chunks = []
    while chunk := file.read(_CHUNK):
        chunks.append(chunk)
    data = b"".join(chunks)
    if strategy.read_mode == "rb":
        return strategy.deserialize(io.BytesIO(data))
    return strategy.deserialize(io.StringIO(data.decode("utf-8"), newline=""))
