"""JSON for the framework's plain records, so databases and other tools can read what runs wrote.

Registered dataclasses and enums are written with a `__class__` tag and read back as the same
types; tuples, sets and frozensets keep their kind. A value of any other type (say, a user's object
in materialization metadata) is stored as its repr, never pickled: reading the log runs no code.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any

_REGISTRY: dict[str, type] = {}


_FIELDS: dict[str, tuple[str, ...]] = {}


def whitelist_for_serdes(cls: type) -> type:
    """Register a dataclass or Enum so that it is written and read back as itself."""
    _REGISTRY[cls.__name__] = cls
    if dataclasses.is_dataclass(cls):
        _FIELDS[cls.__name__] = tuple(f.name for f in dataclasses.fields(cls))
    return cls


def _pack(value: Any) -> Any:
    if isinstance(value, Enum) and type(value).__name__ in _REGISTRY:
        return {"__enum__": type(value).__name__, "value": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if type(value).__name__ in _FIELDS:
        fields = {name: _pack(getattr(value, name)) for name in _FIELDS[type(value).__name__]}
        return {"__class__": type(value).__name__, **fields}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"__dict__": {k: _pack(v) for k, v in value.items()}}
        return {"__pairs__": [[_pack(k), _pack(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_pack(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_pack(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"__frozenset__": sorted((_pack(v) for v in value), key=repr)}
    return {"__repr__": repr(value)}


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _unpack(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most values of a record: checked first, as reading a log is hot
        return value
    if kind is list:
        return [_unpack(v) for v in value]
    if "__class__" in value:
        name = value["__class__"]
        fields = _FIELDS[name]
        return _REGISTRY[name](**{k: _unpack(v) for k, v in value.items() if k in fields})
    if "__enum__" in value:
        return _REGISTRY[value["__enum__"]](value["value"])
    if "__dict__" in value:
        return {k: _unpack(v) for k, v in value["__dict__"].items()}
    if "__pairs__" in value:
        return {_unpack(k): _unpack(v) for k, v in value["__pairs__"]}
    if "__tuple__" in value:
        return tuple(_unpack(v) for v in value["__tuple__"])
    if "__frozenset__" in value:
        return frozenset(_unpack(v) for v in value["__frozenset__"])
    if "__repr__" in value:
        return value["__repr__"]
    raise ValueError(f"Cannot read serialized value {value!r}")


def serialize_value(value: Any) -> str:
    """A JSON string for a registered record (or plain data containing them)."""
    return json.dumps(_pack(value), separators=(",", ":"))


def deserialize_value(text: str) -> Any:
    """The value `serialize_value` wrote."""
    return _unpack(json.loads(text))
